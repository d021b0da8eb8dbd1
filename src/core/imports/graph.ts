// The import graph of a workspace: who imports whom, and from that, which test files a change
// affects (those whose import closure contains a changed file). Cycles are fine: closures are
// computed with a visited set.

export class ImportGraph {
  private readonly deps = new Map<string, Set<string>>();
  private readonly rdeps = new Map<string, Set<string>>();

  /** Replace what `file` imports. */
  setImports(file: string, imports: Iterable<string>): void {
    for (const old of this.deps.get(file) ?? []) this.rdeps.get(old)?.delete(file);
    const next = new Set(imports);
    next.delete(file);
    this.deps.set(file, next);
    for (const dep of next) {
      let set = this.rdeps.get(dep);
      if (!set) this.rdeps.set(dep, (set = new Set()));
      set.add(file);
    }
  }

  remove(file: string): void {
    this.setImports(file, []);
    this.deps.delete(file);
  }

  has(file: string): boolean {
    return this.deps.has(file);
  }

  importsOf(file: string): ReadonlySet<string> {
    return this.deps.get(file) ?? new Set();
  }

  /** `file` and everything it imports, directly or not. */
  closure(file: string): Set<string> {
    const seen = new Set<string>([file]);
    const stack = [file];
    while (stack.length > 0) {
      for (const dep of this.deps.get(stack.pop()!) ?? []) {
        if (!seen.has(dep)) {
          seen.add(dep);
          stack.push(dep);
        }
      }
    }
    return seen;
  }

  /** Every file that imports `file`, directly or not, and `file` itself. */
  dependents(file: string): Set<string> {
    const seen = new Set<string>([file]);
    const stack = [file];
    while (stack.length > 0) {
      for (const user of this.rdeps.get(stack.pop()!) ?? []) {
        if (!seen.has(user)) {
          seen.add(user);
          stack.push(user);
        }
      }
    }
    return seen;
  }

  /** The test files (among `tests`) whose closure contains any of `changed`. */
  affected(changed: Iterable<string>, tests: ReadonlySet<string>): string[] {
    const hit = new Set<string>();
    for (const file of changed) for (const d of this.dependents(file)) if (tests.has(d)) hit.add(d);
    return [...hit].sort();
  }
}
