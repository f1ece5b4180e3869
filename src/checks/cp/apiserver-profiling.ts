/**
 * kube-apiserver does not serve profiling data (`--profiling=false`). The `/debug/pprof`
 * endpoints reveal internals and can be used to load the server; they are for debugging
 * sessions, not production. Read: `--profiling` in the kube-apiserver static pod's command
 * and args. Only false passes; unset fails, because the server defaults it to true.
 */
import type { ObjectCheck } from '../../engine/check.js';
import { fail, PASS } from '../../engine/types.js';
import { readBool, readCommandLine } from './flags.js';

export const check: ObjectCheck = {
  id: 'cp.apiserver-profiling',
  title: 'API server profiling is off',
  description:
    'kube-apiserver serves pprof profiling endpoints unless --profiling=false; they expose internals and extra load ' +
    'to anyone allowed the /debug/pprof non-resource URLs, and are not needed outside debugging.',
  severity: 'low',
  category: 'control-plane',
  profiles: ['control-plane'],
  kinds: ['Pod'],
  frameworks: [
    { framework: 'CIS', control: '1.2.15' },
    { framework: 'NSA-CISA', control: 'Network separation: control plane hardening' },
  ],
  remediation: 'Add --profiling=false to the kube-apiserver static pod manifest.',
  scope: 'object',
  evaluate(object) {
    const read = readCommandLine(object, 'kube-apiserver');
    if (!read.ok) return read.outcome;
    const profiling = readBool(read.flags, 'profiling', true);
    if (!profiling.ok) return profiling.outcome;
    if (!profiling.value) return PASS;
    return fail(
      'ProfilingEnabled',
      profiling.set
        ? 'kube-apiserver runs with --profiling=true'
        : '--profiling is not set, and kube-apiserver defaults it to true',
    );
  },
};
