// Every command the extension contributes (category "Redline"), in one place: package.json's
// `contributes.commands` is checked against this list by a unit test, and panels call these ids
// rather than acting themselves, so the palette and the panels share one path.
export const COMMANDS = {
  runAll: 'redline.runAll',
  runAffected: 'redline.runAffected',
  toggleWatch: 'redline.toggleWatch',
  showMemory: 'redline.showMemory',
  showPhases: 'redline.showPhases',
  showLeaks: 'redline.showLeaks',
  showRecovery: 'redline.showRecovery',
  /** Args: optional `{ file: string; fullName?: string }` (root-relative file); none: a quick pick of YELLOW tests. */
  approve: 'redline.approve',
  freeMemory: 'redline.freeMemory',
  restartRunner: 'redline.restartRunner',
  emergencyStop: 'redline.emergencyStop',
  /** Args: optional label string; none: an input box. */
  backup: 'redline.backup',
  /** Args: optional backup id; none: a quick pick. Always confirms. */
  restore: 'redline.restore',
  listBackups: 'redline.listBackups',
  /** Args: optional `{ keep?: number }`; none: keeps config backups.max. */
  pruneBackups: 'redline.pruneBackups',
  /** Always asks for confirmation (modal). */
  resetSoft: 'redline.resetSoft',
  /** Always asks for confirmation (modal). */
  resetHard: 'redline.resetHard',
  showLog: 'redline.showLog',
  /** Args: root-relative or absolute path, optional 1-based line. Opens it in an editor. */
  openFile: 'redline.openFile',
  /** Args: absolute path of a .heapsnapshot under .redline/snapshots. */
  openHeapSnapshot: 'redline.openHeapSnapshot',
} as const;

export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];

/** Webview panel view types (also the serializer ids). */
export const PANELS = {
  memory: 'redline.memory',
  phases: 'redline.phases',
  leaks: 'redline.leaks',
  recovery: 'redline.recovery',
} as const;

export type PanelKind = keyof typeof PANELS;
