/**
 * Grouped horizontal bar charts as plain SVG strings (no chart library): one group per row label
 * (e.g. an algorithm), one coloured bar per series, a legend, an optional reference line.
 */

export interface ChartSeries {
  name: string;
  /** One value per group; undefined leaves a gap ("n/a"). */
  values: (number | undefined)[];
}

export interface ChartSpec {
  title: string;
  subtitle?: string;
  groups: string[];
  series: ChartSeries[];
  /** Formats a value for the bar's label. */
  format: (value: number) => string;
  /** Vertical reference line (e.g. 1.0x or a 5 ms target). */
  reference?: { value: number; label: string };
  /** Axis maximum; default: the largest value (or the reference) plus 10 %. */
  max?: number;
}

const COLORS = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#9d755d', '#eeca3b'];
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function barChart(spec: ChartSpec): string {
  const width = 860;
  const labelWidth = 90;
  const valueLabelWidth = 90;
  const barHeight = 14;
  const barGap = 3;
  const groupGap = 14;
  const top = spec.subtitle ? 62 : 46;
  const legendRows = Math.ceil(spec.series.length / 3);
  const plotWidth = width - labelWidth - valueLabelWidth - 20;
  const groupHeight = spec.series.length * (barHeight + barGap) - barGap;
  const plotHeight = spec.groups.length * (groupHeight + groupGap) - groupGap;
  const height = top + plotHeight + 30 + legendRows * 20 + 10;
  const all = spec.series.flatMap((s) => s.values.filter((v): v is number => v !== undefined && Number.isFinite(v)));
  const max = spec.max ?? Math.max(...all, spec.reference?.value ?? 0) * 1.1;
  const x = (v: number) => labelWidth + Math.max(0, Math.min(1, v / max)) * plotWidth;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${labelWidth}" y="22" font-size="15" font-weight="600" fill="#222">${escape(spec.title)}</text>`,
  ];
  if (spec.subtitle) parts.push(`<text x="${labelWidth}" y="40" font-size="11" fill="#555">${escape(spec.subtitle)}</text>`);
  spec.groups.forEach((group, g) => {
    const y0 = top + g * (groupHeight + groupGap);
    parts.push(
      `<text x="${labelWidth - 8}" y="${y0 + groupHeight / 2 + 4}" text-anchor="end" font-weight="600" fill="#222">${escape(group)}</text>`,
    );
    spec.series.forEach((series, s) => {
      const y = y0 + s * (barHeight + barGap);
      const value = series.values[g];
      if (value === undefined || !Number.isFinite(value)) {
        parts.push(`<text x="${labelWidth + 4}" y="${y + barHeight - 3}" fill="#999">n/a</text>`);
        return;
      }
      const w = Math.max(1, x(value) - labelWidth);
      parts.push(
        `<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="${COLORS[s % COLORS.length]}"><title>${escape(`${series.name} ${group}: ${spec.format(value)}`)}</title></rect>`,
      );
      parts.push(`<text x="${(labelWidth + w + 4).toFixed(1)}" y="${y + barHeight - 3}" fill="#333">${escape(spec.format(value))}</text>`);
    });
  });
  const axisY = top + plotHeight + 6;
  parts.push(`<line x1="${labelWidth}" y1="${top - 6}" x2="${labelWidth}" y2="${axisY}" stroke="#888"/>`);
  if (spec.reference) {
    const rx = x(spec.reference.value).toFixed(1);
    parts.push(`<line x1="${rx}" y1="${top - 6}" x2="${rx}" y2="${axisY}" stroke="#d62728" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${rx}" y="${axisY + 14}" text-anchor="middle" fill="#d62728">${escape(spec.reference.label)}</text>`);
  }
  const legendY = axisY + 30;
  spec.series.forEach((series, s) => {
    const lx = labelWidth + (s % 3) * 250;
    const ly = legendY + Math.floor(s / 3) * 20;
    parts.push(`<rect x="${lx}" y="${ly - 10}" width="12" height="12" fill="${COLORS[s % COLORS.length]}"/>`);
    parts.push(`<text x="${lx + 18}" y="${ly}" fill="#222">${escape(series.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
