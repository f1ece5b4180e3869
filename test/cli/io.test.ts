import assert from 'node:assert/strict';
import { utf8Batches } from '../../src/cli/io.js';

describe('utf8Batches', () => {
  const cases: { name: string; chunks: string[] }[] = [
    { name: 'no pieces', chunks: [] },
    { name: 'empty pieces', chunks: ['', '', ''] },
    { name: 'ASCII pieces', chunks: ['{\n', '  "a": 1', '\n}\n'] },
    { name: 'non-ASCII among ASCII', chunks: ['plain ', 'em — dash ', 'snowman ☃ ', 'astral 𝄞 ', 'end'] },
    { name: 'pieces that fill several batches', chunks: Array.from({ length: 5000 }, (_, i) => `finding ${i} → ${'x'.repeat(i % 700)}\n`) },
    { name: 'a piece larger than a batch', chunks: ['head ', 'é'.repeat(700_000), ' tail'] },
  ];
  for (const { name, chunks } of cases) {
    it(`encodes ${name} exactly as one UTF-8 string would`, () => {
      const batches = [...utf8Batches(chunks)];
      assert.ok(batches.every((b) => b.length > 0), 'no empty batch is written');
      assert.equal(Buffer.concat(batches).toString('utf8'), chunks.join(''));
    });
  }

  it('writes few, large batches', () => {
    const chunks = Array.from({ length: 20_000 }, () => 'y'.repeat(100));
    const batches = [...utf8Batches(chunks)];
    assert.ok(batches.length <= 3, `2 MB of small pieces in ${batches.length} batches`);
  });
});
