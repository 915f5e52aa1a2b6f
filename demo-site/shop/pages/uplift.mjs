// The uplift page: the offline A/B test on held-out simulated shoppers written by tools/uplift.mjs (tools/demo.sh
// runs it after training). Everything from the JSON is written as text or as SVG attributes, never as markup.
import { el } from '../dom.mjs';
import { loadCatalog } from '../catalog.mjs';
import { renderLayout } from '../layout.mjs';
import { intervalChart } from '../intervals.mjs';

const RESULT_URL = '/catalog/uplift.json';
const DIGITS = { conversion: 3, clickThrough: 3, revenuePerSession: 2 };
const DEFINITION_LABELS = {
  session: 'Session',
  listingImpression: 'Listing impression',
  click: 'Click',
  conversion: 'Conversion',
  clickThrough: 'Click-through',
  revenuePerSession: 'Revenue per session',
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
  return el(
    'td',
    { class: className },
    format(interval?.estimate),
    el('span', { class: 'ci', text: `95% CI ${format(interval?.lower)} to ${format(interval?.upper)}` })
  );
}

function renderTable(result) {
  const ceiling = result.reference?.metrics ?? {};
  const rows = Object.entries(result.metrics).map(([key, m]) => {
    const f = (x) => number(x, DIGITS[key] ?? 3);
    return el(
      'tr',
      {},
      el('th', { scope: 'row', text: m.label }),
      cell(m.off, f),
      cell(m.on, f),
      cell(m.difference, f),
      cell(m.relative, percent),
      cell(ceiling[key]?.relative, percent, 'reference')
    );
  });
  document.getElementById('results').replaceChildren(
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        [
          'Metric',
          'Personalization off',
          'Personalization on',
          'Difference (on − off)',
          'Relative uplift',
          'Ceiling: ordered by hidden tastes',
        ].map((text) => el('th', { scope: 'col', text }))
      )
    ),
    el('tbody', {}, rows)
  );
}

/** Relative uplift of every metric as an interval on one axis in %, with 0 marked and the ceiling below. */
function renderChart(result) {
  const ceiling = result.reference?.metrics ?? {};
  const rows = Object.entries(result.metrics).map(([key, m]) => ({
    label: m.label,
    interval: m.relative,
    reference: ceiling[key]?.relative,
  }));
  const chart = intervalChart(rows, {
    format: percent,
    referenceClass: 'ceiling',
    ariaLabel: 'Relative uplift of each metric with its 95% confidence interval',
  });
  document.getElementById('chart').replaceChildren(chart ?? el('p', { class: 'note', text: 'No interval to draw.' }));
}

function renderText(result) {
  document.getElementById('summary').textContent =
    `${result.shoppers} held-out simulated shoppers, ` +
    `${result.sessions} sessions in each arm. Estimates with 95% confidence intervals.`;
  document
    .getElementById('definitions')
    .replaceChildren(
      ...Object.entries(result.definitions ?? {}).flatMap(([key, text]) => [
        el('dt', { text: DEFINITION_LABELS[key] ?? key }),
        el('dd', { text }),
      ])
    );
  document.getElementById('method').textContent = `Intervals: ${result.method}. Listings: ${result.listing}.`;
  document.getElementById('command').textContent = result.command ?? 'node tools/uplift.mjs';
}

try {
  const response = await fetch(RESULT_URL);
  if (response.status === 404)
    throw new Error('No results yet: tools/demo.sh computes them after training the model (node tools/uplift.mjs).');
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
