import { check } from '../../../src/checks/pss/host-namespaces.js';
import { PASS } from '../../../src/engine/types.js';
import type { Case } from './fixtures.js';
import { asDeployment, compliantPod, forbidden, malformed, podWith, setRaw, tableTest } from './fixtures.js';

const cases: Case[] = [
  { name: 'no host namespaces', subject: compliantPod(), expected: PASS },
  {
    name: 'explicit false',
    subject: podWith((spec) => Object.assign(spec, { hostNetwork: false, hostPID: false, hostIPC: false })),
    expected: PASS,
  },
  {
    name: 'hostNetwork',
    subject: podWith((spec) => (spec.hostNetwork = true)),
    expected: forbidden('host namespaces', 'hostNetwork=true'),
  },
  {
    name: 'all three, in upstream order',
    subject: podWith((spec) => Object.assign(spec, { hostIPC: true, hostPID: true, hostNetwork: true })),
    expected: forbidden('host namespaces', 'hostNetwork=true, hostPID=true, hostIPC=true'),
  },
  {
    name: 'hostPID in a Deployment template at v1.0',
    subject: asDeployment(podWith((spec) => (spec.hostPID = true))),
    version: 'v1.0',
    expected: forbidden('host namespaces', 'hostPID=true'),
  },
  {
    name: 'a string is malformed',
    subject: podWith((spec) => setRaw(spec, 'hostIPC', 'yes')),
    expected: malformed('hostNamespaces', 'spec.hostIPC must be a boolean, not a string'),
  },
];

tableTest(check, cases);
