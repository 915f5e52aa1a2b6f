// The lab's charts as SVG built with DOM calls (createElementNS, attributes, textContent): labels are data, never
// markup. Colours and line styles come from lab.css classes, since the CSP allows no inline style.
const SVG_NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null) node.setAttribute(key, String(value));
  }
  if (text !== undefined) node.textContent = text;
  return node;
}

function frame(width, height, label) {
  return svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': label });
}

const pct = (x) => (100 * x).toFixed(2);
const round = (x) => Math.round(x * 10) / 10;

/** A step for about `count` axis ticks over [0, max]: 1, 2 or 5 times a power of ten. */
function tickStep(max, count = 5) {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
}

function ticks(max, count) {
  const step = tickStep(max, count);
  const out = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/**
 * Horizontal bars, two per method: HR@20 and MRR@20.
 * @param {{label: string, hr: number, mrr: number, kind: string}[]} rows fractions; kind is a CSS modifier
 */
export function barChart(rows) {
  const width = 680,
    labelWidth = 200,
    right = 60,
    top = 40,
    rowHeight = 38;
  const height = top + rows.length * rowHeight + 8;
  const max = Math.max(0.6, ...rows.map((r) => r.hr)) * 100;
  const x = (value) => labelWidth + ((width - labelWidth - right) * value * 100) / max;
  const root = frame(width, height, 'HR@20 and MRR@20 per method');
  for (const t of ticks(max, 6)) {
    root.append(
      svg('line', { x1: round(x(t / 100)), x2: round(x(t / 100)), y1: top - 6, y2: height - 4, class: 'grid' }),
      svg('text', { x: round(x(t / 100)), y: top - 10, class: 'axis', 'text-anchor': 'middle' }, `${t}%`)
    );
  }
  root.append(
    svg('rect', { x: width - 190, y: 2, width: 10, height: 10, class: 'bar-hr' }),
    svg('text', { x: width - 176, y: 11, class: 'axis' }, 'HR@20'),
    svg('rect', { x: width - 120, y: 2, width: 10, height: 10, class: 'bar-mrr' }),
    svg('text', { x: width - 106, y: 11, class: 'axis' }, 'MRR@20')
  );
  rows.forEach((row, i) => {
    const y = top + i * rowHeight;
    const g = svg('g', { class: `row row-${row.kind}` });
    g.append(svg('text', { x: labelWidth - 8, y: y + 22, class: 'label', 'text-anchor': 'end' }, row.label));
    for (const [key, dy, cls] of [
      ['hr', 6, 'bar-hr'],
      ['mrr', 20, 'bar-mrr'],
    ]) {
      const end = x(row[key]);
      g.append(
        svg('rect', { x: labelWidth, y: y + dy, width: round(Math.max(0, end - labelWidth)), height: 12, class: cls }),
        svg('text', { x: round(end + 4), y: y + dy + 10, class: 'value' }, pct(row[key]))
      );
    }
    root.append(g);
  });
  return root;
}

/**
 * HR@20 and MRR@20 of the live run against examples done, with the native evaluator's figures as dashed lines.
 * @param {{done: number, hr: number, mrr: number}[]} points
 * @param {{total: number, nativeHr?: number, nativeMrr?: number}} scale
 */
export function traceChart(points, { total, nativeHr, nativeMrr }) {
  const width = 680,
    height = 260,
    left = 44,
    right = 16,
    top = 12,
    bottom = 30;
  const yMax = Math.max(0.6, ...points.map((p) => p.hr), nativeHr ?? 0) * 100;
  const x = (done) => left + ((width - left - right) * done) / Math.max(1, total);
  const y = (value) => top + (height - top - bottom) * (1 - (value * 100) / yMax);
  const root = frame(width, height, 'HR@20 and MRR@20 as the replay goes on');
  for (const t of ticks(yMax, 6)) {
    root.append(
      svg('line', { x1: left, x2: width - right, y1: round(y(t / 100)), y2: round(y(t / 100)), class: 'grid' }),
      svg('text', { x: left - 6, y: round(y(t / 100)) + 4, class: 'axis', 'text-anchor': 'end' }, `${t}%`)
    );
  }
  for (const t of ticks(total, 5)) {
    root.append(
      svg('text', { x: round(x(t)), y: height - 10, class: 'axis', 'text-anchor': 'middle' }, t.toLocaleString('en'))
    );
  }
  for (const [value, cls] of [
    [nativeHr, 'native-hr'],
    [nativeMrr, 'native-mrr'],
  ]) {
    if (value !== undefined)
      root.append(svg('line', { x1: left, x2: width - right, y1: round(y(value)), y2: round(y(value)), class: cls }));
  }
  [
    ['HR@20', 'line-hr'],
    ['MRR@20', 'line-mrr'],
  ].forEach(([label, cls], i) => {
    const lx = width - right - 170 + i * 85;
    root.append(
      svg('line', { x1: lx, x2: lx + 18, y1: top + 8, y2: top + 8, class: cls }),
      svg('text', { x: lx + 22, y: top + 12, class: 'axis' }, label)
    );
  });
  for (const [key, cls] of [
    ['hr', 'line-hr'],
    ['mrr', 'line-mrr'],
  ]) {
    const coords = points.map((p) => `${round(x(p.done))},${round(y(p[key]))}`).join(' ');
    if (points.length > 0) root.append(svg('polyline', { points: coords, class: cls }));
  }
  return root;
}

/**
 * Histogram of call times (ms, sorted ascending) on a logarithmic time axis, since a few slow calls (the machine
 * busy elsewhere, a garbage collection) sit far from the rest; the percentiles are marked. Times below the first
 * bin (the timer's step can read 0) count in it.
 */
export function latencyHistogram(sorted, { p50, p95, p99 }) {
  const width = 680,
    height = 220,
    left = 44,
    right = 16,
    top = 22,
    bottom = 30,
    binsPerDecade = 10;
  const root = frame(width, height, 'Histogram of top-20 call times');
  if (sorted.length === 0) return root;
  const lo = 10 ** Math.floor(Math.log10(Math.max(sorted.find((t) => t > 0) ?? 0.1, 0.01)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(sorted[sorted.length - 1], lo * 10)));
  const bins = Math.round(Math.log10(hi / lo) * binsPerDecade);
  const counts = new Array(bins).fill(0);
  for (const t of sorted) {
    counts[Math.min(bins - 1, Math.max(0, Math.floor(Math.log10(Math.max(t, lo) / lo) * binsPerDecade)))] += 1;
  }
  const most = Math.max(...counts);
  const x = (ms) => left + ((width - left - right) * Math.log10(Math.max(ms, lo) / lo)) / Math.log10(hi / lo);
  const y = (n) => top + (height - top - bottom) * (1 - n / most);
  for (const t of ticks(most, 4)) {
    root.append(
      svg('line', { x1: left, x2: width - right, y1: round(y(t)), y2: round(y(t)), class: 'grid' }),
      svg('text', { x: left - 6, y: round(y(t)) + 4, class: 'axis', 'text-anchor': 'end' }, t.toLocaleString('en'))
    );
  }
  const binWidth = (width - left - right) / bins;
  counts.forEach((n, i) => {
    if (n > 0)
      root.append(
        svg('rect', {
          x: round(left + i * binWidth + 0.5),
          y: round(y(n)),
          width: round(binWidth - 1),
          height: round(y(0) - y(n)),
          class: 'bar-latency',
        })
      );
  });
  for (let decade = lo; decade <= hi * 1.0001; decade *= 10) {
    for (const m of [1, 2, 5]) {
      const t = Number((decade * m).toPrecision(6));
      if (t > hi * 1.0001) break;
      root.append(svg('text', { x: round(x(t)), y: height - 10, class: 'axis', 'text-anchor': 'middle' }, String(t)));
    }
  }
  [
    ['p50', p50],
    ['p95', p95],
    ['p99', p99],
  ].forEach(([label, value], i) => {
    root.append(
      svg('line', { x1: round(x(value)), x2: round(x(value)), y1: top - 4, y2: height - bottom, class: 'mark' }),
      svg('text', { x: round(x(value)) + 3, y: top - 8 + i * 12, class: 'axis' }, label)
    );
  });
  return root;
}
