import { check } from '../../../src/checks/pss/host-probes-and-lifecycle.js';
import { PASS } from '../../../src/engine/types.js';
import type { Case } from './fixtures.js';
import {
  addContainer,
  app,
  compliantPod,
  forbidden,
  malformed,
  notYet,
  podWith,
  setRaw,
  tableTest,
} from './fixtures.js';

const REASON = 'probe or lifecycle host';

const cases: Case[] = [
  { name: 'no probes', subject: compliantPod(), expected: PASS },
  {
    name: 'probes and hooks without host, or with an empty one',
    subject: podWith((spec) => {
      app(spec).livenessProbe = { httpGet: { path: '/healthz', port: 8080 } };
      app(spec).readinessProbe = { tcpSocket: { port: 8080, host: '' } };
      app(spec).lifecycle = { preStop: { httpGet: { path: '/stop', port: 8080 } } };
    }),
    expected: PASS,
  },
  {
    name: 'a liveness probe with a host',
    subject: podWith(
      (spec) => (app(spec).livenessProbe = { httpGet: { host: '10.0.0.1', path: '/', port: 80 } }),
    ),
    expected: forbidden(REASON, 'container "app" uses probe or lifecycle host "10.0.0.1"'),
  },
  {
    name: 'hosts and containers are sorted and unique',
    subject: podWith((spec) => {
      app(spec).startupProbe = { tcpSocket: { host: 'metadata.internal', port: 80 } };
      app(spec).lifecycle = { postStart: { tcpSocket: { host: '169.254.169.254', port: 80 } } };
      addContainer(spec, 'agent', 'initContainers').readinessProbe = {
        httpGet: { host: 'metadata.internal', port: 80 },
      };
    }),
    expected: forbidden(
      REASON,
      'containers "agent", "app" use probe or lifecycle hosts "169.254.169.254", "metadata.internal"',
    ),
  },
  {
    name: 'defined from v1.34',
    subject: podWith(
      (spec) => (app(spec).lifecycle = { preStop: { httpGet: { host: 'example.com', port: 80 } } }),
    ),
    version: 'v1.34',
    expected: forbidden(REASON, 'container "app" uses probe or lifecycle host "example.com"'),
  },
  {
    name: 'not part of v1.33',
    subject: podWith(
      (spec) => (app(spec).lifecycle = { preStop: { httpGet: { host: 'example.com', port: 80 } } }),
    ),
    version: 'v1.33',
    expected: notYet('hostProbesAndHostLifecycle', 'v1.33', 34),
  },
  {
    name: 'a numeric host is malformed',
    subject: podWith((spec) => setRaw(app(spec), 'livenessProbe', { httpGet: { host: 10, port: 80 } })),
    expected: malformed(
      'hostProbesAndHostLifecycle',
      'spec.containers[0].livenessProbe.httpGet.host must be a string, not a number',
    ),
  },
];

tableTest(check, cases);
