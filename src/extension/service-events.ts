// The events of RedlineServices (src/extension/services.ts), with their emitters: a folder's
// session fires them, and the focused services of a multi-root workspace re-fire one session's.
import * as vscode from 'vscode';
import type { RunReport } from '../protocol/report';
import type { GuardAction, MemorySample } from '../protocol/runner';
import type { RunnerStatus } from './services';

export abstract class ServiceEvents {
  protected readonly memoryEmitter = new vscode.EventEmitter<MemorySample>();
  protected readonly guardEmitter = new vscode.EventEmitter<GuardAction>();
  protected readonly statusEmitter = new vscode.EventEmitter<RunnerStatus>();
  protected readonly reportEmitter = new vscode.EventEmitter<RunReport>();
  protected readonly phasesEmitter = new vscode.EventEmitter<void>();
  protected readonly backupsEmitter = new vscode.EventEmitter<void>();
  readonly onDidSampleMemory = this.memoryEmitter.event;
  readonly onDidGuardAction = this.guardEmitter.event;
  readonly onDidChangeRunnerStatus = this.statusEmitter.event;
  readonly onDidFinishRun = this.reportEmitter.event;
  readonly onDidChangePhases = this.phasesEmitter.event;
  readonly onDidChangeBackups = this.backupsEmitter.event;

  /** The emitters, for the subclass's disposables. */
  protected emitters(): vscode.Disposable[] {
    return [this.memoryEmitter, this.guardEmitter, this.statusEmitter, this.reportEmitter, this.phasesEmitter, this.backupsEmitter];
  }
}
