import type { Check } from '../../engine/check.js';
import { check as allowedRegistries } from './allowed-registries.js';
import { check as automountToken } from './automount-token.js';
import { check as defaultNamespace } from './default-namespace.js';
import { check as defaultServiceAccount } from './default-service-account.js';
import { check as envLiteralSecrets } from './env-literal-secrets.js';
import { check as imageDigest } from './image-digest.js';
import { check as imageTag } from './image-tag.js';
import { check as readOnlyRootFs } from './read-only-root-fs.js';
import { check as resourceLimits } from './resource-limits.js';
import { check as resourceRequests } from './resource-requests.js';

export const workloadChecks: readonly Check[] = [
  allowedRegistries,
  automountToken,
  defaultNamespace,
  defaultServiceAccount,
  envLiteralSecrets,
  imageDigest,
  imageTag,
  readOnlyRootFs,
  resourceLimits,
  resourceRequests,
];
