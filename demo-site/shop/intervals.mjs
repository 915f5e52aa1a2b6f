// Confidence intervals on one axis, as SVG: the demo's uplift page and merchant dashboard draw with this. Data is
// written as SVG attributes and text, never as markup.
const SVG = 'http://www.w3.org/2000/svg';
const finite = (x) => typeof x === 'number' && Number.isFinite(x);

export function svgNode(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** An interval { estimate, lower, upper } with all three finite. */
export function isInterval(r) {
  return [r?.lower, r?.upper, r?.estimate].every(finite);
}

/** Round tick values between lo and hi. */
export function ticks(lo, hi) {
  const raw = (hi - lo) / 5;
  const steps = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100];
  const step = steps.find((s) => s >= raw) ?? raw;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-12; v += step) out.push(Math.round(v / step) * step);
  return out;
}

/**
 * One row per entry: { label, interval, reference?, marker? }. The interval is a thick line with its estimate; an
 * interval that crosses 0 is drawn as such. A reference interval is a thin line below it (class referenceClass),
 * a marker a short vertical line (class "marker", e.g. a known true value). 0 is marked on the axis.
 */
export function intervalChart(rows, { format, ariaLabel, referenceClass = 'reference' }) {
  const entries = rows.filter((r) => isInterval(r.interval));
  if (entries.length === 0) return null;
  const width = 760,
    labelWidth = 300,
    right = 30,
    rowHeight = 48,
    top = 16;
  const height = top + rowHeight * entries.length + 34;
  const values = entries.flatMap((r) => [
    r.interval.lower,
    r.interval.upper,
    ...(isInterval(r.reference) ? [r.reference.lower, r.reference.upper] : []),
    ...(finite(r.marker) ? [r.marker] : []),
  ]);
  let lo = Math.min(0, ...values);
  let hi = Math.max(0, ...values);
  const pad = (hi - lo) * 0.08 || 0.01;
  lo -= pad;
  hi += pad;
  const x = (v) => labelWidth + ((v - lo) / (hi - lo)) * (width - labelWidth - right);
  const svg = svgNode('svg', {
    class: 'ci-chart',
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': ariaLabel,
  });
  const axisY = top + rowHeight * entries.length + 4;
  svg.append(svgNode('line', { class: 'axis', x1: labelWidth, x2: width - right, y1: axisY, y2: axisY }));
  for (const t of ticks(lo, hi))
    svg.append(svgNode('text', { class: 'tick', x: x(t), y: axisY + 18, 'text-anchor': 'middle' }, format(t)));
  svg.append(svgNode('line', { class: 'zero', x1: x(0), x2: x(0), y1: top - 6, y2: axisY }));
  entries.forEach((r, i) => {
    const y = top + rowHeight * i + rowHeight / 2;
    const { lower, upper, estimate } = r.interval;
    const crosses = lower <= 0 && upper >= 0 ? ' crosses' : '';
    svg.append(
      svgNode('text', { x: 0, y: y + 4 }, r.label),
      svgNode('line', { class: `interval${crosses}`, x1: x(lower), x2: x(upper), y1: y, y2: y }),
      svgNode('circle', { class: `estimate${crosses}`, cx: x(estimate), cy: y, r: 5 }),
      svgNode('title', {}, `${r.label}: ${format(estimate)} (95% CI ${format(lower)} to ${format(upper)})`)
    );
    if (isInterval(r.reference)) {
      const yr = y + 12;
      svg.append(
        svgNode('line', { class: referenceClass, x1: x(r.reference.lower), x2: x(r.reference.upper), y1: yr, y2: yr }),
        svgNode('circle', { class: referenceClass, cx: x(r.reference.estimate), cy: yr, r: 3.5 })
      );
    }
    if (finite(r.marker))
      svg.append(svgNode('line', { class: 'marker', x1: x(r.marker), x2: x(r.marker), y1: y - 12, y2: y + 18 }));
  });
  return svg;
}
