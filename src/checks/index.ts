/**
 * The check catalogue: every built-in check, family by family. Each family's own index is
 * a plain sorted list of its checks; test/checks/catalogue.test.ts holds them all to the
 * catalogue's conventions.
 */
import type { Check } from '../engine/check.js';
import { cpChecks } from './cp/index.js';
import { netChecks } from './net/index.js';
import { nsChecks } from './ns/index.js';
import { pssChecks } from './pss/index.js';
import { rbacChecks } from './rbac/index.js';
import { saChecks } from './sa/index.js';
import { workloadChecks } from './workload/index.js';

export const allChecks: readonly Check[] = [
  ...cpChecks,
  ...netChecks,
  ...nsChecks,
  ...pssChecks,
  ...rbacChecks,
  ...saChecks,
  ...workloadChecks,
];
