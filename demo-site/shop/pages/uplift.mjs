// The uplift page: the offline A/B test on held-out simulated shoppers written by tools/uplift.mjs (tools/demo.sh
// runs it after training). Everything from the JSON is written as text or as SVG attributes, never as markup.
import { el } from '../dom.mjs';
import { loadCatalog } from '../catalog.mjs';
import { renderLayout } from '../layout.mjs';

const RESULT_URL = '/catalog/uplift.json';
const SVG = 'http://www.w3.org/2000/svg';
const DIGITS = { conversion: 3, clickThrough: 3, revenuePerSession: 2 };
const DEFINITION_LABELS = {
  session: 'Session', listingImpression: 'Listing impression', click: 'Click', conversion: 'Conversion',
  clickThrough: 'Click-through', revenuePerSession: 'Revenue per session',
};

let catalog = null;
try {
  catalog = await loadCatalog();
} catch {
  // the page reads fine without the category menu
}
renderLayout(catalog, { current: 'uplift' });

const finite = (x) => typeof x === 'number' && Number.isFinite(x);
const number = (x, digits) => (finite(x) ? x.toFixed(digits) : 'n/a');
const percent = (x) => (finite(x) ? `${x > 0 ? '+' : ''}${(100 * x).toFixed(1)}%` : 'n/a');

/** A table cell: the estimate, and its interval below it. */
function cell(interval, format, className) {
  return el('td', { class: className }, format(interval?.estimate),
    el('span', { class: 'ci', text: `95% CI ${format(interval?.lower)} to ${format(interval?.upper)}` }));
}

function renderTable(result) {
  const ceiling = result.reference?.metrics ?? {};
  const rows = Object.entries(result.metrics).map(([key, m]) => {
    const f = (x) => number(x, DIGITS[key] ?? 3);
    return el('tr', {}, el('th', { scope: 'row', text: m.label }), cell(m.off, f), cell(m.on, f), cell(m.difference, f),
      cell(m.relative, percent), cell(ceiling[key]?.relative, percent, 'reference'));
  });
  document.getElementById('results').replaceChildren(
    el('thead', {}, el('tr', {}, ['Metric', 'Personalization off', 'Personalization on', 'Difference (on − off)', 'Relative uplift',
      'Ceiling: ordered by hidden tastes'].map((text) => el('th', { scope: 'col', text })))),
    el('tbody', {}, rows));
}

function svgNode(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Relative uplift of every metric as an interval on one axis in %, with 0 marked. */
function renderChart(result) {
  const defined = (r) => [r?.lower, r?.upper, r?.estimate].every(finite);
  const ceiling = result.reference?.metrics ?? {};
  const entries = Object.entries(result.metrics).filter(([, m]) => defined(m.relative))
    .map(([key, m]) => ({ ...m, ceiling: defined(ceiling[key]?.relative) ? ceiling[key].relative : null }));
  const host = document.getElementById('chart');
  if (entries.length === 0) {
    host.replaceChildren(el('p', { class: 'note', text: 'No interval to draw.' }));
    return;
  }
  const width = 760, labelWidth = 300, right = 30, rowHeight = 48, top = 16;
  const height = top + rowHeight * entries.length + 34;
  const intervals = entries.flatMap((m) => [m.relative, m.ceiling].filter(Boolean));
  let lo = Math.min(0, ...intervals.map((r) => r.lower));
  let hi = Math.max(0, ...intervals.map((r) => r.upper));
  const pad = (hi - lo) * 0.08 || 0.01;
  lo -= pad;
  hi += pad;
  const x = (v) => labelWidth + ((v - lo) / (hi - lo)) * (width - labelWidth - right);
  const svg = svgNode('svg', { class: 'ci-chart', viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': 'Relative uplift of each metric with its 95% confidence interval' });
  const axisY = top + rowHeight * entries.length + 4;
  svg.append(svgNode('line', { class: 'axis', x1: labelWidth, x2: width - right, y1: axisY, y2: axisY }));
  for (const t of ticks(lo, hi)) {
    svg.append(svgNode('text', { class: 'tick', x: x(t), y: axisY + 18, 'text-anchor': 'middle' }, percent(t)));
  }
  svg.append(svgNode('line', { class: 'zero', x1: x(0), x2: x(0), y1: top - 6, y2: axisY }));
  entries.forEach((m, i) => {
    const y = top + rowHeight * i + rowHeight / 2;
    const crosses = m.relative.lower <= 0 && m.relative.upper >= 0;
    svg.append(
      svgNode('text', { x: 0, y: y + 4 }, m.label),
      svgNode('line', { class: `interval${crosses ? ' crosses' : ''}`, x1: x(m.relative.lower), x2: x(m.relative.upper), y1: y, y2: y }),
      svgNode('circle', { class: `estimate${crosses ? ' crosses' : ''}`, cx: x(m.relative.estimate), cy: y, r: 5 }),
      svgNode('title', {}, `${m.label}: ${percent(m.relative.estimate)} (95% CI ${percent(m.relative.lower)} to ${percent(m.relative.upper)})`));
    if (m.ceiling) {
      const yc = y + 12;
      svg.append(
        svgNode('line', { class: 'ceiling', x1: x(m.ceiling.lower), x2: x(m.ceiling.upper), y1: yc, y2: yc }),
        svgNode('circle', { class: 'ceiling', cx: x(m.ceiling.estimate), cy: yc, r: 3.5 }));
    }
  });
  host.replaceChildren(svg);
}

/** Round tick values (fractions) between lo and hi. */
function ticks(lo, hi) {
  const raw = (hi - lo) / 5;
  const step = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1].find((s) => s >= raw) ?? raw;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-12; v += step) out.push(Math.round(v / step) * step);
  return out;
}

function renderText(result) {
  document.getElementById('summary').textContent = `${result.shoppers} held-out simulated shoppers, ` +
    `${result.sessions} sessions in each arm. Estimates with 95% confidence intervals.`;
  document.getElementById('definitions').replaceChildren(...Object.entries(result.definitions ?? {}).flatMap(([key, text]) =>
    [el('dt', { text: DEFINITION_LABELS[key] ?? key }), el('dd', { text })]));
  document.getElementById('method').textContent = `Intervals: ${result.method}. Listings: ${result.listing}.`;
  document.getElementById('command').textContent = result.command ?? 'node tools/uplift.mjs';
}

try {
  const response = await fetch(RESULT_URL);
  if (response.status === 404) throw new Error('No results yet: tools/demo.sh computes them after training the model (node tools/uplift.mjs).');
  if (!response.ok) throw new Error(`Could not load the results: HTTP ${response.status}.`);
  const result = await response.json();
  if (!result?.metrics) throw new Error('The results file has no metrics.');
  renderText(result);
  renderTable(result);
  renderChart(result);
} catch (e) {
  document.getElementById('summary').textContent = '';
  document.getElementById('message').textContent = e?.message ?? String(e);
}
