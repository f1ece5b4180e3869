import { check } from '../../../src/checks/pss/restricted-volumes.js';
import { PASS } from '../../../src/engine/types.js';
import type { Case } from './fixtures.js';
import { asDeployment, compliantPod, forbidden, malformed, podWith, setRaw, tableTest } from './fixtures.js';

const REASON = 'restricted volume types';

const cases: Case[] = [
  { name: 'no volumes', subject: compliantPod(), expected: PASS },
  {
    name: 'every allowed type',
    subject: podWith(
      (spec) =>
        (spec.volumes = [
          { name: 'a', configMap: { name: 'x' } },
          { name: 'b', csi: { driver: 'inline.example.com' } },
          { name: 'c', downwardAPI: {} },
          { name: 'd', emptyDir: {} },
          { name: 'e', ephemeral: {} },
          { name: 'f', image: { reference: 'registry.example.com/data:1' } },
          { name: 'g', persistentVolumeClaim: { claimName: 'x' } },
          { name: 'h', projected: { sources: [] } },
          { name: 'i', secret: { secretName: 'x' } },
        ]),
    ),
    expected: PASS,
  },
  {
    name: 'a volume with no source is defaulted to emptyDir by the API server',
    subject: podWith((spec) => (spec.volumes = [{ name: 'scratch' }])),
    expected: PASS,
  },
  {
    name: 'a source the API does not know is dropped, leaving an emptyDir',
    subject: podWith((spec) => setRaw(spec, 'volumes', [{ name: 'future', fancyVolume: { size: 1 } }])),
    expected: PASS,
  },
  {
    name: 'hostPath',
    subject: podWith((spec) => (spec.volumes = [{ name: 'root', hostPath: { path: '/' } }])),
    expected: forbidden(REASON, 'volume "root" uses restricted volume type "hostPath"'),
  },
  {
    name: 'several volumes and types, types sorted',
    subject: asDeployment(
      podWith(
        (spec) =>
          (spec.volumes = [
            { name: 'share', nfs: { server: 'nfs.example.com', path: '/' } },
            { name: 'ok', emptyDir: {} },
            { name: 'repo', gitRepo: { repository: 'https://example.com/r.git' } },
            { name: 'disk', awsElasticBlockStore: { volumeID: 'vol-1' } },
          ]),
      ),
    ),
    version: 'v1.0',
    expected: forbidden(
      REASON,
      'volumes "share", "repo", "disk" use restricted volume types "awsElasticBlockStore", "gitRepo", "nfs"',
    ),
  },
  {
    name: 'an allowed source wins over a restricted one, as upstream checks allowed sources first',
    subject: podWith(
      (spec) => (spec.volumes = [{ name: 'odd', secret: { secretName: 'x' }, hostPath: { path: '/' } }]),
    ),
    expected: PASS,
  },
  {
    name: 'a volume entry that is a string is malformed',
    subject: podWith((spec) => setRaw(spec, 'volumes', ['data'])),
    expected: malformed('restrictedVolumes', 'spec.volumes[0] must be an object, not a string'),
  },
];

tableTest(check, cases);
