import { check } from '../../../src/checks/pss/capabilities-baseline.js';
import { PASS } from '../../../src/engine/types.js';
import type { Case } from './fixtures.js';
import {
  addContainer,
  app,
  compliantPod,
  forbidden,
  malformed,
  podWith,
  sc,
  setRaw,
  tableTest,
} from './fixtures.js';

const REASON = 'non-default capabilities';

const cases: Case[] = [
  { name: 'adds nothing', subject: compliantPod(), expected: PASS },
  {
    name: 'adds only default capabilities',
    subject: podWith(
      (spec) => (sc(app(spec)).capabilities = { add: ['NET_BIND_SERVICE', 'CHOWN', 'SYS_CHROOT'] }),
    ),
    expected: PASS,
  },
  {
    name: 'dropping anything is fine at baseline',
    subject: podWith((spec) => (sc(app(spec)).capabilities = { drop: ['NET_RAW'] })),
    expected: PASS,
  },
  {
    name: 'adds NET_RAW (not in the default set)',
    subject: podWith((spec) => (sc(app(spec)).capabilities = { add: ['NET_RAW'] })),
    expected: forbidden(
      REASON,
      'container "app" must not include "NET_RAW" in securityContext.capabilities.add',
    ),
  },
  {
    name: 'capabilities are sorted and unique, containers in order',
    subject: podWith((spec) => {
      sc(app(spec)).capabilities = { add: ['SYS_ADMIN', 'CHOWN', 'NET_ADMIN'] };
      sc(addContainer(spec, 'sidecar')).capabilities = { add: ['SYS_ADMIN'] };
    }),
    expected: forbidden(
      REASON,
      'containers "app", "sidecar" must not include "NET_ADMIN", "SYS_ADMIN" in securityContext.capabilities.add',
    ),
  },
  {
    name: 'the CAP_ prefix and lower case are not the default names',
    subject: podWith((spec) => (sc(app(spec)).capabilities = { add: ['CAP_CHOWN', 'chown'] })),
    expected: forbidden(
      REASON,
      'container "app" must not include "CAP_CHOWN", "chown" in securityContext.capabilities.add',
    ),
  },
  {
    name: 'defined from v1.0',
    subject: podWith((spec) => (sc(app(spec)).capabilities = { add: ['BPF'] })),
    version: 'v1.0',
    expected: forbidden(REASON, 'container "app" must not include "BPF" in securityContext.capabilities.add'),
  },
  {
    name: 'a string instead of a list is malformed',
    subject: podWith((spec) => setRaw(sc(app(spec)), 'capabilities', { add: 'NET_RAW' })),
    expected: malformed(
      'capabilities_baseline',
      'spec.containers[0].securityContext.capabilities.add must be a list, not a string',
    ),
  },
  {
    name: 'a number in the list is malformed',
    subject: podWith((spec) => setRaw(sc(app(spec)), 'capabilities', { add: [12] })),
    expected: malformed(
      'capabilities_baseline',
      'spec.containers[0].securityContext.capabilities.add[0] must be a string, not a number',
    ),
  },
];

tableTest(check, cases);
