/**
 * bench/results/latest.json as text a reviewer can read in a diff: numbers rounded to what the
 * report shows at most (whole numbers from 1 000 on, four decimals below), and every object or
 * array that fits on one line kept on one.
 */
const WIDTH = 140;

function rounded(_key: string, value: unknown): unknown {
  if (typeof value !== 'number' || Number.isInteger(value)) return value;
  return Math.abs(value) >= 1000 ? Math.round(value) : Math.round(value * 10_000) / 10_000;
}

function layout(value: unknown, indent: string): string {
  const flat = JSON.stringify(value);
  if (typeof value !== 'object' || value === null || indent.length + flat.length <= WIDTH) return flat;
  const inner = `${indent}  `;
  const lines = Array.isArray(value)
    ? value.map((item) => inner + layout(item, inner))
    : Object.entries(value).map(([key, item]) => `${inner}${JSON.stringify(key)}: ${layout(item, inner)}`);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  return `${open}\n${lines.join(',\n')}\n${indent}${close}`;
}

/** The results file's text. */
export function resultsJson(results: unknown): string {
  return `${layout(JSON.parse(JSON.stringify(results, rounded)), '')}\n`;
}
