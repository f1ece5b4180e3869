/**
 * Container image references as the container runtime reads them (the grammar of
 * distribution/reference, which containerd and CRI-O share): `[registry/]path[:tag][@digest]`.
 * The image checks judge the normalized reference, so `nginx`, `docker.io/nginx` and
 * `index.docker.io/library/nginx` are one repository, and `host:5000/app` has a registry port,
 * not a tag.
 */
import type { ContainerRef, Problem } from './container-verdicts.js';
import { malformed } from './container-verdicts.js';

export interface ImageReference {
  /** Registry host, with port if any; `docker.io` when the reference names none. */
  readonly registry: string;
  /** Repository path inside the registry; Docker Hub's official images get `library/`. */
  readonly path: string;
  /** `registry/path`, the fully qualified repository. */
  readonly repository: string;
  readonly tag?: string;
  /** `algorithm:hex`, validated. */
  readonly digest?: string;
}

export type ImageParse =
  { readonly ok: true; readonly image: ImageReference } | { readonly ok: false; readonly problem: string };

export const DEFAULT_REGISTRY = 'docker.io';
const LEGACY_DEFAULT_REGISTRY = 'index.docker.io';
const OFFICIAL_REPOSITORY_PREFIX = 'library/';
// The runtime refuses longer repository names; an absurdly long string is not worth parsing.
const MAX_NAME_LENGTH = 255;
const MAX_INPUT_LENGTH = 4096;

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const REGISTRY = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`,
);
const TAG = /^[\w][\w.-]{0,127}$/;
// go-digest accepts only the algorithms it can verify, each with its exact hex length.
const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

/** Whether the first path component names a registry rather than a Docker Hub namespace. */
function isRegistryComponent(component: string): boolean {
  return (
    component.includes('.') ||
    component.includes(':') ||
    component === 'localhost' ||
    // Repository paths are lowercase, so an uppercase first component can only be a host.
    component.toLowerCase() !== component
  );
}

function invalid(problem: string): ImageParse {
  return { ok: false, problem };
}

function checkDigest(digest: string): string | undefined {
  const colon = digest.indexOf(':');
  if (colon <= 0) return `digest "${displayImage(digest)}" is not algorithm:hex`;
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  const length = Object.hasOwn(DIGEST_HEX_LENGTH, algorithm) ? DIGEST_HEX_LENGTH[algorithm] : undefined;
  if (length === undefined)
    return `digest algorithm "${displayImage(algorithm)}" is not sha256, sha384 or sha512`;
  if (hex.length !== length || !/^[a-f0-9]+$/.test(hex))
    return `digest is not ${length} lowercase hex digits`;
  return undefined;
}

export function parseImageReference(input: string): ImageParse {
  if (input === '') return invalid('it is empty');
  if (input.length > MAX_INPUT_LENGTH) return invalid('it is too long');
  if (input !== input.trim()) return invalid('it has leading or trailing whitespace');

  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    const problem = checkDigest(digest);
    if (problem !== undefined) return invalid(problem);
  }

  // A colon after the last slash starts the tag; one before it is a registry port.
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return invalid(`tag "${displayImage(tag)}" is not a valid tag`);
  }
  if (rest === '') return invalid('it has no repository name');
  if (rest.length > MAX_NAME_LENGTH)
    return invalid(`the repository name is longer than ${MAX_NAME_LENGTH} characters`);

  let registry = DEFAULT_REGISTRY;
  let path = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0 && isRegistryComponent(rest.slice(0, slash))) {
    registry = rest.slice(0, slash);
    path = rest.slice(slash + 1);
    if (!REGISTRY.test(registry)) return invalid(`registry "${displayImage(registry)}" is not a valid host`);
  }
  if (registry === LEGACY_DEFAULT_REGISTRY) registry = DEFAULT_REGISTRY;
  if (path === '') return invalid('it has no repository path');
  for (const component of path.split('/')) {
    if (!PATH_COMPONENT.test(component)) {
      return invalid(
        component.toLowerCase() !== component
          ? 'the repository name must be lowercase'
          : `path component "${displayImage(component)}" is not valid`,
      );
    }
  }
  if (registry === DEFAULT_REGISTRY && !path.includes('/')) path = OFFICIAL_REPOSITORY_PREFIX + path;

  return {
    ok: true,
    image: {
      registry,
      path,
      repository: `${registry}/${path}`,
      ...(tag !== undefined ? { tag } : {}),
      ...(digest !== undefined ? { digest } : {}),
    },
  };
}

/**
 * Whether an allow-list entry covers a repository. An entry without a slash names a registry
 * host and matches it exactly, so `registry.example.com` never admits
 * `registry.example.com.evil.io`. An entry with a slash is a prefix of the normalized
 * `registry/path`: `ghcr.io/acme/` admits every repository of that organisation, and Docker
 * Hub's official images are `docker.io/library/...`, as the runtime names them.
 */
export function isRegistryAllowed(entry: string, image: ImageReference): boolean {
  const trimmed = entry.trim();
  if (trimmed === '') return false;
  const registry = normalizeRegistry(image.registry);
  const slash = trimmed.indexOf('/');
  if (slash < 0) return normalizeRegistry(trimmed) === registry;
  const prefix = normalizeRegistry(trimmed.slice(0, slash)) + trimmed.slice(slash);
  return `${registry}/${image.path}`.startsWith(prefix);
}

function normalizeRegistry(host: string): string {
  const lower = host.toLowerCase();
  return lower === LEGACY_DEFAULT_REGISTRY ? DEFAULT_REGISTRY : lower;
}

/** Part of an image as written, shortened for messages: a report must stay small whatever the input. */
export function displayImage(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** A container's image, parsed, or the `error` problem that stops every image check. */
export function containerImage(
  ref: ContainerRef,
): { readonly image: ImageReference; readonly written: string } | Problem {
  const written: unknown = ref.container.image;
  if (written === undefined || written === null || written === '')
    return malformed(`${ref.label} has no image`);
  if (typeof written !== 'string') return malformed(`${ref.label}: image is not a string`);
  const parsed = parseImageReference(written);
  if (!parsed.ok) {
    return malformed(
      `${ref.label}: image "${displayImage(written)}" is not a valid image reference (${parsed.problem})`,
    );
  }
  return { image: parsed.image, written };
}
