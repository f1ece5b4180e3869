import type { Check } from '../../engine/check.js';
import { check as automountToken } from './automount-token.js';
import { check as legacyTokenSecrets } from './legacy-token-secrets.js';
// TODO(lead): add `import { check as privilegedUnused } from './privileged-unused.js';` here and
// `privilegedUnused` to the list once the RBAC engineer's src/checks/sa/privileged-unused.ts exists.

export const saChecks: readonly Check[] = [automountToken, legacyTokenSecrets];
