import type { Check } from '../../engine/check.js';
import { check as noNetworkPolicy } from './no-network-policy.js';
import { check as psaEnforce } from './psa-enforce.js';
import { check as psaWarnAudit } from './psa-warn-audit.js';

export const nsChecks: readonly Check[] = [noNetworkPolicy, psaEnforce, psaWarnAudit];
