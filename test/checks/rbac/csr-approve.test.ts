import { check } from '../../../src/checks/rbac/csr-approve.js';
import { fail, PASS } from '../../../src/engine/types.js';
import type { ObjectCase } from './fixtures.js';
import { boundClusterRole, boundRole, clusterRole, clusterRoleBinding, HARMLESS, objectTable, rule, sa, serviceAccount } from './fixtures.js';

const CERTS = { apiGroups: ['certificates.k8s.io'] };
const APPROVAL = rule('update', 'certificatesigningrequests/approval', CERTS);
const SIGNERS = rule('approve', 'signers', { ...CERTS, resourceNames: ['kubernetes.io/kube-apiserver-client'] });
const approve = (message: string): ReturnType<typeof fail> => fail('CSRApproval', message);

const cases: ObjectCase[] = [
  { name: 'a role that reads ConfigMaps', ...boundClusterRole([HARMLESS]), expected: PASS },
  {
    name: 'approval and a signer in one role',
    ...boundClusterRole([APPROVAL, SIGNERS]),
    expected: approve(
      'rules[0] grants update on certificatesigningrequests.certificates.k8s.io/approval; bound to ServiceAccount shop/app (ClusterRoleBinding app), who can also approve for a signer',
    ),
  },
  {
    name: 'the signer through another binding',
    ...boundClusterRole([APPROVAL]),
    objects: [
      clusterRoleBinding('app', 'app', [sa('shop', 'app')]),
      serviceAccount('shop', 'app'),
      clusterRole('signer', [SIGNERS]),
      clusterRoleBinding('signer', 'signer', [sa('shop', 'app')]),
    ],
    expected: approve(
      'rules[0] grants update on certificatesigningrequests.certificates.k8s.io/approval; bound to ServiceAccount shop/app (ClusterRoleBinding app), who can also approve for a signer',
    ),
  },
  { name: 'approval without any signer approves nothing', ...boundClusterRole([APPROVAL]), expected: PASS },
  {
    name: 'approval without a signer, with includeUnbound',
    ...boundClusterRole([APPROVAL]),
    params: { includeUnbound: true },
    expected: approve('rules[0] grants update on certificatesigningrequests.certificates.k8s.io/approval; no subject bound to it can approve for a signer yet'),
  },
  { name: 'approving CSRs through a RoleBinding is impossible', ...boundRole([APPROVAL, SIGNERS]), expected: PASS },
  { name: 'creating CSRs is not approving them', ...boundClusterRole([rule('create,get', 'certificatesigningrequests', CERTS), SIGNERS]), expected: PASS },
];

objectTable(check, cases);
