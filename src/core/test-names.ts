// Unique test names within a file. Redline keys a test by its full name ("describe > inner > test",
// without the file) everywhere: the runner's results, the probe's testStart/testEnd, the report,
// the result cache, the phase store and the Test Explorer's ids. Vitest allows two tests with the
// same full name in one file (a copy-pasted `it('works')`, two describes of the same name, `.each`
// rows that format alike); keyed by name they collapse into one, and a pass can hide a failure.
//
// The rule, applied to a file's tests in declaration order (the order Vitest collects them, depth
// first — `allTests()` in the runner, the task tree in the probe, source order in the static scan):
// the first test with a full name keeps it; the k-th (k ≥ 2) gets " (k)" appended. Should that
// name be the full name of another test of the file (someone wrote `it('x (2)')`), the next free
// number is taken instead, so a name as written is never changed and the result is always unique.
// The suffix ends the full name, so it ends the leaf name too: the leaf ("name" in the report, the
// label in the Test Explorer) carries it as well, which keeps `fullName === describes + " > " + name`
// true for every consumer that splits one from the other.
//
// Pure and dependency-free: the probe bundles it into every test worker.

/** The file's full names, in declaration order, made unique by the rule above. */
export function disambiguate(fullNames: readonly string[]): string[] {
  const taken = new Set(fullNames);
  /** Per name seen: the last number used for it (1 for the first occurrence). */
  const last = new Map<string, number>();
  return fullNames.map((name) => {
    const k = last.get(name);
    if (k === undefined) {
      last.set(name, 1);
      return name;
    }
    let next = k + 1;
    while (taken.has(withOrdinal(name, next))) next++;
    last.set(name, next);
    const unique = withOrdinal(name, next);
    taken.add(unique);
    return unique;
  });
}

/** A leaf name with the suffix `disambiguate` gave its full name (unchanged when it gave none). */
export function uniqueLeaf(name: string, fullName: string, uniqueFullName: string): string {
  return name + uniqueFullName.slice(fullName.length);
}

function withOrdinal(name: string, k: number): string {
  return `${name} (${k})`;
}
