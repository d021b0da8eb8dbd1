// Which workspace folder the status bar and the panels follow in a multi-root workspace. They
// show one folder at a time, so the choice must feel obvious: the folder the user is editing in,
// else the folder that just started running tests (what they are waiting to see), else whatever
// they were looking at, and the first folder when there is nothing else to go by. Pure, so the
// rule is unit-tested without VS Code; src/extension/focused-services.ts applies it.

export interface FocusInput {
  /** The roots of the folders that use Vitest, in workspace order. */
  readonly roots: readonly string[];
  /** The folder followed until now, if any (it may have been removed since). */
  readonly current: string | undefined;
  /** The folder of the active text editor, when that editor is in one of `roots`. */
  readonly editorRoot: string | undefined;
  /** A folder whose runner just turned running or watching. */
  readonly startedRoot?: string | undefined;
}

/** The root to follow, or undefined when no folder uses Vitest. */
export function chooseFocus(input: FocusInput): string | undefined {
  const { roots } = input;
  const known = (root: string | undefined): root is string => root !== undefined && roots.includes(root);
  // The editor wins over a run starting elsewhere: a run-all in three folders must not pull
  // the view away from the folder being edited.
  if (known(input.editorRoot)) return input.editorRoot;
  if (known(input.startedRoot)) return input.startedRoot;
  if (known(input.current)) return input.current;
  return roots[0];
}

/**
 * The folder name the views add to their titles: only when there is more than one folder to
 * tell apart, so a single-folder workspace looks exactly as it did.
 */
export function focusLabel(folderName: string, folderCount: number): string | undefined {
  return folderCount > 1 ? folderName : undefined;
}

/** A view's title with the followed folder's name, when there is one to tell apart. */
export function titleWithFolder(title: string, label: string | undefined): string {
  return label === undefined ? title : `${title} — ${label}`;
}
