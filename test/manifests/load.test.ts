import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { LoadOptions, LoadResult } from '../../src/manifests/load.js';
import { loadManifests } from '../../src/manifests/load.js';
import type { Diagnostic } from '../../src/engine/types.js';

const POD =
  'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  containers:\n  - name: web\n    image: web:1\n';

/** Writes `files` (path → content) into a fresh folder and loads `paths` relative to it. */
async function loadTree(
  files: Record<string, string>,
  paths: readonly string[],
  options: LoadOptions = {},
): Promise<LoadResult> {
  const dir = await mkdtemp(join(tmpdir(), 'bulwark-load-'));
  try {
    for (const [path, content] of Object.entries(files)) {
      await mkdir(join(dir, path, '..'), { recursive: true });
      await writeFile(join(dir, path), content);
    }
    return await loadManifests(paths, { cwd: dir, ...options });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What the tests compare: each object as kind/name@file#document:line. */
function summary(result: LoadResult): { objects: string[]; policies: string[]; diagnostics: Diagnostic[] } {
  const label = ({ object, source }: LoadResult['objects'][number]): string =>
    `${String(object.kind)}/${String(object.metadata?.name)}@${source.file}#${source.document}:${source.line}${source.item !== undefined ? `[${source.item}]` : ''}`;
  return {
    objects: result.objects.map(label),
    policies: result.policies.map(label),
    diagnostics: result.diagnostics,
  };
}

interface Case {
  readonly name: string;
  readonly files: Record<string, string>;
  readonly paths?: readonly string[];
  readonly objects: string[];
  readonly policies?: string[];
  readonly diagnostics?: Diagnostic[];
}

describe('loading manifests', () => {
  const cases: Case[] = [
    {
      name: 'a multi-document YAML file',
      files: {
        'app.yaml': `${POD}---\n# second\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n  namespace: shop\n`,
      },
      objects: ['Pod/web@app.yaml#1:1', 'ServiceAccount/web@app.yaml#2:12'],
    },
    {
      name: 'a folder, recursively, in name order, skipping hidden entries, node_modules and other files',
      files: {
        'b/pod.yml': POD,
        'a/pod.json': JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' } }),
        'a/README.md': '# not a manifest',
        '.git/config.yaml': POD,
        '.hidden.yaml': POD,
        'node_modules/x/pod.yaml': POD,
      },
      paths: ['.'],
      objects: ['Pod/a@a/pod.json#1:1', 'Pod/web@b/pod.yml#1:1'],
    },
    {
      name: 'a file named explicitly, whatever its extension',
      files: { 'pod.txt': POD },
      paths: ['pod.txt'],
      objects: ['Pod/web@pod.txt#1:1'],
    },
    {
      name: 'the same file given twice is read once',
      files: { 'pod.yaml': POD },
      paths: ['pod.yaml', '.', './pod.yaml'],
      objects: ['Pod/web@pod.yaml#1:1'],
    },
    {
      name: 'a v1 List in JSON',
      files: {
        'list.json': JSON.stringify({
          apiVersion: 'v1',
          kind: 'List',
          items: [
            { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' } },
            { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'b' } },
          ],
        }),
      },
      objects: ['Pod/a@list.json#1:1[0]', 'ServiceAccount/b@list.json#1:1[1]'],
    },
    {
      name: 'a typed list whose items carry no kind, as the API returns them',
      files: {
        'pods.yaml': 'apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: a}\n- metadata: {name: b}\n',
      },
      objects: ['Pod/a@pods.yaml#1:1[0]', 'Pod/b@pods.yaml#1:1[1]'],
    },
    {
      name: 'JSON in a .yaml file',
      files: {
        'pod.yaml': JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'j' } }, null, 2),
      },
      objects: ['Pod/j@pod.yaml#1:1'],
    },
    {
      name: 'a SecurityPolicy is set aside, not scanned',
      files: {
        'policy.yaml': `apiVersion: bulwark.dev/v1alpha1\nkind: SecurityPolicy\nmetadata:\n  name: prod\n---\n${POD}`,
      },
      objects: ['Pod/web@policy.yaml#2:6'],
      policies: ['SecurityPolicy/prod@policy.yaml#1:1'],
    },
    {
      name: 'kustomization.yaml is tool configuration, skipped silently',
      files: {
        'kustomization.yaml':
          'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [pod.yaml]\n',
        'pod.yaml': POD,
      },
      objects: ['Pod/web@pod.yaml#1:1'],
    },
    {
      name: 'generateName stands in for a missing name',
      files: { 'job.yaml': 'apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: migrate-\n' },
      objects: ['Job/migrate-@job.yaml#1:1'],
    },
    {
      name: 'a malformed document is reported and the rest still read',
      files: {
        'app.yaml': `${POD}---\nkind: Pod\nmetadata:\n  name: x\n   labels: {}\n---\n${POD.replace('web', 'api')}`,
      },
      objects: ['Pod/web@app.yaml#1:1', 'Pod/api@app.yaml#3:16'],
      diagnostics: [
        {
          severity: 'error',
          path: 'app.yaml#2',
          message: 'line 14, column 10: bad indentation of a mapping entry',
        },
      ],
    },
    {
      name: 'invalid JSON, with line and column',
      files: { 'bad.json': '{\n  "kind": "Pod",\n  "metadata": {"name": "x",}\n}\n' },
      objects: [],
      diagnostics: [
        {
          severity: 'error',
          path: 'bad.json#1',
          message: 'line 3, column 28: invalid JSON: Expected double-quoted property name',
        },
      ],
    },
    {
      name: 'objects missing apiVersion, kind or name',
      files: {
        'broken.yaml':
          'kind: Pod\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Pod\nmetadata: {}\n---\napiVersion: v1\nmetadata:\n  name: c\n',
      },
      objects: [],
      diagnostics: [
        {
          severity: 'error',
          path: 'broken.yaml#1',
          message: 'line 1: skipped: Pod object has no apiVersion',
        },
        {
          severity: 'error',
          path: 'broken.yaml#2',
          message: 'line 5: skipped: Pod object has no metadata.name',
        },
        { severity: 'error', path: 'broken.yaml#3', message: 'line 9: skipped: object has no kind' },
      ],
    },
    {
      name: 'documents that are no Kubernetes objects are skipped with a warning',
      files: { 'values.yaml': 'replicaCount: 2\nimage: {tag: latest}\n---\n- a\n- b\n---\njust text\n' },
      objects: [],
      diagnostics: [
        {
          severity: 'warning',
          path: 'values.yaml#1',
          message: 'line 1: skipped: no apiVersion or kind, so not a Kubernetes object',
        },
        {
          severity: 'warning',
          path: 'values.yaml#2',
          message: 'line 4: skipped: the document is a list, not a Kubernetes object',
        },
        {
          severity: 'warning',
          path: 'values.yaml#3',
          message: 'line 7: skipped: the document is a string, not a Kubernetes object',
        },
      ],
    },
    {
      name: 'List items that are not objects',
      files: {
        'list.yaml':
          'apiVersion: v1\nkind: List\nitems:\n- 42\n- apiVersion: v1\n  kind: List\n  items: []\n',
      },
      objects: [],
      diagnostics: [
        {
          severity: 'error',
          path: 'list.yaml#1',
          message: 'line 1: items[0]: skipped: the item is a number, not a Kubernetes object',
        },
        {
          severity: 'error',
          path: 'list.yaml#1',
          message: 'line 1: items[1]: skipped: a List inside a List',
        },
      ],
    },
    {
      name: 'a path that does not exist',
      files: { 'pod.yaml': POD },
      paths: ['missing.yaml', 'pod.yaml'],
      objects: ['Pod/web@pod.yaml#1:1'],
      diagnostics: [
        { severity: 'error', path: 'missing.yaml', message: 'cannot read: no such file or directory' },
      ],
    },
    {
      name: 'a folder without manifests',
      files: { 'docs/README.md': 'hello' },
      paths: ['docs'],
      objects: [],
      diagnostics: [{ severity: 'warning', path: 'docs', message: 'no *.yaml, *.yml or *.json files found' }],
    },
    { name: 'an empty file', files: { 'empty.yaml': '' }, objects: [] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const result = await loadTree(c.files, c.paths ?? Object.keys(c.files));
      assert.deepEqual(summary(result), {
        objects: c.objects,
        policies: c.policies ?? [],
        diagnostics: c.diagnostics ?? [],
      });
    });
  }

  it('reads stdin for -', async () => {
    const result = await loadManifests(['-'], { stdin: Readable.from([POD.slice(0, 20), POD.slice(20)]) });
    assert.deepEqual(summary(result).objects, ['Pod/web@<stdin>#1:1']);
  });

  it('says so when - is given and there is no stdin', async () => {
    const result = await loadManifests(['-'], {});
    assert.deepEqual(result.diagnostics, [
      { severity: 'error', path: '<stdin>', message: 'no standard input to read' },
    ]);
  });

  it('reads big files in pieces with the same documents, lines and errors as whole', async () => {
    const docs: string[] = [];
    for (let i = 0; i < 60; i++) docs.push(i === 17 ? 'a: [1,\n' : `${POD.replace('web', `pod-${i}`)}`);
    const text = docs.join('---\n');
    const whole = await loadTree({ 'big.yaml': text }, ['big.yaml']);
    for (const pieceSize of [1, 100, 1000]) {
      const pieces = await loadTree({ 'big.yaml': text }, ['big.yaml'], { wholeFileLimit: 10, pieceSize });
      assert.deepEqual(summary(pieces), summary(whole), `piece size ${pieceSize}`);
      assert.equal(pieces.documents, 60);
    }
    assert.equal(whole.objects.length, 59);
    assert.equal(whole.diagnostics.length, 1);
  });

  it('reads big stdin in pieces', async () => {
    const text = [POD, POD.replace('web', 'api')].join('---\n');
    const result = await loadManifests(['-'], {
      stdin: Readable.from([text]),
      wholeFileLimit: 10,
      pieceSize: 50,
    });
    assert.deepEqual(summary(result).objects, ['Pod/web@<stdin>#1:1', 'Pod/api@<stdin>#2:11']);
  });

  it('follows symbolic links without looping', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bulwark-load-'));
    try {
      await mkdir(join(dir, 'm'));
      await writeFile(join(dir, 'm', 'pod.yaml'), POD);
      await symlink(join(dir, 'm'), join(dir, 'm', 'loop'));
      const result = await loadManifests(['m'], { cwd: dir });
      assert.deepEqual(summary(result).objects, ['Pod/web@m/pod.yaml#1:1']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports progress per file', async () => {
    const seen: number[] = [];
    await loadTree({ 'a.yaml': POD, 'b.yaml': POD.replace('web', 'b') }, ['.'], {
      onProgress: (p) => seen.push(p.filesDone),
    });
    assert.deepEqual(seen, [1, 2]);
  });

  describe('on several threads', () => {
    // Every kind of input the reader handles, spread over files so each thread gets several.
    const files: Record<string, string> = {
      'a/pods.yaml': [POD, POD.replace('web', 'api'), 'a: [1,\n', 'just: values\n'].join('---\n'),
      'a/list.json': JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa', namespace: 'shop' } }, 7],
      }),
      'b/typed.yaml':
        'apiVersion: v1\nkind: PodList\nitems:\n- metadata:\n    name: listed\n    namespace: shop\n',
      'b/values.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: odd\n  namespace: shop\ndata:\n  inf: .inf\n  nan: .NaN\n',
      'c/policy.yaml': 'apiVersion: bulwark.dev/v1alpha1\nkind: SecurityPolicy\nmetadata:\n  name: p\n',
      'c/broken.json': '{"apiVersion": "v1", "kind": ',
      // Pods in every folder, so that runs split by size each hold objects.
      ...Object.fromEntries(
        ['a', 'b', 'c', 'd'].map((folder) => [
          `${folder}/many.yaml`,
          Array.from({ length: 10 }, (_, i) => POD.replace('web', `${folder}-${i}`)).join('---\n'),
        ]),
      ),
      'd/nameless.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n',
    };

    it('reads the same objects, sources, values and diagnostics, in the same order, as one thread', async () => {
      const one = await loadTree(files, ['.']);
      assert.ok(
        one.objects.length > 40 && one.diagnostics.length >= 3,
        'the input exercises objects and diagnostics',
      );
      for (const threads of [2, 3, 8]) {
        const many = await loadTree(files, ['.'], { threads, parallelMinBytes: 0 });
        assert.deepStrictEqual(many, one, `${threads} threads`);
      }
    });

    it('keeps values YAML makes that JSON could not carry', async () => {
      const many = await loadTree(files, ['.'], { threads: 2, parallelMinBytes: 0 });
      const odd = many.objects.find(({ object }) => object.metadata?.name === 'odd');
      const data = odd?.object['data'] as Record<string, unknown> | undefined;
      assert.equal(data?.['inf'], Infinity);
      assert.ok(Number.isNaN(data['nan']));
    });

    it('counts progress over all threads up to every file', async () => {
      const seen: number[] = [];
      await loadTree(files, ['.'], {
        threads: 2,
        parallelMinBytes: 0,
        onProgress: (p) => seen.push(p.filesDone),
      });
      assert.equal(Math.max(...seen), Object.keys(files).length);
      assert.equal(seen[seen.length - 1], Object.keys(files).length);
    });

    it('reads everything here when stdin is among the inputs', async () => {
      const result = await loadTree(files, ['-', '.'], {
        threads: 2,
        parallelMinBytes: 0,
        stdin: Readable.from([POD.replace('web', 'piped')]),
      });
      assert.equal(result.objects[0]?.source.file, '<stdin>');
      assert.equal(result.files, Object.keys(files).length + 1);
    });
  });
});
