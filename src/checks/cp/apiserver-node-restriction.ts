/**
 * kube-apiserver runs the NodeRestriction admission plugin, which limits each kubelet to
 * its own Node object and the pods bound to it. Without it, the credentials of one
 * compromised node can relabel other nodes (attracting sensitive workloads) or change pods
 * elsewhere. Read: `--enable-admission-plugins` (and the deprecated `--admission-control`)
 * and `--disable-admission-plugins` in the kube-apiserver static pod's command and args.
 * NodeRestriction is not on by default, so it must be listed as enabled and not disabled.
 */
import type { ObjectCheck } from '../../engine/check.js';
import { fail, PASS } from '../../engine/types.js';
import { readCommandLine } from './flags.js';

const PLUGIN = 'NodeRestriction';

export const check: ObjectCheck = {
  id: 'cp.apiserver-node-restriction',
  title: 'API server runs the NodeRestriction admission plugin',
  description:
    'NodeRestriction confines each kubelet to its own Node and pods. It is not enabled by default; without it one ' +
    "compromised node's credentials can modify other nodes and their workloads.",
  severity: 'high',
  category: 'control-plane',
  profiles: ['control-plane'],
  kinds: ['Pod'],
  frameworks: [
    { framework: 'CIS', control: '1.2.14' },
    { framework: 'NSA-CISA', control: 'Network separation: control plane hardening' },
  ],
  remediation:
    'Add NodeRestriction to --enable-admission-plugins in the kube-apiserver static pod manifest (and remove it ' +
    'from --disable-admission-plugins), with --authorization-mode including Node.',
  scope: 'object',
  evaluate(object) {
    const read = readCommandLine(object, 'kube-apiserver');
    if (!read.ok) return read.outcome;
    const { flags } = read;
    if (flags.list('disable-admission-plugins').includes(PLUGIN)) {
      return fail('NodeRestrictionDisabled', `--disable-admission-plugins includes ${PLUGIN}`);
    }
    const enabled = [...flags.list('enable-admission-plugins'), ...flags.list('admission-control')];
    if (enabled.includes(PLUGIN)) return PASS;
    return fail(
      'NodeRestrictionDisabled',
      enabled.length === 0
        ? `--enable-admission-plugins is not set, and ${PLUGIN} is not enabled by default`
        : `--enable-admission-plugins does not include ${PLUGIN}, which is not enabled by default`,
    );
  },
};
