// The suite files, provided at bundle time by test/vscode/build.mjs: [file name, load] pairs, in
// run order. `load` evaluates the file (its suite() and test() calls register with Mocha).
declare module 'redline:vscode-suites' {
  const suites: ReadonlyArray<readonly [file: string, load: () => unknown]>;
  export = suites;
}
