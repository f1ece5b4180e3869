import { check } from '../../../src/checks/rbac/sa-token-create.js';
import { fail, PASS } from '../../../src/engine/types.js';
import type { ObjectCase } from './fixtures.js';
import { boundRole, HARMLESS, objectTable, rule } from './fixtures.js';

const BOUND = 'bound to ServiceAccount shop/app (RoleBinding shop/app)';
const token = (message: string): ReturnType<typeof fail> => fail('ServiceAccountTokenCreate', message);

const cases: ObjectCase[] = [
  { name: 'a role that reads ConfigMaps', ...boundRole([HARMLESS]), expected: PASS },
  { name: 'create serviceaccounts/token', ...boundRole([rule('create', 'serviceaccounts/token')]), expected: token(`rules[0] grants create on serviceaccounts/token; ${BOUND}`) },
  {
    name: 'limited to named accounts',
    ...boundRole([rule('create', 'serviceaccounts/token', { resourceNames: ['ci'] })]),
    expected: token(`rules[0] grants create on serviceaccounts/token (only names ci); ${BOUND}`),
  },
  { name: '*/token', ...boundRole([rule('create', '*/token')]), expected: token(`rules[0] grants create on serviceaccounts/token; ${BOUND}`) },
  { name: 'creating ServiceAccounts mints no token', ...boundRole([rule('create', 'serviceaccounts')]), expected: PASS },
  { name: 'get serviceaccounts/token does nothing', ...boundRole([rule('get', 'serviceaccounts/token')]), expected: PASS },
];

objectTable(check, cases);
