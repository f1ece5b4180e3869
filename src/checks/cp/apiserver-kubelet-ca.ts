/**
 * kube-apiserver verifies the serving certificate of each kubelet it connects to
 * (`--kubelet-certificate-authority`). It calls kubelets for `kubectl exec`, `logs` and
 * `port-forward`; without a CA to check against, anyone who can intercept that traffic can
 * impersonate a kubelet and read or inject what passes through. Read:
 * `--kubelet-certificate-authority` in the kube-apiserver static pod's command and args; any
 * non-empty path passes. (Kubelets then need serving certificates signed by that CA, for
 * example with serverTLSBootstrap.)
 */
import type { ObjectCheck } from '../../engine/check.js';
import { fail, PASS } from '../../engine/types.js';
import { isSet, readCommandLine } from './flags.js';

export const check: ObjectCheck = {
  id: 'cp.apiserver-kubelet-ca',
  title: 'API server verifies kubelet certificates',
  description:
    'Without --kubelet-certificate-authority, kube-apiserver does not verify kubelet serving certificates, so its ' +
    'exec, logs and port-forward connections to nodes can be intercepted by an impersonator.',
  severity: 'medium',
  category: 'control-plane',
  profiles: ['control-plane'],
  kinds: ['Pod'],
  frameworks: [
    { framework: 'CIS', control: '1.2.5' },
    { framework: 'NSA-CISA', control: 'Network separation: control plane hardening' },
  ],
  remediation:
    'Give kubelets serving certificates signed by a cluster CA (serverTLSBootstrap: true and approved CSRs), then ' +
    'set --kubelet-certificate-authority to that CA bundle in the kube-apiserver static pod manifest.',
  scope: 'object',
  evaluate(object) {
    const read = readCommandLine(object, 'kube-apiserver');
    if (!read.ok) return read.outcome;
    if (isSet(read.flags, 'kubelet-certificate-authority')) return PASS;
    return fail(
      'KubeletNotVerified',
      '--kubelet-certificate-authority is not set, so kube-apiserver does not verify kubelet serving certificates',
    );
  },
};
