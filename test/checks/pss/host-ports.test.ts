import { check } from '../../../src/checks/pss/host-ports.js';
import { PASS } from '../../../src/engine/types.js';
import type { Case } from './fixtures.js';
import {
  addContainer,
  app,
  asDeployment,
  compliantPod,
  forbidden,
  malformed,
  podWith,
  setRaw,
  tableTest,
} from './fixtures.js';

const cases: Case[] = [
  { name: 'no ports', subject: compliantPod(), expected: PASS },
  {
    name: 'container ports only, and hostPort 0',
    subject: podWith(
      (spec) => (app(spec).ports = [{ containerPort: 8080 }, { containerPort: 9090, hostPort: 0 }]),
    ),
    expected: PASS,
  },
  {
    name: 'one host port',
    subject: podWith((spec) => (app(spec).ports = [{ containerPort: 8080, hostPort: 8080 }])),
    expected: forbidden('hostPort', 'container "app" uses hostPort 8080'),
  },
  {
    name: 'ports are listed as sorted strings, containers in order',
    subject: podWith((spec) => {
      app(spec).ports = [
        { containerPort: 8080, hostPort: 8080 },
        { containerPort: 10000, hostPort: 10000 },
      ];
      addContainer(spec, 'metrics', 'initContainers').ports = [{ containerPort: 9100, hostPort: 8080 }];
    }),
    expected: forbidden('hostPort', 'containers "metrics", "app" use hostPorts 10000, 8080'),
  },
  {
    name: 'a bare Pod on the host network gets hostPort = containerPort from the API server',
    subject: podWith((spec) => {
      spec.hostNetwork = true;
      app(spec).ports = [{ containerPort: 8080 }];
    }),
    expected: forbidden('hostPort', 'container "app" uses hostPort 8080'),
  },
  {
    name: 'a template on the host network is not defaulted (since Kubernetes 1.28)',
    subject: asDeployment(
      podWith((spec) => {
        spec.hostNetwork = true;
        app(spec).ports = [{ containerPort: 8080 }];
      }),
    ),
    expected: PASS,
  },
  {
    name: 'ephemeral containers are not defaulted either',
    subject: podWith((spec) => {
      spec.hostNetwork = true;
      addContainer(spec, 'debug', 'ephemeralContainers').ports = [{ containerPort: 8080 }];
    }),
    expected: PASS,
  },
  {
    name: 'defined from v1.0',
    subject: podWith((spec) => (app(spec).ports = [{ containerPort: 53, hostPort: 53, protocol: 'UDP' }])),
    version: 'v1.0',
    expected: forbidden('hostPort', 'container "app" uses hostPort 53'),
  },
  {
    name: 'a string port is malformed',
    subject: podWith((spec) => setRaw(app(spec), 'ports', [{ containerPort: 80, hostPort: '80' }])),
    expected: malformed('hostPorts', 'spec.containers[0].ports[0].hostPort must be an integer, not a string'),
  },
  {
    name: 'a fractional port is malformed',
    subject: podWith((spec) => setRaw(app(spec), 'ports', [{ containerPort: 80, hostPort: 80.5 }])),
    expected: malformed(
      'hostPorts',
      'spec.containers[0].ports[0].hostPort must be an integer, not the number 80.5',
    ),
  },
];

tableTest(check, cases);
