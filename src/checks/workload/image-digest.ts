/**
 * Every container image is pinned by digest (`image@sha256:...`), so the bytes that run are
 * the bytes that were reviewed and scanned, even if someone re-pushes a tag. Read: `image` of
 * init, regular and ephemeral containers. Passes only when the reference carries a valid
 * sha256, sha384 or sha512 digest; a tag alone fails. Opt-in (no profile enables it), because
 * digest pinning needs tooling that most teams add deliberately.
 */
import type { PodCheck } from '../../engine/check.js';
import { POD_KINDS } from '../../engine/pod-spec.js';
import type { ContainerRef, Problem } from './container-verdicts.js';
import { isProblem, judgeContainers, violation } from './container-verdicts.js';
import { containerImage, displayImage } from './image-reference.js';

function judge(ref: ContainerRef): Problem | undefined {
  const read = containerImage(ref);
  if (isProblem(read)) return read;
  if (read.image.digest !== undefined) return undefined;
  return violation(`${ref.label} image "${displayImage(read.written)}" is not pinned by digest`);
}

export const check: PodCheck = {
  id: 'workload.image-digest',
  title: 'Images are pinned by digest',
  description:
    'A tag can be moved to other content at any time; only a digest names exact image bytes. Every container image ' +
    'must be referenced as name@sha256:<digest>. Opt-in: enable it in a policy.',
  severity: 'low',
  category: 'workload',
  profiles: [],
  kinds: POD_KINDS,
  frameworks: [{ framework: 'NSA-CISA', control: 'Pod security: building secure container images' }],
  remediation:
    'Resolve each tag to its digest at build or deploy time (for example with crane digest or kustomize images) and ' +
    'reference the image as registry.example.com/app:1.4.2@sha256:<digest>.',
  scope: 'pod',
  evaluate(pod) {
    return judgeContainers(pod, { fail: 'ImageNotPinned', error: 'InvalidImage' }, judge);
  },
};
