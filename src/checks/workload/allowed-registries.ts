/**
 * Every container image comes from a registry the policy allows (parameter `registries`).
 * An entry without a slash names a registry host and matches it exactly (`registry.example.com`
 * never admits `registry.example.com.evil.io`); an entry with a slash is a prefix of the
 * normalized repository `registry/path` (`ghcr.io/acme/` admits that organisation only). Images
 * are normalized as the runtime does: `nginx` is `docker.io/library/nginx`, and
 * `index.docker.io` is `docker.io`. Read: `image` of init, regular and ephemeral containers.
 * Opt-in: a policy enables it with its list; an empty list is an `error`, not a pass.
 */
import type { PodCheck } from '../../engine/check.js';
import { param } from '../../engine/check.js';
import { POD_KINDS } from '../../engine/pod-spec.js';
import { checkError } from '../../engine/types.js';
import type { ContainerRef, Problem } from './container-verdicts.js';
import { isProblem, judgeContainers, violation } from './container-verdicts.js';
import { containerImage, displayImage, isRegistryAllowed } from './image-reference.js';

function judge(ref: ContainerRef, registries: readonly string[]): Problem | undefined {
  const read = containerImage(ref);
  if (isProblem(read)) return read;
  if (registries.some((entry) => isRegistryAllowed(entry, read.image))) return undefined;
  return violation(
    `${ref.label} image "${displayImage(read.written)}" (${displayImage(read.image.repository)}) is not from an allowed registry`,
  );
}

export const check: PodCheck = {
  id: 'workload.allowed-registries',
  title: 'Images come from allowed registries',
  description:
    'Images from arbitrary registries bypass the scanning, signing and retention an organisation applies to its own. ' +
    'Every container image must come from a registry (or repository prefix) in the registries parameter. Opt-in: a ' +
    'policy enables it with its list.',
  severity: 'high',
  category: 'workload',
  profiles: [],
  kinds: POD_KINDS,
  frameworks: [
    { framework: 'CIS', control: '5.5.1' },
    { framework: 'NSA-CISA', control: 'Pod security: building secure container images' },
  ],
  remediation:
    'Mirror or rebuild the image into an allowed registry and reference it from there, or add the registry to the ' +
    "policy's registries parameter if it is trusted.",
  params: {
    registries: {
      type: 'string[]',
      description:
        'Allowed registries: a host (registry.example.com) matches that registry exactly; an entry with a slash ' +
        '(ghcr.io/acme/, docker.io/library/) is a prefix of the normalized repository registry/path.',
      default: [],
    },
  },
  scope: 'pod',
  evaluate(pod, ctx) {
    const configured: unknown = param(ctx, check, 'registries');
    const registries = Array.isArray(configured)
      ? configured.filter((entry): entry is string => typeof entry === 'string' && entry.trim() !== '')
      : [];
    if (registries.length === 0) return checkError('NoRegistriesConfigured', 'no registries configured');
    return judgeContainers(pod, { fail: 'RegistryNotAllowed', error: 'InvalidImage' }, (ref) =>
      judge(ref, registries),
    );
  },
};
