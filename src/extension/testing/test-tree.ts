// The Test Explorer's items: a workspace folder (when there are several) → test file (→ its Vitest
// project when there are several) → describe → test. Files come from a quick glob at once, then
// from the runner's discovery (Vitest's own include/exclude); tests inside a file from a static
// read of its source until a run reports them with their real names and lines. Ids are built from
// URIs and full names so they stay stable across refreshes and runs.
import { relative, sep } from 'node:path';
import * as vscode from 'vscode';
import { findTestDeclarations, flattenDeclarations } from '../../core/discovery/test-declarations';
import { NAME_SEPARATOR } from '../../core/phases';
import type { TestReport } from '../../protocol/report';
import type { WorkspaceSession } from '../workspace-session';

export interface ItemData {
  readonly kind: 'folder' | 'file' | 'describe' | 'test';
  readonly session: WorkspaceSession;
  /** Relative to the session's root, '/' separators (folders: ''). */
  readonly path: string;
  readonly project?: string;
  /** Describe blocks (and the test name) joined with " > "; not set on files and folders. */
  readonly fullName?: string;
}

/** Vitest's default `include`, for the first quick listing before the runner has answered. */
const DEFAULT_TEST_GLOB = '**/*.{test,spec}.?(c|m)[jt]s?(x)';
const DEFAULT_EXCLUDE = '{**/node_modules/**,**/dist/**,**/.git/**,**/.redline/**}';

export class TestTree implements vscode.Disposable {
  readonly data = new WeakMap<vscode.TestItem, ItemData>();
  private readonly files = new Map<string, vscode.TestItem>();
  private refreshing: Promise<void> | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private discovered = new Set<WorkspaceSession>();

  constructor(
    readonly controller: vscode.TestController,
    private readonly sessions: () => readonly WorkspaceSession[],
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.grouped = sessions().length > 1;
    controller.resolveHandler = async (item) => {
      if (!item) return this.refresh();
      const data = this.data.get(item);
      if (data?.kind === 'file') await this.resolveFile(item);
    };
    controller.refreshHandler = () => this.refresh(true);
    // A saved test file shows its new tests at once; a new or deleted one joins or leaves the tree.
    this.disposables.push(
      vscode.workspace.onDidSaveTextDocument((doc) => {
        const item = this.fileByUri(doc.uri);
        if (item) void this.resolveFile(item);
      }),
    );
    const watcher = vscode.workspace.createFileSystemWatcher(DEFAULT_TEST_GLOB);
    this.disposables.push(
      watcher,
      watcher.onDidCreate(() => this.scheduleRefresh()),
      watcher.onDidDelete((uri) => {
        for (const item of this.itemsByUri(uri)) this.removeFile(item);
      }),
    );
  }

  /**
   * After workspace folders were added or removed. One folder is shown flat and several grouped
   * by folder, so when the count crosses one every item moves; and a removed folder's items go.
   * Either way the tree is built again (a rare event; the items keep their ids, so VS Code still
   * shows their last results).
   */
  foldersChanged(): Promise<void> {
    const live = new Set(this.sessions());
    const grouped = live.size > 1;
    const orphaned = [...this.files.values()].some((item) => {
      const session = this.data.get(item)?.session;
      return session !== undefined && !live.has(session);
    });
    if (grouped !== this.grouped || orphaned) {
      this.files.clear();
      this.controller.items.replace([]);
    }
    this.grouped = grouped;
    return this.refresh(true);
  }

  /** Whether the tree was built with a node per folder (see `container`). */
  private grouped: boolean;

