import type { Check } from '../../engine/check.js';
import { check as apiserverAnonymousAuth } from './apiserver-anonymous-auth.js';
import { check as apiserverAuditLog } from './apiserver-audit-log.js';
import { check as apiserverAuthorizationMode } from './apiserver-authorization-mode.js';
import { check as apiserverEncryptionAtRest } from './apiserver-encryption-at-rest.js';
import { check as apiserverKubeletCa } from './apiserver-kubelet-ca.js';
import { check as apiserverNodeRestriction } from './apiserver-node-restriction.js';
import { check as apiserverProfiling } from './apiserver-profiling.js';
import { check as etcdClientTls } from './etcd-client-tls.js';
import { check as etcdPeerTls } from './etcd-peer-tls.js';

export const cpChecks: readonly Check[] = [
  apiserverAnonymousAuth,
  apiserverAuditLog,
  apiserverAuthorizationMode,
  apiserverEncryptionAtRest,
  apiserverKubeletCa,
  apiserverNodeRestriction,
  apiserverProfiling,
  etcdClientTls,
  etcdPeerTls,
];
