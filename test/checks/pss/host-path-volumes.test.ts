import { check } from '../../../src/checks/pss/host-path-volumes.js';
import { PASS } from '../../../src/engine/types.js';
import type { Case } from './fixtures.js';
import { asDeployment, compliantPod, forbidden, malformed, podWith, setRaw, tableTest } from './fixtures.js';

const cases: Case[] = [
  { name: 'no volumes', subject: compliantPod(), expected: PASS },
  {
    name: 'emptyDir, configMap and an nfs volume (restricted, not baseline)',
    subject: podWith(
      (spec) =>
        (spec.volumes = [
          { name: 'scratch', emptyDir: {} },
          { name: 'config', configMap: { name: 'web' } },
          { name: 'share', nfs: { server: 'nfs.example.com', path: '/' } },
        ]),
    ),
    expected: PASS,
  },
  {
    name: 'hostPath: null reads as unset',
    subject: podWith((spec) => (spec.volumes = [{ name: 'data', hostPath: null as never, emptyDir: {} }])),
    expected: PASS,
  },
  {
    name: 'one hostPath volume',
    subject: podWith(
      (spec) => (spec.volumes = [{ name: 'docker', hostPath: { path: '/var/run/docker.sock' } }]),
    ),
    expected: forbidden('hostPath volumes', 'volume "docker"'),
  },
  {
    name: 'several, in spec order',
    subject: asDeployment(
      podWith(
        (spec) =>
          (spec.volumes = [
            { name: 'logs', hostPath: { path: '/var/log' } },
            { name: 'scratch', emptyDir: {} },
            { name: 'etc', hostPath: { path: '/etc' } },
          ]),
      ),
    ),
    version: 'v1.0',
    expected: forbidden('hostPath volumes', 'volumes "logs", "etc"'),
  },
  {
    name: 'volumes that are not a list are malformed',
    subject: podWith((spec) => setRaw(spec, 'volumes', { name: 'x' })),
    expected: malformed('hostPathVolumes', 'spec.volumes must be a list, not an object'),
  },
  {
    name: 'a hostPath that is a string is malformed',
    subject: podWith((spec) => setRaw(spec, 'volumes', [{ name: 'x', hostPath: '/etc' }])),
    expected: malformed('hostPathVolumes', 'spec.volumes[0].hostPath must be an object, not a string'),
  },
];

tableTest(check, cases);
