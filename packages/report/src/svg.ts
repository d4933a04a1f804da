import { formatQuantity } from '@lightcode/cost-model';

/** Escapes text for HTML and SVG content and attribute values. */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A qualitative palette that stays readable for common colour-vision deficiencies (Okabe-Ito). */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'];

export function colorOf(i: number): string {
  return PALETTE[i % PALETTE.length] as string;
}

const W = 720;
const H = 360;
const M = { left: 78, right: 44, top: 30, bottom: 48 };

/** A linear or log axis over [lo, hi] mapped onto [a, b] pixels, with readable ticks. */
interface Axis {
  map(v: number): number;
  ticks: number[];
}

function axis(lo: number, hi: number, a: number, b: number, log: boolean): Axis {
  if (log && lo > 0) {
    // pad the data range by 10 % each side and tick at 1-2-5 steps inside it
    const [l, h] = [Math.log10(lo / 1.1), Math.log10(hi * 1.1)];
    const ticks: number[] = [];
    for (let e = Math.floor(l); e <= Math.ceil(h); e++) {
      for (const m of h - l <= 3 ? [1, 2, 5] : [1]) {
        const t = m * 10 ** e;
        if (Math.log10(t) >= l && Math.log10(t) <= h) ticks.push(Number(t.toPrecision(12)));
      }
    }
    if (ticks.length < 2) ticks.splice(0, ticks.length, Number(lo.toPrecision(3)), Number(hi.toPrecision(3)));
    return { map: (v) => a + ((Math.log10(v) - l) / (h - l || 1)) * (b - a), ticks };
  }
  if (hi === lo) {
    hi = lo === 0 ? 1 : lo * 1.1;
    lo = lo === 0 ? 0 : lo * 0.9;
  }
  const raw = (hi - lo) / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((s) => s * mag >= raw) ?? 10) * mag;
  const t0 = Math.floor(lo / step) * step;
  const t1 = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let t = t0; t <= t1 + step / 2; t += step) ticks.push(Number(t.toPrecision(12)));
  return { map: (v) => a + ((v - t0) / (t1 - t0 || 1)) * (b - a), ticks };
}

function tickLabel(v: number, unit: string, digits = 3): string {
  return unit === '' || unit === 'tokens' ? String(Number(v.toPrecision(6))) : formatQuantity(v, unit, digits);
}

/** Significant digits that tell adjacent ticks apart (a narrow range far from zero needs more). */
function tickDigits(ticks: readonly number[]): number {
  const step = Math.min(...ticks.slice(1).map((t, i) => Math.abs(t - (ticks[i] as number))));
  const top = Math.max(...ticks.map(Math.abs));
  return step > 0 && Number.isFinite(step) ? Math.min(8, Math.max(3, Math.ceil(Math.log10(top / step)) + 1)) : 3;
}

/** One named series of (x, y) points. */
export interface Series {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
}

export interface XYChart {
  readonly title: string;
  readonly x: { readonly label: string; readonly unit: string; readonly log?: boolean };
  readonly y: { readonly label: string; readonly unit: string; readonly log?: boolean };
  readonly series: readonly Series[];
  /** Join points with lines (sweeps) or only mark them (a Pareto front is joined too, as steps are not meaningful). */
  readonly lines?: boolean;
  /** Vertical markers (crossings), at x with a label. */
  readonly markers?: readonly { readonly x: number; readonly label: string }[];
}

function frame(title: string, body: string, kind: string, points: number): string {
  return `<svg class="chart" data-kind="${esc(kind)}" data-points="${points}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}" xmlns="http://www.w3.org/2000/svg"><title>${esc(title)}</title><text x="${W / 2}" y="18" text-anchor="middle" class="title">${esc(title)}</text>${body}</svg>`;
}

/** A line or scatter chart with axes, ticks, unit labels and a legend. */
export function xyChart(c: XYChart): string {
  const all = c.series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const pos = (v: number[]) => v.filter((x) => x > 0);
  const xLog = c.x.log === true && pos(xs).length === xs.length && xs.length > 0;
  const yLog = c.y.log === true && pos(ys).length === ys.length && ys.length > 0;
  // axes span the data (a Pareto front's interest is its spread, not its distance from zero)
  const X = axis(Math.min(...xs), Math.max(...xs), M.left, W - M.right, xLog);
  const Y = axis(Math.min(...ys), Math.max(...ys), H - M.bottom, M.top, yLog);
  const [xd, yd] = [tickDigits(X.ticks), tickDigits(Y.ticks)];
  const grid = [
    ...X.ticks.map(
      (t) =>
        `<line x1="${X.map(t)}" x2="${X.map(t)}" y1="${M.top}" y2="${H - M.bottom}" class="grid"/><text x="${X.map(t)}" y="${H - M.bottom + 16}" text-anchor="middle">${esc(tickLabel(t, c.x.unit, xd))}</text>`,
    ),
    ...Y.ticks.map(
      (t) =>
        `<line x1="${M.left}" x2="${W - M.right}" y1="${Y.map(t)}" y2="${Y.map(t)}" class="grid"/><text x="${M.left - 6}" y="${Y.map(t) + 4}" text-anchor="end">${esc(tickLabel(t, c.y.unit, yd))}</text>`,
    ),
  ].join('');
  const axes = `<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" class="axis"/><line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}" class="axis"/><text x="${(M.left + W - M.right) / 2}" y="${H - 8}" text-anchor="middle" class="label">${esc(c.x.label)} (${esc(c.x.unit || '1')})</text><text transform="translate(14 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle" class="label">${esc(c.y.label)} (${esc(c.y.unit)})</text>`;
  const data = c.series
    .map((s, i) => {
      const color = colorOf(i);
      const pts = [...s.points].sort((a, b) => a[0] - b[0]);
      const line =
        c.lines !== false && pts.length > 1
          ? `<polyline class="series" fill="none" stroke="${color}" stroke-width="2" points="${pts.map(([x, y]) => `${X.map(x).toFixed(1)},${Y.map(y).toFixed(1)}`).join(' ')}"/>`
          : '';
      const dots = pts
        .map(
          ([x, y]) =>
            `<circle class="point" cx="${X.map(x).toFixed(1)}" cy="${Y.map(y).toFixed(1)}" r="3" fill="${color}"><title>${esc(`${s.name}: ${tickLabel(x, c.x.unit)}, ${formatQuantity(y, c.y.unit, 4)}`)}</title></circle>`,
        )
        .join('');
      return `<g data-series="${esc(s.name)}">${line}${dots}</g>`;
    })
    .join('');
  const markers = (c.markers ?? [])
    .map(
      (m) =>
        `<line class="marker" x1="${X.map(m.x)}" x2="${X.map(m.x)}" y1="${M.top}" y2="${H - M.bottom}" stroke="#D55E00" stroke-dasharray="4 3"/><text x="${X.map(m.x) + 4}" y="${M.top + 12}" class="marker-label">${esc(m.label)}</text>`,
    )
    .join('');
  const legend = c.series
    .map(
      (s, i) =>
        `<g transform="translate(${M.left + 10} ${M.top + 8 + i * 16})"><rect width="10" height="10" fill="${colorOf(i)}"/><text x="14" y="9">${esc(s.name)}</text></g>`,
    )
    .join('');
  return frame(c.title, `${grid}${axes}${data}${markers}${legend}`, 'xy', all.length);
}

