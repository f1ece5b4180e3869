/**
 * kube-apiserver refuses anonymous requests (`--anonymous-auth=false`). With anonymous
 * authentication on, any request without credentials runs as `system:anonymous`, and one
 * careless binding to that user or to `system:unauthenticated` opens the API to anyone who
 * can reach it. Read: `--anonymous-auth` in the kube-apiserver static pod's command and args.
 * Passes only when false; unset fails, because the server defaults it to true. When the flag
 * is unset and `--authentication-config` names a structured configuration, anonymous access
 * is decided in that file, which the pod does not show, so the check is skipped.
 */
import type { ObjectCheck } from '../../engine/check.js';
import { fail, PASS, skip } from '../../engine/types.js';
import { isSet, readBool, readCommandLine } from './flags.js';

export const check: ObjectCheck = {
  id: 'cp.apiserver-anonymous-auth',
  title: 'API server refuses anonymous requests',
  description:
    'With --anonymous-auth left at its default (true), requests without credentials are served as system:anonymous; ' +
    'any binding to that user or to system:unauthenticated then exposes the API to everyone who can reach it.',
  severity: 'medium',
  category: 'control-plane',
  profiles: ['control-plane'],
  kinds: ['Pod'],
  frameworks: [
    { framework: 'CIS', control: '1.2.1' },
    { framework: 'NSA-CISA', control: 'Authentication and authorization: authentication' },
  ],
  remediation:
    'Add --anonymous-auth=false to the kube-apiserver static pod manifest (/etc/kubernetes/manifests/kube-apiserver.yaml ' +
    'on kubeadm clusters). Health probes that relied on anonymous access must then authenticate, or use an ' +
    'AuthenticationConfiguration that allows anonymous requests only to /livez, /readyz and /healthz.',
  scope: 'object',
  evaluate(object) {
    const read = readCommandLine(object, 'kube-apiserver');
    if (!read.ok) return read.outcome;
    const flags = read.flags;
    const anonymous = readBool(flags, 'anonymous-auth', true);
    if (!anonymous.ok) return anonymous.outcome;
    if (!anonymous.value) return PASS;
    if (anonymous.set) return fail('AnonymousAuthEnabled', 'kube-apiserver runs with --anonymous-auth=true');
    if (isSet(flags, 'authentication-config')) {
      return skip(
        'anonymous authentication is configured in the --authentication-config file, which the pod does not show',
      );
    }
    return fail(
      'AnonymousAuthEnabled',
      '--anonymous-auth is not set, and kube-apiserver defaults it to true',
    );
  },
};
