import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dump, loadAll } from 'js-yaml';
import { isFastPathText, parseFastYaml, YamlLines } from '../../src/manifests/fast-yaml.js';

/** The fast path's answer for a whole text, as the document reader asks: a value, or undefined when it declines. */
function fast(text: string): unknown {
  if (!isFastPathText(text)) return undefined;
  const lines = new YamlLines(text);
  return parseFastYaml(lines, 0, lines.count);
}

/** The fast path must agree with js-yaml whenever it answers, and never answer where js-yaml fails. */
function assertAgrees(text: string): 'answered' | 'declined' {
  const value = fast(text);
  let expected: unknown;
  let failed = false;
  try {
    // One document (or none, which the reader treats as null); several would have been split apart.
    const documents = loadAll(text);
    if (documents.length > 1) failed = true;
    expected = documents.length === 0 ? null : documents[0];
  } catch {
    failed = true;
  }
  if (value === undefined) return 'declined';
  assert.ok(!failed, `fast path answered where js-yaml fails:\n${text}`);
  assert.deepEqual(value, expected, `disagrees with js-yaml on:\n${text}`);
  return 'answered';
}

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
  labels:
    app.kubernetes.io/name: web
spec:
  containers:
  - name: web
    image: "registry.example.com/web:1.2.3"
    args: ['--port', "8080"]
    ports:
    - containerPort: 8080
    resources: {limits: {cpu: "1", memory: 512Mi}}
    securityContext:
      runAsNonRoot: true
      runAsUser: 1000
`;

const CONFIG = `kind: ConfigMap
data:
  script: |
    #!/bin/sh
      echo "indented"

    exit 0
  short: |-
    one
  list:
  - a: 1
    b: [x, {y: z}]
  -
    - nested
  empty:
  quoted: 'a''b'
