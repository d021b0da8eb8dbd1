// The status bar memory monitor: the test process tree's memory against the limit while tests
// run, coloured by tier with the theme's warning/error colours, the per-process breakdown in the
// tooltip; a click opens the memory panel. At most four updates a second however fast samples
// come; at rest it shows the last run's peak and stops updating. With several Vitest folders it
// shows the focused one (focused-services.ts) and its tooltip names that folder.
import * as vscode from 'vscode';
import { formatBytes } from '../core/format';
import type { MemorySample } from '../protocol/runner';
import { COMMANDS } from '../protocol/commands';
import type { ViewServices } from './focused-services';
import type { RunnerStatus } from './services';

const MIN_UPDATE_MS = 250;

export class MemoryStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private pending: MemorySample | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastPaint = 0;

  constructor(private readonly services: ViewServices) {
    this.item = vscode.window.createStatusBarItem('redline.memory', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'Redline Memory';
    this.item.command = COMMANDS.showMemory;
    this.disposables.push(
      this.item,
      services.onDidSampleMemory((sample) => this.schedule(sample)),
      services.onDidChangeRunnerStatus((status) => this.paintStatus(status)),
      services.onDidFinishRun(() => this.paintStatus(services.runnerStatus())),
      services.onDidChangeFocus(() => {
        // A sample of the folder left behind must not paint over the new one's figures.
        this.cancelPending();
        this.paintStatus(services.runnerStatus());
      }),
    );
    this.paintStatus(services.runnerStatus());
    this.item.show();
  }

  private schedule(sample: MemorySample): void {
    this.pending = sample;
    if (this.timer) return;
    const wait = Math.max(0, MIN_UPDATE_MS - (Date.now() - this.lastPaint));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const state = this.services.runnerStatus().state;
      // A sample that arrives as the run ends must not paint over the at-rest figure.
      if (this.pending && (state === 'running' || state === 'watching')) this.paintSample(this.pending);
      this.pending = undefined;
    }, wait);
  }

  private paintSample(sample: MemorySample): void {
    this.lastPaint = Date.now();
    const percent = Math.round((sample.treeRssBytes / sample.limitBytes) * 100);
    this.item.text = `$(pulse) ${formatBytes(sample.treeRssBytes)} / ${formatBytes(sample.limitBytes)}`;
    this.item.backgroundColor = tierBackground(sample.tier);
    this.item.color = undefined;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**Redline** — test processes: ${formatBytes(sample.treeRssBytes)} of ${formatBytes(sample.limitBytes)} (${percent}%, tier *${sample.tier}*)\n\n`);
    md.appendMarkdown('| pid | role | memory | running |\n|---:|:---|---:|:---|\n');
    for (const p of [...sample.processes].sort((a, b) => b.rssBytes - a.rssBytes).slice(0, 12)) {
      const what = [p.file, p.test].filter(Boolean).join(' › ');
      md.appendMarkdown(`| ${p.pid} | ${p.role} | ${formatBytes(p.rssBytes)} | ${escapeMd(what)} |\n`);
    }
    if (sample.processes.length > 12) md.appendMarkdown(`\n…and ${sample.processes.length - 12} more.\n`);
    md.appendMarkdown(`\n[Show memory](command:${COMMANDS.showMemory})`);
    this.setTooltip(md);
  }

  private cancelPending(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }

  /** The tooltip, naming the folder when there is more than one to tell apart. */
  private setTooltip(tooltip: string | vscode.MarkdownString): void {
    const label = this.services.folderLabel();
    if (label === undefined) this.item.tooltip = tooltip;
    else if (typeof tooltip === 'string') this.item.tooltip = `${tooltip}\n\nFolder: ${label}`;
    else this.item.tooltip = tooltip.appendMarkdown(`\n\nFolder: **${escapeMd(label)}**`);
  }

  private paintStatus(status: RunnerStatus): void {
    if (status.state !== 'running' && status.state !== 'watching') this.cancelPending();
    if (status.state === 'running' || status.state === 'watching') {
      const latest = this.services.latestMemory();
      if (latest && status.state === 'running') return this.paintSample(latest);
      if (status.state === 'watching') {
        this.item.text = latest ? `$(eye) ${formatBytes(latest.treeRssBytes)} / ${formatBytes(latest.limitBytes)}` : '$(eye) Redline';
        this.setTooltip('Redline is watching: tests run when files change.');
        return;
      }
    }
    const report = this.services.lastReport();
    this.item.backgroundColor = status.state === 'failed' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    // The previous paint may have been another folder's at-rest figure, which dims the text.
    this.item.color = undefined;
    if (status.state === 'failed' || status.state === 'untrusted' || status.state === 'restarting' || status.state === 'starting') {
      const icon = status.state === 'failed' ? '$(error)' : status.state === 'untrusted' ? '$(shield)' : '$(sync~spin)';
      this.item.text = `${icon} Redline`;
      this.setTooltip(status.message ?? `Runner ${status.state}`);
      return;
    }
    if (report) {
      this.item.text = `$(pulse) ${formatBytes(report.memory.peakBytes)} / ${formatBytes(report.memory.limitBytes)}`;
      this.setTooltip(`Redline — peak memory of the last run: ${formatBytes(report.memory.peakBytes)} of ${formatBytes(report.memory.limitBytes)}. Nothing runs now. Click for the memory panel.`);
      this.item.color = new vscode.ThemeColor('descriptionForeground');
    } else {
      this.item.text = '$(pulse) Redline';
      this.setTooltip('Redline — no tests run yet. Memory is shown here while tests run; click for the memory panel.');
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function tierBackground(tier: MemorySample['tier']): vscode.ThemeColor | undefined {
  if (tier === 'warning') return new vscode.ThemeColor('statusBarItem.warningBackground');
  if (tier === 'critical' || tier === 'emergency' || tier === 'terminal') return new vscode.ThemeColor('statusBarItem.errorBackground');
  return undefined;
}

function escapeMd(text: string): string {
  return text.replace(/[|\\`*_[\]<>]/g, (c) => `\\${c}`);
}
