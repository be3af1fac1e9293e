import { type Summary, summarize } from './stats.js';

export type Cell = string | number;

/** Integers as is; other numbers with 2 decimals below 100, none above; thousands grouped. */
export function formatNumber(value: number): string {
  const digits = Number.isInteger(value) || Math.abs(value) >= 100 ? 0 : 2;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** Renders rows as an aligned text table: text columns left, numbers right. */
export function formatTable(rows: ReadonlyArray<Record<string, Cell>>): string {
  if (rows.length === 0) return '(no rows)';
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const text = rows.map((r) =>
    columns.map((c) => (typeof r[c] === 'number' ? formatNumber(r[c]) : (r[c] ?? ''))),
  );
  const numeric = columns.map((c) => rows.every((r) => r[c] === undefined || typeof r[c] === 'number'));
  const widths = columns.map((c, i) => Math.max(c.length, ...text.map((t) => (t[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ');
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...text.map(line)].join('\n');
}

/** Prints a titled table to stdout. */
export function printTable(title: string, rows: ReadonlyArray<Record<string, Cell>>): void {
  process.stdout.write(`\n${title}\n\n${formatTable(rows)}\n`);
}

/**
 * Prints contenders side by side from their raw samples (durations in `unit`): n, median, p95,
 * min, max, and each median relative to the first contender's (the baseline, e.g. COVINA).
 * Returns the summaries, for a verdict line or a JSON dump.
 */
export function printComparison(
  title: string,
  samples: Record<string, readonly number[]>,
  unit = 'ms',
): Record<string, Summary> {
  const summaries = Object.fromEntries(Object.entries(samples).map(([name, xs]) => [name, summarize(xs)]));
  const baseline = Object.values(summaries)[0]?.median ?? 1;
  printTable(
    title,
    Object.entries(summaries).map(([name, s]) => ({
      '': name,
      n: s.n,
      [`median ${unit}`]: s.median,
      [`p95 ${unit}`]: s.p95,
      [`min ${unit}`]: s.min,
      [`max ${unit}`]: s.max,
      'vs first': `${(s.median / baseline).toFixed(2)}x`,
    })),
  );
  return summaries;
}
