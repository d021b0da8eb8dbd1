// The slice of Vitest's Node API that the runner uses, typed structurally. The runner loads the
// workspace's own Vitest (3.2, 4.x, later 5.x), so it must not compile against one version's
// declarations; these are the members that all of them share.

export interface SerializedErrorLike {
  message?: string;
  name?: string;
  stack?: string;
  expected?: unknown;
  actual?: unknown;
  diff?: string;
}

export interface TestCaseLike {
  readonly type: 'test';
  readonly name: string;
  readonly id: string;
  readonly module: TestModuleLike;
  readonly parent: TestSuiteLike | TestModuleLike;
  readonly options: { readonly mode: 'run' | 'only' | 'skip' | 'todo' };
  /** Set when Vitest runs with `includeTaskLocation` (the runner asks for it). */
  readonly location?: { readonly line: number; readonly column: number };
  result(): { state: 'passed' | 'failed' | 'skipped' | 'pending'; errors?: readonly SerializedErrorLike[] };
  diagnostic(): { duration: number } | undefined;
}

export interface TestSuiteLike {
  readonly type: 'suite';
  readonly name: string;
  readonly parent: TestSuiteLike | TestModuleLike;
}

export interface TestModuleLike {
  readonly type: 'module';
  readonly moduleId: string;
  readonly project: { readonly name: string };
  readonly children: { allTests(): Iterable<TestCaseLike>; readonly size: number };
  state(): 'queued' | 'pending' | 'passed' | 'failed' | 'skipped';
  errors(): readonly SerializedErrorLike[];
  diagnostic(): { duration: number };
}

export interface UserConsoleLogLike {
  content: string;
  type: 'stdout' | 'stderr';
  taskId?: string;
}

export interface ReporterLike {
  onTestModuleStart?(m: TestModuleLike): void;
  onTestModuleCollected?(m: TestModuleLike): void;
  onTestCaseResult?(t: TestCaseLike): void;
  onTestModuleEnd?(m: TestModuleLike): void;
  onUserConsoleLog?(log: UserConsoleLogLike): void;
  onTestRunEnd?(modules: readonly TestModuleLike[], errors: readonly SerializedErrorLike[], reason: string): void;
}

export interface TestSpecificationLike {
  readonly moduleId: string;
  readonly project: { readonly name: string };
}

export interface VitestLike {
  readonly version?: string;
  globTestSpecifications(filters?: string[]): Promise<TestSpecificationLike[]>;
  runTestSpecifications(specs: TestSpecificationLike[], allTestsRun?: boolean): Promise<{ testModules: readonly TestModuleLike[]; unhandledErrors: readonly SerializedErrorLike[] }>;
  cancelCurrentRun(reason: string): Promise<void>;
  close(): Promise<void>;
  readonly projects: readonly { readonly name: string }[];
}

export interface VitestPluginContextLike {
  project: { name: string; config: { setupFiles: string[]; execArgv?: string[]; poolOptions?: { forks?: { execArgv?: string[] } } } };
}

export interface VitestNodeModule {
  createVitest(
    mode: 'test',
    options: Record<string, unknown>,
    viteOverrides?: Record<string, unknown>,
    vitestOptions?: Record<string, unknown>,
  ): Promise<VitestLike>;
  version?: string;
}
