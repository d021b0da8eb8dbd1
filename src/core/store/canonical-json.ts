// The checksum covers the payload's canonical JSON — keys sorted at every level, no spaces — so it
// does not depend on how a writer happened to order or indent the file, only on the data.

export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => (isPlainObject(inner) ? sortKeys(inner) : inner));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The object with its keys inserted in sorted order, for JSON.stringify to write in that order.
 * The store checksums every document it reads and writes (some hold tens of thousands of small
 * objects), so this allocates little: a few keys are sorted in place, and an object whose keys
 * are in order already (one read from a canonical file) is written as it is — the same text, as
 * the copy would enumerate its keys in the same order.
 */
function sortKeys(value: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(value);
  let moved = false;
  if (keys.length > 16) {
    const before = keys.join('\u0000');
    keys.sort();
    moved = keys.join('\u0000') !== before;
  } else {
    // Insertion sort: no allocation, and few comparisons for the short key lists of data.
    for (let i = 1; i < keys.length; i++) {
      const key = keys[i]!;
      let j = i - 1;
      if (keys[j]! < key) continue;
      moved = true;
      while (j >= 0 && keys[j]! > key) {
        keys[j + 1] = keys[j]!;
        j--;
      }
      keys[j + 1] = key;
    }
  }
  if (!moved) {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) return value;
  }
  const sorted: Record<string, unknown> = {};
  for (const key of keys) sorted[key] = value[key];
  return sorted;
}
