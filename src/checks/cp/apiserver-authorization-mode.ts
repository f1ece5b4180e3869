/**
 * kube-apiserver authorizes requests with the Node and RBAC authorizers and never with
 * AlwaysAllow. AlwaysAllow grants every authenticated request everything; without Node,
 * kubelets are not confined to their own node's objects; without RBAC, Roles and bindings
 * mean nothing. Read: `--authorization-mode` in the kube-apiserver static pod's command and
 * args (a list flag: repeated occurrences accumulate). Unset fails, because the server then
 * defaults to AlwaysAllow. When `--authorization-config` names a structured configuration
 * instead, the authorizers are defined in that file, which the pod does not show, so the
 * check is skipped.
 */
import type { ObjectCheck } from '../../engine/check.js';
import { fail, PASS, skip } from '../../engine/types.js';
import { isSet, readCommandLine } from './flags.js';

const REQUIRED_MODES = ['Node', 'RBAC'] as const;

export const check: ObjectCheck = {
  id: 'cp.apiserver-authorization-mode',
  title: 'API server authorizes with Node and RBAC, never AlwaysAllow',
  description:
    '--authorization-mode decides who may do what. AlwaysAllow (the default when the flag is unset) lets every ' +
    'authenticated request do anything; Node confines kubelets to their own objects; RBAC makes Roles and bindings ' +
    'take effect. The mode list must include Node and RBAC and must not include AlwaysAllow.',
  severity: 'critical',
  category: 'control-plane',
  profiles: ['control-plane'],
  kinds: ['Pod'],
  frameworks: [
    { framework: 'CIS', control: '1.2.6' },
    { framework: 'CIS', control: '1.2.7' },
    { framework: 'CIS', control: '1.2.8' },
    { framework: 'NSA-CISA', control: 'Authentication and authorization: role-based access control' },
  ],
  remediation:
    'Set --authorization-mode=Node,RBAC (optionally followed by Webhook) in the kube-apiserver static pod manifest, ' +
    'and remove AlwaysAllow.',
  scope: 'object',
  evaluate(object) {
    const read = readCommandLine(object, 'kube-apiserver');
    if (!read.ok) return read.outcome;
    const modes = read.flags.list('authorization-mode');
    if (modes.length === 0) {
      if (isSet(read.flags, 'authorization-config')) {
        return skip(
          'authorizers are configured in the --authorization-config file, which the pod does not show',
        );
      }
      return fail(
        'WeakAuthorization',
        '--authorization-mode is not set, and kube-apiserver defaults it to AlwaysAllow',
      );
    }
    const problems: string[] = [];
    if (modes.includes('AlwaysAllow')) problems.push('allows every request (AlwaysAllow)');
    const missing = REQUIRED_MODES.filter((mode) => !modes.includes(mode));
    if (missing.length > 0) problems.push(`does not include ${missing.join(' or ')}`);
    if (problems.length === 0) return PASS;
    return fail('WeakAuthorization', `--authorization-mode=${modes.join(',')} ${problems.join(' and ')}`);
  },
};