  /** Resolves when a (collapsed) refresh of every folder's file list is done. */
  refresh(force = false): Promise<void> {
    if (force) this.discovered.clear();
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private refreshTimer: NodeJS.Timeout | undefined;
  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refresh(true), 500);
  }

  private async doRefresh(): Promise<void> {
    await Promise.all(this.sessions().map((session) => this.refreshSession(session)));
  }

  private async refreshSession(session: WorkspaceSession): Promise<void> {
    if (this.discovered.has(session)) return;
    const quick = await vscode.workspace.findFiles(new vscode.RelativePattern(session.folder, DEFAULT_TEST_GLOB), DEFAULT_EXCLUDE, 5000);
    if (!this.hasFiles(session)) for (const uri of quick) this.fileItem(session, relativePath(session, uri));
    if (session.runnerStatus().state === 'untrusted') return;
    const found = await session.discover();
    if (found.kind !== 'ok') {
      this.log.warn(`discovery in ${session.root}: ${found.message}`);
      return;
    }
    this.discovered.add(session);
    const keep = new Set<vscode.TestItem>();
    for (const file of found.files) keep.add(this.fileItem(session, file.path, file.project));
    for (const [key, item] of this.files) {
      if (this.data.get(item)?.session === session && !keep.has(item)) {
        this.files.delete(key);
        if (item.parent) item.parent.children.delete(item.id);
        else this.controller.items.delete(item.id);
      }
    }
    this.log.info(`Test Explorer: ${found.files.length} test files in ${session.root}`);
  }

  private hasFiles(session: WorkspaceSession): boolean {
    for (const item of this.files.values()) if (this.data.get(item)?.session === session) return true;
    return false;
  }

  /** The file's item, created (with a lazy list of its tests) if it is new. */
  fileItem(session: WorkspaceSession, path: string, project?: string): vscode.TestItem {
    const key = fileKey(session, path, project);
    const existing = this.files.get(key);
    if (existing) return existing;
    const uri = vscode.Uri.joinPath(session.folder.uri, path);
    const id = project ? `${uri.toString()}?project=${encodeURIComponent(project)}` : uri.toString();
    const item = this.controller.createTestItem(id, project ? `${path} [${project}]` : path, uri);
    item.canResolveChildren = true;
    this.data.set(item, { kind: 'file', session, path, ...(project ? { project } : {}) });
    this.files.set(key, item);
    this.container(session).add(item);
    return item;
  }

  findFile(session: WorkspaceSession, path: string, project?: string): vscode.TestItem | undefined {
    return this.files.get(fileKey(session, path, project)) ?? (project ? undefined : this.anyProject(session, path));
  }

  /** The item of a reported test, created with its describe blocks if the static read missed it. */
  testItem(file: vscode.TestItem, fullName: string, name?: string, location?: TestReport['location']): vscode.TestItem {
    const data = this.data.get(file)!;
    const own = name ?? fullName.split(NAME_SEPARATOR).pop() ?? fullName;
    const parents = fullName.length > own.length ? fullName.slice(0, fullName.length - own.length - NAME_SEPARATOR.length).split(NAME_SEPARATOR) : [];
    let container = file;
    let prefix = '';
    for (const part of parents) {
      prefix = prefix ? `${prefix}${NAME_SEPARATOR}${part}` : part;
      container = this.child(container, 'describe', part, prefix, data);
    }
    const item = this.child(container, 'test', own, fullName, data);
    if (location && file.uri && item.range?.start.line !== location.line - 1) {
      item.range = new vscode.Range(location.line - 1, location.column, location.line - 1, location.column);
    }
    return item;
  }

  /** The test items below an item (itself included when it is a test). */
  testsUnder(item: vscode.TestItem): vscode.TestItem[] {
    const out: vscode.TestItem[] = [];
    const visit = (node: vscode.TestItem): void => {
      if (this.data.get(node)?.kind === 'test') out.push(node);
      node.children.forEach(visit);
    };
    visit(item);
    return out;
  }

  allFiles(session?: WorkspaceSession): vscode.TestItem[] {
    return [...this.files.values()].filter((item) => !session || this.data.get(item)?.session === session);
  }

  /** Reads the file (the editor's unsaved text if open) and lists its tests as written. */
  async resolveFile(item: vscode.TestItem): Promise<void> {
    const data = this.data.get(item);
    if (!data || !item.uri) return;
    let text: string;
    const open = vscode.workspace.textDocuments.find((doc) => doc.uri.toString() === item.uri!.toString());
    try {
      text = open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(item.uri));
    } catch {
      return; // deleted meanwhile: the watcher removes it
    }
    const declared = flattenDeclarations(findTestDeclarations(text));
    const next: vscode.TestItem[] = [];
    const byName = new Map<string, vscode.TestItem>();
    for (const decl of declared) {
      const parentName = decl.fullName.length > decl.name.length ? decl.fullName.slice(0, decl.fullName.length - decl.name.length - NAME_SEPARATOR.length) : '';
      const parent = parentName ? byName.get(parentName) : undefined;
      // Two describes of one name are one item (the same id), as a run reports them: the tests
      // of the second join the first's, under their unique names, instead of replacing them.
      if (decl.kind === 'describe' && byName.has(decl.fullName)) continue;
      const id = `${item.id}#${decl.fullName}`;
      const child = this.controller.createTestItem(id, decl.name, item.uri);
      child.range = new vscode.Range(decl.line - 1, decl.column, Math.max(decl.line, decl.endLine) - 1, 0);
      if (decl.modifiers.includes('skip') || decl.modifiers.includes('todo')) child.description = decl.modifiers.includes('todo') ? 'todo' : 'skipped';
      this.data.set(child, { kind: decl.kind, session: data.session, path: data.path, ...(data.project ? { project: data.project } : {}), fullName: decl.fullName });
      if (decl.kind === 'describe') byName.set(decl.fullName, child);
      if (parent) parent.children.add(child);
      else next.push(child);
    }
    item.children.replace(next);
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private child(container: vscode.TestItem, kind: 'describe' | 'test', label: string, fullName: string, file: ItemData): vscode.TestItem {
    const fileItem = this.fileOf(container);
    const id = `${fileItem.id}#${fullName}`;
    const existing = container.children.get(id);
    if (existing) return existing;
    const item = this.controller.createTestItem(id, label, fileItem.uri);
    this.data.set(item, { kind, session: file.session, path: file.path, ...(file.project ? { project: file.project } : {}), fullName });
    container.children.add(item);
    return item;
  }

  private fileOf(item: vscode.TestItem): vscode.TestItem {
    let node: vscode.TestItem | undefined = item;
    while (node && this.data.get(node)?.kind !== 'file') node = node.parent;
    return node ?? item;
  }

  private container(session: WorkspaceSession): vscode.TestItemCollection {
    if (this.sessions().length <= 1) return this.controller.items;
    const id = session.folder.uri.toString();
    let folder = this.controller.items.get(id);
    if (!folder) {
      folder = this.controller.createTestItem(id, session.folder.name, session.folder.uri);
      this.data.set(folder, { kind: 'folder', session, path: '' });
      this.controller.items.add(folder);
    }
    return folder.children;
  }

  private fileByUri(uri: vscode.Uri): vscode.TestItem | undefined {
    return this.itemsByUri(uri)[0];
  }

  private itemsByUri(uri: vscode.Uri): vscode.TestItem[] {
    const text = uri.toString();
    return [...this.files.values()].filter((item) => item.uri?.toString() === text);
  }

  private anyProject(session: WorkspaceSession, path: string): vscode.TestItem | undefined {
    for (const item of this.files.values()) {
      const data = this.data.get(item);
      if (data?.session === session && data.path === path) return item;
    }
    return undefined;
  }

  private removeFile(item: vscode.TestItem): void {
    const data = this.data.get(item);
    if (!data) return;
    this.files.delete(fileKey(data.session, data.path, data.project));
    if (item.parent) item.parent.children.delete(item.id);
    else this.controller.items.delete(item.id);
  }
}

function fileKey(session: WorkspaceSession, path: string, project?: string): string {
  return `${session.root}\0${project ?? ''}\0${path}`;
}

function relativePath(session: WorkspaceSession, uri: vscode.Uri): string {
  return relative(session.root, uri.fsPath).split(sep).join('/');
}
