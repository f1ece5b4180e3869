/**
 * Every container image names a fixed version: a tag other than `latest`, or a digest. An
 * image without a tag means `:latest`, which moves whenever someone pushes, so two replicas
 * of one Deployment can run different code and a rollback cannot restore the old one. Read:
 * `image` of init, regular and ephemeral containers, parsed as the runtime parses it (a colon
 * before the last slash is a registry port, not a tag). A digest pins the image whatever the
 * tag says, so `app:latest@sha256:...` passes. An image that is missing or does not parse is
 * an `error` naming the container.
 */
import type { PodCheck } from '../../engine/check.js';
import { POD_KINDS } from '../../engine/pod-spec.js';
import type { ContainerRef, Problem } from './container-verdicts.js';
import { isProblem, judgeContainers, violation } from './container-verdicts.js';
import { containerImage, displayImage } from './image-reference.js';

function judge(ref: ContainerRef): Problem | undefined {
  const read = containerImage(ref);
  if (isProblem(read)) return read;
  const { image, written } = read;
  if (image.digest !== undefined) return undefined;
  if (image.tag === undefined)
    return violation(`${ref.label} image "${displayImage(written)}" has no tag, so it pulls :latest`);
  if (image.tag === 'latest')
    return violation(`${ref.label} image "${displayImage(written)}" uses the mutable :latest tag`);
  return undefined;
}

export const check: PodCheck = {
  id: 'workload.image-tag',
  title: 'Images name a fixed tag, not latest',
  description:
    'An image without a tag, or tagged latest, changes whenever the repository does: replicas drift apart and ' +
    'rollbacks do not restore the old code. Every container image must carry a version tag or a digest.',
  severity: 'medium',
  category: 'workload',
  profiles: ['workloads'],
  kinds: POD_KINDS,
  frameworks: [{ framework: 'NSA-CISA', control: 'Pod security: building secure container images' }],
  remediation:
    'Reference each image by an immutable version tag (registry.example.com/app:1.4.2), or better by digest ' +
    '(registry.example.com/app@sha256:...), and update it through your deployment pipeline.',
  scope: 'pod',
  evaluate(pod) {
    return judgeContainers(pod, { fail: 'MutableImageTag', error: 'InvalidImage' }, judge);
  },
};
