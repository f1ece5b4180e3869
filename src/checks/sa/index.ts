import type { Check } from '../../engine/check.js';
import { check as automountToken } from './automount-token.js';
import { check as legacyTokenSecrets } from './legacy-token-secrets.js';
import { check as privilegedUnused } from './privileged-unused.js';

export const saChecks: readonly Check[] = [automountToken, legacyTokenSecrets, privilegedUnused];
