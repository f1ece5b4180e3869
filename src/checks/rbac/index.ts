import type { Check } from '../../engine/check.js';
import { check as admissionWebhooks } from './admission-webhooks.js';
import { check as anonymousBinding } from './anonymous-binding.js';
import { check as clusterAdminBinding } from './cluster-admin-binding.js';
import { check as csrApprove } from './csr-approve.js';
import { check as danglingBinding } from './dangling-binding.js';
import { check as defaultSaBound } from './default-sa-bound.js';
import { check as escalateBindImpersonate } from './escalate-bind-impersonate.js';
import { check as escalationPath } from './escalation-path.js';
import { check as nodesProxy } from './nodes-proxy.js';
import { check as podCreate } from './pod-create.js';
import { check as podExec } from './pod-exec.js';
import { check as saTokenCreate } from './sa-token-create.js';
import { check as secretsRead } from './secrets-read.js';
import { check as wildcardRules } from './wildcard-rules.js';

export const rbacChecks: readonly Check[] = [
  admissionWebhooks,
  anonymousBinding,
  clusterAdminBinding,
  csrApprove,
  danglingBinding,
  defaultSaBound,
  escalateBindImpersonate,
  escalationPath,
  nodesProxy,
  podCreate,
  podExec,
  saTokenCreate,
  secretsRead,
  wildcardRules,
];
