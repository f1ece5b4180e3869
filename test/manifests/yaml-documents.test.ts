import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadAll } from 'js-yaml';
import type { YamlDocument } from '../../src/manifests/yaml-documents.js';
import { lastDocumentBoundary, parseYamlDocuments } from '../../src/manifests/yaml-documents.js';

describe('YAML stream splitting', () => {
  const cases: { name: string; yaml: string; documents: YamlDocument[] }[] = [
    { name: 'one bare document', yaml: 'a: 1\n', documents: [{ index: 1, line: 1, value: { a: 1 } }] },
    {
      name: 'documents separated by ---',
      yaml: 'a: 1\n---\nb: 2\n---\n\n# c\nc: 3\n',
      documents: [
        { index: 1, line: 1, value: { a: 1 } },
        { index: 2, line: 3, value: { b: 2 } },
        { index: 3, line: 7, value: { c: 3 } },
      ],
    },
    {
      name: 'a leading --- and comments before it',
      yaml: '# header\n---\na: 1\n',
      documents: [{ index: 1, line: 3, value: { a: 1 } }],
    },
    {
      name: 'empty documents keep their numbers',
      yaml: '---\n---\na: 1\n---\n# only a comment\n',
      documents: [
        { index: 1, line: 1, value: null },
        { index: 2, line: 3, value: { a: 1 } },
        { index: 3, line: 4, value: null },
      ],
    },
    {
      name: 'a document end marker and a bare document after it',
      yaml: 'a: 1\n...\nb: 2\n',
      documents: [
        { index: 1, line: 1, value: { a: 1 } },
        { index: 2, line: 3, value: { b: 2 } },
      ],
    },
    {
      name: 'content on the marker line',
      yaml: '--- {a: 1}\n--- |\n  text\n',
      documents: [
        { index: 1, line: 1, value: { a: 1 } },
        { index: 2, line: 2, value: 'text\n' },
      ],
    },
    {
      name: 'a malformed document between good ones',
      yaml: 'a: 1\n---\nb: [1, 2\n---\nc: 3\n',
      documents: [
        { index: 1, line: 1, value: { a: 1 } },
        { index: 2, line: 3, error: { reason: 'deficient indentation', line: 4, column: 1 } },
        { index: 3, line: 5, value: { c: 3 } },
      ],
    },
    {
      name: 'bad indentation, with the position js-yaml gives',
      yaml: '---\nkind: Pod\nmetadata:\n  name: x\n   labels: {}\n',
      documents: [{ index: 1, line: 2, error: { reason: 'bad indentation of a mapping entry', line: 5, column: 10 } }],
    },
    {
      name: 'a duplicate key',
      yaml: 'a: 1\na: 2\n',
      documents: [{ index: 1, line: 1, error: { reason: 'duplicated mapping key', line: 2, column: 1 } }],
    },
    {
      name: 'CRLF line ends',
      yaml: 'a: 1\r\n---\r\nb: 2\r\n',
      documents: [
        { index: 1, line: 1, value: { a: 1 } },
        { index: 2, line: 3, value: { b: 2 } },
      ],
    },
    {
      name: 'a --- inside a literal block ends the document, as YAML says',
      yaml: 'a: |\n  x\n---\nb: 1\n',
      documents: [
        { index: 1, line: 1, value: { a: 'x\n' } },
        { index: 2, line: 4, value: { b: 1 } },
      ],
    },
    {
      name: 'a --- that is not a marker',
      yaml: 'a: ---x\n---x: 1\n',
      documents: [{ index: 1, line: 1, value: { a: '---x', '---x': 1 } }],
    },
    {
      name: 'directives before a document',
      yaml: '%YAML 1.2\n---\na: 1\n',
      documents: [{ index: 1, line: 3, value: { a: 1 } }],
    },
    { name: 'nothing at all', yaml: '', documents: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual([...parseYamlDocuments(c.yaml)], c.documents);
    });
  }

  it('continues numbering and lines for a text read in pieces', () => {
    assert.deepEqual([...parseYamlDocuments('---\na: 1\n', { firstLine: 10, firstIndex: 4 })], [{ index: 4, line: 11, value: { a: 1 } }]);
  });

  it('finds the last boundary of whole documents', () => {
    assert.equal(lastDocumentBoundary('a: 1\n---\nb: 2\n---\nc: 3'), 14);
    assert.equal(lastDocumentBoundary('a: 1\n...\nb: 2'), 9);
    assert.equal(lastDocumentBoundary('a: 1\nb: 2\n'), -1);
    assert.equal(lastDocumentBoundary('a: 1\n---\nb: 2\n', 10), -1);
  });

  it('reads the same values as js-yaml loadAll on streams it can read (property)', () => {
    const doc = fc.dictionary(fc.constantFrom('a', 'b', 'name', 'x y'), fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.boolean()), {
      minKeys: 1,
      maxKeys: 3,
    });
    fc.assert(
      fc.property(fc.array(doc, { maxLength: 5 }), fc.constantFrom('---\n', '\n---\n', '...\n---\n', '--- # c\n'), (docs, separator) => {
        const text = docs.map((d) => JSON.stringify(d).replace(/^\{/, '{ ').replace(/\}$/, ' }')).join(`\n${separator}`);
        const ours = [...parseYamlDocuments(text)];
        assert.ok(ours.every((d) => d.error === undefined));
        assert.deepEqual(
          ours.map((d) => d.value).filter((v) => v !== null),
          loadAll(text).filter((v) => v !== null),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        for (const d of parseYamlDocuments(text)) assert.ok(d.index >= 1 && d.line >= 1);
      }),
      { numRuns: 1000 },
    );
  });
});
