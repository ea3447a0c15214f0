/** Text tables for the terminal (bold green best values on a TTY, `*` otherwise), CSV and Markdown. */

export interface TableData {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Per row, per column (excluding the first), whether the cell is a best value. */
  readonly best?: readonly (readonly boolean[])[];
}

const BOLD_GREEN = '\u001b[1;32m';
const RESET = '\u001b[0m';

export function renderText(t: TableData, tty: boolean): string[] {
  const cells = t.rows.map((row, r) => row.map((c, i) => (i > 0 && t.best?.[r]?.[i - 1] && !tty ? `${c}*` : c)));
  const widths = t.header.map((h, i) => Math.max(h.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[], r?: number): string =>
    row
      .map((c, i) => {
        const padded = i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0);
        return tty && r !== undefined && i > 0 && t.best?.[r]?.[i - 1] ? `${BOLD_GREEN}${padded}${RESET}` : padded;
      })
      .join('  ');
  return [line(t.header), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.map((row, r) => line(row, r))];
}

function csvCell(c: string): string {
  return /[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c;
}

export function renderCsv(t: TableData): string[] {
  return [t.header, ...t.rows].map((row) => row.map(csvCell).join(','));
}

export function renderMarkdown(t: TableData): string[] {
  const row = (r: readonly string[]): string => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  const body = t.rows.map((r, ri) => r.map((c, i) => (i > 0 && t.best?.[ri]?.[i - 1] ? `**${c}**` : c)));
  return [row(t.header), row(t.header.map((_, i) => (i === 0 ? '---' : '---:'))), ...body.map(row)];
}

export function cell(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : String(v);
}
