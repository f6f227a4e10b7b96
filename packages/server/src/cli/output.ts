/** Plain-text output helpers shared by the commands (no colours: output is often piped). */

export function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A left-aligned table with a header row; empty cells print as `-`. */
export function printTable(headers: string[], rows: Array<Array<string | null | undefined>>): void {
  const cells = [headers, ...rows.map((row) => row.map((cell) => (cell === null || cell === undefined || cell === '' ? '-' : cell)))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => row[column]!.length)));
  for (const row of cells)
    print(
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell!.padEnd(widths[column]!)))
        .join('  ')
        .trimEnd(),
    );
}

/** `2026-11-25 16:40:00Z`: sortable and short. */
export function formatDate(date: Date | null | undefined): string {
  if (!date) return '-';
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
}

/** `in 14 min` / `3 s ago`. */
export function relative(date: Date, now: Date): string {
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  const amount =
    abs < 120
      ? `${abs} s`
      : abs < 7200
        ? `${Math.round(abs / 60)} min`
        : abs < 172_800
          ? `${Math.round(abs / 3600)} h`
          : `${Math.round(abs / 86_400)} days`;
  return seconds >= 0 ? `in ${amount}` : `${amount} ago`;
}
