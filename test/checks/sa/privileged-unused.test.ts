import { check } from '../../../src/checks/sa/privileged-unused.js';
import { fail } from '../../../src/engine/types.js';
import type { ClusterCase } from '../rbac/fixtures.js';
import {
  CLUSTER_ADMIN,
  clusterRole,
  clusterRoleBinding,
  clusterTable,
  group,
  pod,
  role,
  roleBinding,
  rule,
  sa,
  serviceAccount,
} from '../rbac/fixtures.js';

/** ServiceAccount shop/ci may read Secrets; ServiceAccount shop/web may read ConfigMaps. */
const BASE = [
  serviceAccount('shop', 'ci'),
  serviceAccount('shop', 'web'),
  role('shop', 'secrets', [rule('get,list', 'secrets')]),
  roleBinding('shop', 'ci', { kind: 'Role', name: 'secrets' }, [sa('shop', 'ci')]),
  role('shop', 'config', [rule('get', 'configmaps')]),
  roleBinding('shop', 'web', { kind: 'Role', name: 'config' }, [sa('shop', 'web')]),
];

const DEPLOYMENT = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'ci', namespace: 'shop' },
  spec: { template: { spec: { serviceAccountName: 'ci', containers: [{ name: 'c', image: 'registry.example.com/ci:1' }] } } },
};

const unused = (message: string): ReturnType<typeof fail> => fail('PrivilegedServiceAccountUnused', message);

const cases: ClusterCase[] = [
  {
    name: 'a privileged account nobody runs as',
    objects: BASE,
    expected: {
      'ServiceAccount shop/ci': unused('may read Secrets (RoleBinding shop/ci → Role shop/secrets), but no pod or pod template in the inventory runs as it'),
    },
    passing: 1,
  },
  { name: 'used by a pod', objects: [...BASE, pod('shop', 'runner', 'ci')], expected: {}, passing: 2 },
  { name: 'used by a pod template', objects: [...BASE, DEPLOYMENT], expected: {}, passing: 2 },
  { name: 'a pod of another namespace does not count', objects: [...BASE, pod('bank', 'runner', 'ci')], expected: { 'ServiceAccount shop/ci': unused('may read Secrets (RoleBinding shop/ci → Role shop/secrets), but no pod or pod template in the inventory runs as it') } },
  {
    name: 'pods without serviceAccountName use default',
    objects: [
      serviceAccount('shop', 'default'),
      roleBinding('shop', 'default', { kind: 'Role', name: 'secrets' }, [sa('shop', 'default')]),
      role('shop', 'secrets', [rule('get', 'secrets')]),
      pod('shop', 'web'),
    ],
    expected: {},
    passing: 1,
  },
  {
    name: 'every dangerous way in is named',
    objects: [
      serviceAccount('ops', 'robot'),
      CLUSTER_ADMIN,
      clusterRoleBinding('robot-admin', 'cluster-admin', [sa('ops', 'robot')]),
      clusterRole('creator', [rule('create', 'pods'), rule('create', 'serviceaccounts/token')]),
      roleBinding('ops', 'robot', { kind: 'ClusterRole', name: 'creator' }, [sa('ops', 'robot')]),
    ],
    expected: {
      'ServiceAccount ops/robot': unused(
        'may do anything, read Secrets, run commands in containers, escalate, bind or impersonate, create pods or pod controllers, reach the kubelet API through nodes/proxy, create ServiceAccount tokens, approve CertificateSigningRequests, change admission webhooks (ClusterRoleBinding robot-admin → ClusterRole cluster-admin); create pods or pod controllers, create ServiceAccount tokens (RoleBinding ops/robot → ClusterRole creator), but no pod or pod template in the inventory runs as it',
      ),
    },
  },
  {
    name: 'rights through groups are not the account’s own',
    objects: [serviceAccount('shop', 'idle'), clusterRole('reader', [rule('get', 'secrets')]), clusterRoleBinding('all', 'reader', [group('system:serviceaccounts')])],
    expected: {},
    passing: 1,
  },
  {
    name: 'controller accounts of the bootstrap policy are skipped',
    objects: [
      serviceAccount('kube-system', 'bootstrap-signer'),
      role('kube-system', 'system:controller:bootstrap-signer', [rule('get,list,watch', 'secrets')]),
      roleBinding('kube-system', 'system:controller:bootstrap-signer', { kind: 'Role', name: 'system:controller:bootstrap-signer' }, [sa('kube-system', 'bootstrap-signer')]),
    ],
    expected: {},
    passing: 0,
  },
  {
    name: 'a workload account in kube-system is checked',
    objects: [serviceAccount('kube-system', 'tiller'), CLUSTER_ADMIN, clusterRoleBinding('tiller', 'cluster-admin', [sa('kube-system', 'tiller')])],
    expected: {
      'ServiceAccount kube-system/tiller': unused(
        'may do anything, read Secrets, run commands in containers, escalate, bind or impersonate, create pods or pod controllers, reach the kubelet API through nodes/proxy, create ServiceAccount tokens, approve CertificateSigningRequests, change admission webhooks (ClusterRoleBinding tiller → ClusterRole cluster-admin), but no pod or pod template in the inventory runs as it',
      ),
    },
  },
  { name: 'a malformed pod does not count as use, and does not crash', objects: [...BASE, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', namespace: 'shop' }, spec: 'ci' }], expected: { 'ServiceAccount shop/ci': unused('may read Secrets (RoleBinding shop/ci → Role shop/secrets), but no pod or pod template in the inventory runs as it') } },
];

clusterTable(check, cases);
