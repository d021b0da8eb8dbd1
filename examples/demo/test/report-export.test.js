// A file that HOARDS memory. The second test renders an "export" of an endless report stream and
// keeps every rendered chunk in memory (a real bug: it should stream to disk). Memory grows until
// something stops it: under `redline run` the guard kills this worker at 95% of the demo's limit
// (redline.config.json, 1024 MB), marks the file "stopped: memory" with this test's name, and the
// rest of the run finishes. It yields every chunk, so it stays killable, and its timeout is long
// so the guard, not Vitest, ends it. Do not run this file under plain Vitest without a limit.
import { describe, expect, test } from 'vitest';

const CHUNK_BYTES = 4 * 1024 * 1024;

function renderRows(from, count) {
  let rows = '';
  for (let i = from; i < from + count; i++) rows += `${i},order-${i},${(i * 37) % 1000}.00\n`;
  return rows;
}

describe('report export', () => {
  test('renders a header and rows', () => {
    expect(renderRows(1, 2)).toBe('1,order-1,37.00\n2,order-2,74.00\n');
  });

  test('exports the full order history', async () => {
    const exported = []; // every chunk kept: the hoard
    for (let row = 0; ; row += 1000) {
      // Buffer.alloc with a fill writes every page, so the chunk is resident, not just reserved.
      exported.push(Buffer.alloc(CHUNK_BYTES, renderRows(row, 1000)));
      await new Promise((r) => setImmediate(r));
    }
  }, 600_000);
});
