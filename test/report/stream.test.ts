import assert from 'node:assert/strict';
import fc from 'fast-check';
import { jsonChunks, STREAMED_ARRAY } from '../../src/report/stream.js';

describe('streamed JSON', () => {
  const cases: { name: string; document: unknown; items: unknown[] }[] = [
    { name: 'an empty array', document: { a: 1, list: STREAMED_ARRAY, z: [] }, items: [] },
    { name: 'nested objects as items', document: { head: { x: 'y' }, list: STREAMED_ARRAY }, items: [{ a: { b: [1, 2] } }, 'text\nwith lines', null] },
    { name: 'an array deep inside', document: { runs: [{ tool: {}, results: STREAMED_ARRAY, after: true }] }, items: [{ ruleId: 'x' }] },
  ];
  for (const c of cases) {
    it(`is byte for byte JSON.stringify: ${c.name}`, () => {
      const whole = JSON.stringify(JSON.parse(JSON.stringify(c.document).replace(JSON.stringify(STREAMED_ARRAY), JSON.stringify(c.items))), null, 2);
      assert.equal([...jsonChunks(c.document, c.items)].join(''), `${whole}\n`);
    });
  }

  it('is byte for byte JSON.stringify for any items (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), (items, other) => {
        const document = { before: other, items: STREAMED_ARRAY, after: other };
        assert.equal([...jsonChunks(document, items)].join(''), `${JSON.stringify({ before: other, items, after: other }, null, 2)}\n`);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a document without the placeholder', () => {
    assert.throws(() => [...jsonChunks({ a: 1 }, [])], /no STREAMED_ARRAY placeholder/);
  });
});
