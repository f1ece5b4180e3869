import assert from 'node:assert/strict';
import type { ImageParse } from '../../../src/checks/workload/image-reference.js';
import { isRegistryAllowed, parseImageReference } from '../../../src/checks/workload/image-reference.js';

const HEX = 'a'.repeat(64);

interface Case {
  readonly name: string;
  readonly input: string;
  readonly expected: ImageParse;
}

function ok(registry: string, path: string, extra: { tag?: string; digest?: string } = {}): ImageParse {
  return { ok: true, image: { registry, path, repository: `${registry}/${path}`, ...extra } };
}

function bad(problem: string): ImageParse {
  return { ok: false, problem };
}

const cases: Case[] = [
  { name: 'an official image', input: 'nginx', expected: ok('docker.io', 'library/nginx') },
  {
    name: 'an official image with a tag',
    input: 'nginx:1.25',
    expected: ok('docker.io', 'library/nginx', { tag: '1.25' }),
  },
  {
    name: 'a Docker Hub namespace is not a registry',
    input: 'bitnami/redis:7',
    expected: ok('docker.io', 'bitnami/redis', { tag: '7' }),
  },
  { name: 'docker.io is normalized', input: 'docker.io/nginx', expected: ok('docker.io', 'library/nginx') },
  {
    name: 'index.docker.io is docker.io',
    input: 'index.docker.io/library/nginx:1',
    expected: ok('docker.io', 'library/nginx', { tag: '1' }),
  },
  { name: 'localhost is a registry', input: 'localhost/app', expected: ok('localhost', 'app') },
  { name: 'a port is not a tag', input: 'localhost:5000/app', expected: ok('localhost:5000', 'app') },
  {
    name: 'a port and a tag',
    input: 'registry.example.com:5000/team/app:2.0',
    expected: ok('registry.example.com:5000', 'team/app', { tag: '2.0' }),
  },
  {
    name: 'a host alone is a Docker Hub image with a tag',
    input: 'localhost:5000',
    expected: ok('docker.io', 'library/localhost', { tag: '5000' }),
  },
  { name: 'an uppercase first component is a host', input: 'Registry/app', expected: ok('Registry', 'app') },
  { name: 'an IPv6 registry', input: '[::1]:5000/app:1', expected: ok('[::1]:5000', 'app', { tag: '1' }) },
  {
    name: 'a digest',
    input: `nginx@sha256:${HEX}`,
    expected: ok('docker.io', 'library/nginx', { digest: `sha256:${HEX}` }),
  },
  {
    name: 'a tag and a digest',
    input: `ghcr.io/acme/app:1.0@sha256:${HEX}`,
    expected: ok('ghcr.io', 'acme/app', { tag: '1.0', digest: `sha256:${HEX}` }),
  },
  {
    name: 'a sha512 digest',
    input: `app@sha512:${'b'.repeat(128)}`,
    expected: ok('docker.io', 'library/app', { digest: `sha512:${'b'.repeat(128)}` }),
  },
  {
    name: 'separators in paths',
    input: 'gcr.io/my-project/app__x.y-z',
    expected: ok('gcr.io', 'my-project/app__x.y-z'),
  },
  { name: 'invalid: empty', input: '', expected: bad('it is empty') },
  {
    name: 'invalid: uppercase repository',
    input: 'Nginx',
    expected: bad('the repository name must be lowercase'),
  },
  { name: 'invalid: empty tag', input: 'nginx:', expected: bad('tag "" is not a valid tag') },
  {
    name: 'invalid: short digest',
    input: 'nginx@sha256:abc',
    expected: bad('digest is not 64 lowercase hex digits'),
  },
  {
    name: 'invalid: unknown digest algorithm',
    input: `nginx@md5:${HEX}`,
    expected: bad('digest algorithm "md5" is not sha256, sha384 or sha512'),
  },
  {
    name: 'invalid: a digest algorithm named like an object property',
    input: `nginx@constructor:${HEX}`,
    expected: bad('digest algorithm "constructor" is not sha256, sha384 or sha512'),
  },
  {
    name: 'invalid: digest without algorithm',
    input: 'nginx@abc',
    expected: bad('digest "abc" is not algorithm:hex'),
  },
  {
    name: 'invalid: empty path component',
    input: 'example.com/a//b',
    expected: bad('path component "" is not valid'),
  },
  { name: 'invalid: no repository', input: ':1', expected: bad('it has no repository name') },
  { name: 'invalid: registry only', input: 'example.com/', expected: bad('it has no repository path') },
  { name: 'invalid: whitespace', input: ' nginx', expected: bad('it has leading or trailing whitespace') },
  {
    name: 'invalid: underscore in host',
    input: 'my_registry.com/app',
    expected: bad('registry "my_registry.com" is not a valid host'),
  },
  { name: 'invalid: space in tag', input: 'nginx:1 2', expected: bad('tag "1 2" is not a valid tag') },
  { name: 'invalid: huge input', input: 'a'.repeat(5000), expected: bad('it is too long') },
];

describe('workload image references', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepStrictEqual(parseImageReference(c.input), c.expected);
    });
  }
});

interface AllowCase {
  readonly name: string;
  readonly entry: string;
  readonly image: string;
  readonly allowed: boolean;
}

const allowCases: AllowCase[] = [
  {
    name: 'a host matches its images',
    entry: 'registry.example.com',
    image: 'registry.example.com/a/b:1',
    allowed: true,
  },
  {
    name: 'a host does not match a longer host',
    entry: 'registry.example.com',
    image: 'registry.example.com.evil.io/a:1',
    allowed: false,
  },
  {
    name: 'a host does not match another port',
    entry: 'registry.example.com',
    image: 'registry.example.com:5000/a:1',
    allowed: false,
  },
  {
    name: 'host matching ignores case',
    entry: 'Registry.Example.com',
    image: 'registry.example.com/a:1',
    allowed: true,
  },
  { name: 'a prefix with a slash', entry: 'ghcr.io/acme/', image: 'ghcr.io/acme/app:1', allowed: true },
  {
    name: 'a prefix with a slash excludes other organisations',
    entry: 'ghcr.io/acme/',
    image: 'ghcr.io/evil/app:1',
    allowed: false,
  },
  {
    name: 'official images normalize to docker.io/library/',
    entry: 'docker.io/library/',
    image: 'nginx:1',
    allowed: true,
  },
  {
    name: 'index.docker.io entries normalize',
    entry: 'index.docker.io/library/',
    image: 'nginx:1',
    allowed: true,
  },
  {
    name: 'docker.io as a host admits all of Docker Hub',
    entry: 'docker.io',
    image: 'bitnami/redis:7',
    allowed: true,
  },
  { name: 'an empty entry matches nothing', entry: ' ', image: 'nginx', allowed: false },
];

describe('workload registry allow-list entries', () => {
  for (const c of allowCases) {
    it(c.name, () => {
      const parsed = parseImageReference(c.image);
      assert.ok(parsed.ok);
      assert.equal(isRegistryAllowed(c.entry, parsed.image), c.allowed);
    });
  }
});