# trailing comment
`;

describe('fast YAML path', () => {
  const cases: { name: string; yaml: string; expect: 'answered' | 'declined' }[] = [
    { name: 'a typical pod', yaml: POD, expect: 'answered' },
    { name: 'literal blocks, nested and compact sequences', yaml: CONFIG, expect: 'answered' },
    { name: 'an empty document', yaml: '', expect: 'answered' },
    { name: 'comments only', yaml: '# nothing\n  # here\n', expect: 'answered' },
    { name: 'a leading --- marker', yaml: '---\na: 1\n', expect: 'answered' },
    { name: 'a closing ... marker', yaml: 'a: 1\n...\n', expect: 'answered' },
    { name: 'content after ...', yaml: 'a: 1\n...\nb: 2\n', expect: 'declined' },
    { name: 'a marker with content on its line', yaml: '--- {a: 1}\n', expect: 'declined' },
    {
      name: 'core schema scalars',
      yaml: 'a: true\nb: False\nc: NULL\nd: ~\ne: 0x1F\nf: 1.5e3\ng: .inf\nh: yes\ni: 012\nj: -1\nk:\n',
      expect: 'answered',
    },
    { name: 'numeric and boolean keys', yaml: '1.0: a\ntrue: b\n~: c\n8080: d\n', expect: 'answered' },
    { name: 'quoted keys and values', yaml: `"a b": 'it''s'\n'c': "x\\ty\\u00e9"\n`, expect: 'answered' },
    {
      name: 'a comment after values',
      yaml: 'a: b # note\nc: "d" # note\ne: [1] # note\n',
      expect: 'answered',
    },
    { name: 'a hash inside a plain scalar', yaml: 'a: b#c\nd#e: f\n', expect: 'answered' },
    { name: 'colons inside a plain scalar', yaml: 'url: http://example.com:8080/x\n', expect: 'answered' },
    { name: 'a compact sequence under a key', yaml: 'a:\n- 1\n- b: 2\n  c: 3\nd: 4\n', expect: 'answered' },
    { name: 'an indented sequence', yaml: 'a:\n  - x\n  - y\n', expect: 'answered' },
    { name: 'nested sequences by line', yaml: '-\n  - a\n-\n', expect: 'answered' },
    { name: 'a top-level sequence', yaml: '- a\n- b: c\n', expect: 'answered' },
    {
      name: 'a literal block',
      yaml: 'a: |\n  line 1\n\n    indented\n  # not a comment\n\nb: |-\n  x\nc: |\nd: 1\n',
      expect: 'answered',
    },
    { name: 'a literal block in a sequence', yaml: '- |\n  x\n- y\n', expect: 'answered' },
    { name: 'flow collections', yaml: 'a: [1, "two", {b: c, d: [e]}]\nf: {}\ng: [ ]\n', expect: 'answered' },
    {
      name: 'flow maps as sequence items',
      yaml: 'env:\n- {name: A, value: "1"}\n- {name: B, value: x}\n',
      expect: 'answered',
    },
    { name: 'a folded block', yaml: 'a: >\n  x\n  y\n', expect: 'declined' },
    { name: 'a keep-chomped literal', yaml: 'a: |+\n  x\n\n', expect: 'declined' },
    { name: 'an indentation indicator', yaml: 'a: |2\n   x\n', expect: 'declined' },
    { name: 'anchors and aliases', yaml: 'a: &x 1\nb: *x\n', expect: 'declined' },
    { name: 'a merge key', yaml: 'a: {x: 1}\n<<: {y: 2}\n', expect: 'declined' },
    { name: 'a tag', yaml: 'a: !!str 1\n', expect: 'declined' },
    { name: 'a multi-line plain scalar', yaml: 'a: one\n  two\n', expect: 'declined' },
    { name: 'a multi-line quoted scalar', yaml: 'a: "one\n  two"\n', expect: 'declined' },
    { name: 'a flow collection over lines', yaml: 'a: [1,\n  2]\n', expect: 'declined' },
    { name: 'a duplicate key', yaml: 'a: 1\na: 2\n', expect: 'declined' },
    // js-yaml drops the null entry there; a property run (seed 1890121058) found it.
    { name: 'a last entry with no value before `...`', yaml: 'a: 1\nb:\n# c\n...\n', expect: 'declined' },
    {
      name: 'a nested last entry with no value before `...`',
      yaml: 'x:\n  a: 1\n  b:\n...',
      expect: 'declined',
    },
    { name: 'a last entry with no value at the end of the text', yaml: 'a: 1\nb:\n', expect: 'answered' },
    { name: 'a duplicate key in flow', yaml: 'a: {b: 1, b: 2}\n', expect: 'declined' },
    { name: 'a key named like an inherited property', yaml: 'toString: 1\n', expect: 'declined' },
    { name: 'a __proto__ key', yaml: '__proto__: {polluted: true}\n', expect: 'declined' },
    { name: 'tabs', yaml: 'a:\tb\n', expect: 'declined' },
    { name: 'a complex key', yaml: '? a\n: b\n', expect: 'declined' },
    { name: 'a scalar document', yaml: 'hello\n', expect: 'declined' },
    { name: 'bad indentation', yaml: 'a: 1\n b: 2\n', expect: 'declined' },
    { name: 'a value that is a mapping on one line', yaml: 'a: b: c\n', expect: 'declined' },
    { name: 'a dash alone as a value', yaml: 'a: -\n', expect: 'declined' },
    { name: 'a sequence entry after a scalar value', yaml: 'a: 1\n- b\n', expect: 'declined' },
    { name: 'an unterminated flow', yaml: 'a: [1, 2\n', expect: 'declined' },
    { name: 'a trailing comma in flow', yaml: 'a: [1, 2,]\n', expect: 'declined' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(assertAgrees(c.yaml), c.expect);
    });
  }

  it('reads remembered keys again exactly, also when two keys share a cache slot', () => {
    // `axxb` and `ayxb` share length, first, middle and last character: the same slot.
    const texts = [
      'axxb: 1\nayxb: 2\n',
      'ayxb: 3\naxxb: 4\nspec:\n  axxb: [5]\n',
      '017: a\n017x: b\n',
      '017: c\ntrue: d\n8080: e\n',
      'securityContext: {}\nsecurityContexts: 1\nsecurityContext2: 2\n',
      // Short values are remembered the same way.
      'a: axxb\nb: ayxb\nc: [axxb]\n',
      'a: ayxb\nb: axxb\nc: [ayxb, axxb]\n',
      'a: 017\nb: True\nc: 0x1F\nd: 17\ne: apps/v1\nf: apps/v2\n',
    ];
    for (let round = 0; round < 3; round++) {
      for (const text of texts) assert.equal(assertAgrees(text), 'answered', text);
    }
    assert.deepEqual(fast('axxb: 1\nayxb: 2\n'), { axxb: 1, ayxb: 2 });
    assert.deepEqual(fast('017: c\n'), { 17: 'c' });
    assert.deepEqual(fast('a: ayxb\nb: axxb\nc: 017\nd: TRUE\n'), { a: 'ayxb', b: 'axxb', c: 17, d: true });
    // A key that resolves to something else is not remembered as its own text: still a duplicate.
    assert.equal(fast('017: a\n17: b\n'), undefined);
  });

  it('agrees with js-yaml on anything js-yaml dumps (property)', () => {
    const key = fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.constantFrom('name', 'true', '1', 'a b', 'x:y', '-k', '#c', "it's"),
    );
    const scalar = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.integer(),
      fc.double({ noNaN: true }),
      fc.boolean(),
      fc.constant(null),
      fc.constantFrom(
        'true',
        'null',
        '0x10',
        '1e3',
        '- a',
        'a: b',
        'a #b',
        '',
        ' x',
        'multi\nline',
        '"q"',
        "'s'",
        '|',
        '>',
      ),
    );
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('list'), tie('map')),
      list: fc.array(tie('node'), { maxLength: 4 }),
      map: fc.dictionary(key, tie('node'), { maxKeys: 4 }),
    })).node;
    const style = fc.record({
      flowLevel: fc.constantFrom(-1, 1, 2),
      indent: fc.constantFrom(2, 4),
      seqNoIndent: fc.boolean(),
      quoteStyle: fc.constantFrom('single' as const, 'double' as const),
      forceQuotes: fc.boolean(),
    });
    fc.assert(
      fc.property(value, style, (v, options) => {
        const text = dump(v, { ...options, noRefs: true });
        assertAgrees(text);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads plain scalars as js-yaml does: numbers, quantities, words (property)', () => {
    const scalar = fc.oneof(
      fc.stringMatching(/^[-+.0-9][0-9a-zA-Z.+_:-]{0,8}$/),
      fc.stringMatching(/^[0-9]{1,20}$/),
      fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9]{0,5}$/),
    );
    fc.assert(
      fc.property(scalar, (text) => {
        assertAgrees(`k: ${text}\n${text}: v\nl: [${text}]\n`);
      }),
      { numRuns: 3000 },
    );
  });

  it('never answers where js-yaml fails, on mutated manifests (property)', () => {
    const edit = fc.record({
      at: fc.nat({ max: Math.max(POD.length, CONFIG.length) }),
      remove: fc.nat({ max: 4 }),
      insert: fc.constantFrom(
        '',
        ' ',
        '  ',
        '\n',
        '-',
        '- ',
        ':',
        ': ',
        '#',
        ' #',
        '"',
        "'",
        '[',
        ']',
        '{',
        '}',
        ',',
        '|',
        '|-',
        '&a ',
        '*a',
        '!',
        '?',
        '---\n',
        '...',
        '\t',
        'x',
      ),
    });
    fc.assert(
      fc.property(
        fc.constantFrom(POD, CONFIG),
        fc.array(edit, { minLength: 1, maxLength: 4 }),
        (base, edits) => {
          let text = base;
          for (const e of edits) {
            const at = Math.min(e.at, text.length);
            text = text.slice(0, at) + e.insert + text.slice(at + e.remove);
          }
          assertAgrees(text);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