/** Horizontal bars with values and units. */
export function barChart(title: string, unit: string, bars: readonly { readonly label: string; readonly value: number }[]): string {
  const h = M.top + 24 * bars.length + 8;
  const max = Math.max(...bars.map((b) => b.value), 0) || 1;
  const left = 150;
  const width = W - left - 120;
  const body = bars
    .map((b, i) => {
      const y = M.top + i * 24;
      const w = (b.value / max) * width;
      return `<g class="bar"><text x="${left - 6}" y="${y + 14}" text-anchor="end">${esc(b.label)}</text><rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="18" fill="${colorOf(i)}"><title>${esc(`${b.label}: ${formatQuantity(b.value, unit, 4)}`)}</title></rect><text x="${left + w + 6}" y="${y + 14}">${esc(unit === '' ? String(b.value) : formatQuantity(b.value, unit, 3))}</text></g>`;
    })
    .join('');
  return `<svg class="chart" data-kind="bar" data-points="${bars.length}" viewBox="0 0 ${W} ${h}" width="${W}" height="${h}" role="img" aria-label="${esc(title)}" xmlns="http://www.w3.org/2000/svg"><title>${esc(title)}</title><text x="${W / 2}" y="18" text-anchor="middle" class="title">${esc(title)}</text>${body}</svg>`;
}

export interface GanttItem {
  readonly row: string;
  readonly startS: number;
  readonly endS: number;
  readonly label: string;
  /** Index into the palette (by device class). */
  readonly color: number;
}

/** A schedule: one row per instance, one bar per op (or tile), time in seconds on the x axis. */
export function ganttChart(title: string, rows: readonly string[], items: readonly GanttItem[]): string {
  const h = M.top + 22 * rows.length + M.bottom;
  const left = 110;
  const end = Math.max(...items.map((i) => i.endS), 0);
  const X = axis(0, end || 1, left, W - M.right, false);
  const rowY = new Map(rows.map((r, i) => [r, M.top + i * 22]));
  const ticks = X.ticks
    .map(
      (t) =>
        `<line x1="${X.map(t)}" x2="${X.map(t)}" y1="${M.top}" y2="${h - M.bottom}" class="grid"/><text x="${X.map(t)}" y="${h - M.bottom + 16}" text-anchor="middle">${esc(formatQuantity(t, 's', 3))}</text>`,
    )
    .join('');
  const labels = rows.map((r) => `<text x="${left - 6}" y="${(rowY.get(r) ?? 0) + 14}" text-anchor="end">${esc(r)}</text>`).join('');
  const bars = items
    .map((it) => {
      const y = rowY.get(it.row) ?? 0;
      const x = X.map(it.startS);
      const w = Math.max(0.5, X.map(it.endS) - x);
      return `<rect class="op" x="${x.toFixed(2)}" y="${y}" width="${w.toFixed(2)}" height="18" fill="${colorOf(it.color)}"><title>${esc(`${it.label}: ${formatQuantity(it.startS, 's', 4)} to ${formatQuantity(it.endS, 's', 4)}`)}</title></rect>`;
    })
    .join('');
  const axisLine = `<line x1="${left}" x2="${W - M.right}" y1="${h - M.bottom}" y2="${h - M.bottom}" class="axis"/><text x="${(left + W - M.right) / 2}" y="${h - 8}" text-anchor="middle" class="label">time (s)</text>`;
  return `<svg class="chart" data-kind="gantt" data-points="${items.length}" viewBox="0 0 ${W} ${h}" width="${W}" height="${h}" role="img" aria-label="${esc(title)}" xmlns="http://www.w3.org/2000/svg"><title>${esc(title)}</title><text x="${W / 2}" y="18" text-anchor="middle" class="title">${esc(title)}</text>${ticks}${labels}${bars}${axisLine}</svg>`;
}
