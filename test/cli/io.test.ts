import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processIo, utf8Batches } from '../../src/cli/io.js';

describe('utf8Batches', () => {
  const cases: { name: string; chunks: string[] }[] = [
    { name: 'no pieces', chunks: [] },
    { name: 'empty pieces', chunks: ['', '', ''] },
    { name: 'ASCII pieces', chunks: ['{\n', '  "a": 1', '\n}\n'] },
    { name: 'non-ASCII among ASCII', chunks: ['plain ', 'em — dash ', 'snowman ☃ ', 'astral 𝄞 ', 'end'] },
    {
      name: 'pieces that fill several batches',
      chunks: Array.from({ length: 5000 }, (_, i) => `finding ${i} → ${'x'.repeat(i % 700)}\n`),
    },
    { name: 'a piece larger than a batch', chunks: ['head ', 'é'.repeat(700_000), ' tail'] },
  ];
  for (const { name, chunks } of cases) {
    it(`encodes ${name} exactly as one UTF-8 string would`, () => {
      const batches = [...utf8Batches(chunks)];
      assert.ok(
        batches.every((b) => b.length > 0),
        'no empty batch is written',
      );
      assert.equal(Buffer.concat(batches).toString('utf8'), chunks.join(''));
    });
  }

  it('writes few, large batches', () => {
    const chunks = Array.from({ length: 20_000 }, () => 'y'.repeat(100));
    const batches = [...utf8Batches(chunks)];
    assert.ok(batches.length <= 3, `2 MB of small pieces in ${batches.length} batches`);
  });

  it('refills one buffer when asked to reuse it', () => {
    const chunks = Array.from({ length: 30_000 }, (_, i) => `item ${i} — ${'z'.repeat(i % 90)}\n`);
    const copies: Buffer[] = [];
    const seen = new Set<ArrayBufferLike>();
    for (const batch of utf8Batches(chunks, true)) {
      seen.add(batch.buffer);
      copies.push(Buffer.from(batch));
    }
    assert.ok(copies.length > 1, 'several batches');
    assert.equal(seen.size, 1, 'one buffer behind every batch');
    assert.equal(Buffer.concat(copies).toString('utf8'), chunks.join(''));
  });
});

describe('processIo().writeOutput to a file', () => {
  let dir = '';
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'bulwark-io-'))));
  after(async () => rm(dir, { recursive: true, force: true }));

  it('writes every piece, in order, as UTF-8', async () => {
    const chunks = Array.from(
      { length: 50_000 },
      (_, i) => `{"n": ${i}, "note": "ä → ${'w'.repeat(i % 64)}"}\n`,
    );
    const path = join(dir, 'report.json');
    await processIo().writeOutput(path, chunks);
    assert.equal(await readFile(path, 'utf8'), chunks.join(''));
  });

  it('replaces what the file held', async () => {
    const path = join(dir, 'again.txt');
    await processIo().writeOutput(path, ['a much longer first text']);
    await processIo().writeOutput(path, ['short']);
    assert.equal(await readFile(path, 'utf8'), 'short');
  });

  it('rejects, naming the cause, when the path cannot be written', async () => {
    await assert.rejects(processIo().writeOutput(dir, ['x']), /EISDIR/);
  });
});
