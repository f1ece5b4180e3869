import assert from 'node:assert/strict';
import { createProgress, formatBytes } from '../../src/cli/progress.js';

function stream(isTTY: boolean): { write(text: string): void; isTTY: boolean; text: () => string } {
  let out = '';
  return { write: (t) => void (out += t), isTTY, text: () => out };
}

describe('progress on stderr', () => {
  const cases: { name: string; tty: boolean; times: number[]; expected: string }[] = [
    { name: 'stays quiet during the first second', tty: true, times: [0, 500, 999], expected: '' },
    {
      name: 'draws after a second and erases itself',
      tty: true,
      times: [0, 1000, 1050, 1200],
      expected: '\r\u001b[Kstep 1\r\u001b[Kstep 3\r\u001b[K',
    },
    { name: 'never draws when stderr is not a terminal', tty: false, times: [0, 5000], expected: '' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const out = stream(c.tty);
      const times = [...c.times];
      const progress = createProgress(out, true, () => times.shift() ?? 0);
      for (let i = 1; i < c.times.length; i++) progress.update(`step ${i}`);
      progress.clear();
      assert.equal(out.text(), c.expected);
    });
  }

  it('builds a lazily given text only when it draws it', () => {
    const out = stream(true);
    const times = [0, 500, 1000, 1001];
    const progress = createProgress(out, true, () => times.shift() ?? 0);
    const built: number[] = [];
    for (let i = 1; i <= 3; i++) progress.update(() => (built.push(i), `step ${i}`));
    assert.deepEqual(built, [2]);
    assert.equal(out.text(), '\r\u001b[Kstep 2');
  });

  it('formats sizes', () => {
    assert.deepEqual([12, 3400, 13_800_000, 2_500_000_000].map(formatBytes), [
      '12 B',
      '3 kB',
      '13.8 MB',
      '2.5 GB',
    ]);
  });
});
