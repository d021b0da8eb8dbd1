// Times as the panels show them. Pure: the caller passes "now", so a test (and a page that
// re-renders every few seconds) gets the same text for the same instant.

/** "just now", "42 s ago", "5 min ago", "3 h ago", "2 days ago". A future time reads "just now". */
export function formatAgo(thenMs: number, nowMs: number): string {
  const seconds = Math.floor((nowMs - thenMs) / 1000);
  if (!Number.isFinite(seconds) || seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

/** "2025-01-02 03:04" in the page's local time zone: sortable, and unambiguous in any locale. */
export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '—';
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** "03:04:05" local time, for events of the last hours. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '—';
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** "+12.3 s" / "+2 m 05 s": a moment of a run, counted from its start. */
export function formatRunOffset(ms: number): string {
  const total = Math.max(0, ms);
  if (total < 60_000) return `+${(total / 1000).toFixed(1)} s`;
  const seconds = Math.round(total / 1000);
  if (seconds < 3600) return `+${Math.floor(seconds / 60)} m ${pad2(seconds % 60)} s`;
  return `+${Math.floor(seconds / 3600)} h ${pad2(Math.floor((seconds % 3600) / 60))} m`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
