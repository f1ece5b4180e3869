import { check } from '../../../src/checks/rbac/pod-exec.js';
import { fail, PASS } from '../../../src/engine/types.js';
import type { ObjectCase } from './fixtures.js';
import { boundRole, HARMLESS, objectTable, role, rule } from './fixtures.js';

const BOUND = 'bound to ServiceAccount shop/app (RoleBinding shop/app)';
const exec = (message: string): ReturnType<typeof fail> => fail('PodExec', message);

const cases: ObjectCase[] = [
  { name: 'a role that reads ConfigMaps', ...boundRole([HARMLESS]), expected: PASS },
  { name: 'create pods/exec', ...boundRole([rule('create', 'pods/exec')]), expected: exec(`rules[0] grants create on pods/exec; ${BOUND}`) },
  { name: 'get pods/exec (websocket exec)', ...boundRole([rule('get', 'pods/exec')]), expected: exec(`rules[0] grants get on pods/exec; ${BOUND}`) },
  { name: 'attach and port-forward', ...boundRole([rule('create', 'pods/attach,pods/portforward')]), expected: exec(`rules[0] grants create on pods/attach, pods/portforward; ${BOUND}`) },
  { name: '*/exec', ...boundRole([rule('create', '*/exec')]), expected: exec(`rules[0] grants create on pods/exec; ${BOUND}`) },
  { name: 'everything', ...boundRole([rule('*', '*')]), expected: exec(`rules[0] grants create,get on pods/exec, pods/attach, pods/portforward; ${BOUND}`) },
  { name: 'pods/* is no wildcard', ...boundRole([rule('create', 'pods/*')]), expected: PASS },
  { name: 'pods/log is harmless here', ...boundRole([rule('get', 'pods,pods/log')]), expected: PASS },
  { name: 'list pods/exec does nothing', ...boundRole([rule('list,watch', 'pods/exec')]), expected: PASS },
  { name: 'unbound', subject: role('shop', 'app', [rule('create', 'pods/exec')]), expected: PASS },
];

objectTable(check, cases);
