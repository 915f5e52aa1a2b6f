// The merchant dashboard: `vitrine uplift` on private outcome reports from a simulated population, written by
// tools/report_simulation.mjs --dashboard (tools/demo.sh). Everything from the JSON is written as text or SVG
// attributes, never as markup.
import { el } from '../dom.mjs';
import { loadCatalog } from '../catalog.mjs';
import { renderLayout } from '../layout.mjs';
import { intervalChart } from '../intervals.mjs';

const RESULT_URL = '/catalog/dashboard.json';

let catalog = null;
try {
  catalog = await loadCatalog();
} catch {
  // the page reads fine without the category menu
}
renderLayout(catalog, { current: 'dashboard' });

const finite = (x) => typeof x === 'number' && Number.isFinite(x);
const fixed = (digits) => (x) => (finite(x) ? x.toFixed(digits) : 'n/a');
const signed = (digits) => (x) => (finite(x) ? `${x > 0 ? '+' : ''}${x.toFixed(digits)}` : 'n/a');
/** vitrine uplift writes { estimate, low, high }; the chart reads { estimate, lower, upper }. */
const interval = (r) => ({ estimate: r?.estimate, lower: r?.low, upper: r?.high });

function cell(r, format) {
  return el(
    'td',
    {},
    format(r?.estimate),
    el('span', { class: 'ci', text: `95% CI ${format(r?.low)} to ${format(r?.high)}` })
  );
}

function renderArms(result) {
  const u = result.uplift;
  const conversion = fixed(4);
  const revenue = fixed(2);
  const row = (label, arm) =>
    el(
      'tr',
      {},
      el('th', { scope: 'row', text: label }),
      el('td', { text: String(arm.reports) }),
      cell(arm.conversion, conversion),
      cell(arm.revenue, revenue)
    );
  document.getElementById('arms').replaceChildren(
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        [
          'Arm',
          'Reports',
          'Conversion (share of shopper-days with a purchase)',
          'Revenue per shopper-day (bucketed)',
        ].map((text) => el('th', { scope: 'col', text }))
      )
    ),
    el(
      'tbody',
      {},
      row('On: Vitrine reorders', u.on),
      row('Off: the shop\u2019s order (holdout)', u.off),
      el(
        'tr',
        {},
        el('th', { scope: 'row', text: 'Difference, on − off' }),
        el('td'),
        cell(u.difference.conversion, signed(4)),
        cell(u.difference.revenue, signed(2))
      )
    )
  );
}

function renderChart(result) {
  const rows = [
    { label: 'Conversion (points of share)', key: 'conversion', scale: 100 },
    { label: 'Revenue per shopper-day', key: 'revenue', scale: 1 },
  ].map(({ label, key, scale }) => {
    const s = (r) => ({ estimate: r.estimate * scale, lower: r.lower * scale, upper: r.upper * scale });
    return {
      label,
      interval: s(interval(result.uplift.difference[key])),
      reference: s(interval(result.nonPrivate[key])),
      marker: result.truth[key] * scale,
    };
  });
  // Two quantities on different scales: one chart each, so neither is squashed.
  const charts = rows.map((r) =>
    intervalChart([r], {
      format: signed(2),
      referenceClass: 'ceiling',
      ariaLabel: `${r.label}: difference with its 95% confidence interval, private and non-private, and the true effect`,
    })
  );
  document.getElementById('chart').replaceChildren(...charts.filter(Boolean));
}

function renderWidths(result) {
  document.getElementById('widths').replaceChildren(
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ['Epsilon per report', 'Epsilon per week (at most)', 'Conversion interval width', 'Revenue interval width'].map(
          (text) => el('th', { scope: 'col', text })
        )
      )
    ),
    el(
      'tbody',
      {},
      ...result.widths.map((w) =>
        el(
          'tr',
          {},
          el('th', { scope: 'row', text: String(w.epsilon) }),
          el('td', { text: String(w.perWeek) }),
          el('td', { text: fixed(4)(w.conversion) }),
          el('td', { text: fixed(2)(w.revenue) })
        )
      ),
      el(
        'tr',
        { class: 'reference' },
        el('th', { scope: 'row', text: 'no privacy (true outcomes)' }),
        el('td', { text: '—' }),
        el('td', { text: fixed(4)(result.nonPrivateWidth.conversion) }),
        el('td', { text: fixed(2)(result.nonPrivateWidth.revenue) })
      )
    )
  );
  document.getElementById('widths-note').textContent =
    'The width of the 95% interval of the difference, one simulated ' +
    `population of ${result.shoppers} shoppers at each epsilon (the same seed). A smaller epsilon keeps each shopper ` +
    'more private and needs more shoppers for the same precision.';
}

function renderText(result) {
  const u = result.uplift;
  document.getElementById('notice').textContent = result.notice;
  document.getElementById('summary').textContent =
    `${u.on.reports + u.off.reports} reports from ${result.shoppers} ` +
    `simulated shoppers (holdout ${result.holdout}); epsilon ${u.epsilon.per_report} per report, at most ` +
    `${u.epsilon.per_week} per shopper per week. True effect: conversion ${signed(4)(result.truth.conversion)}, ` +
    `revenue ${signed(2)(result.truth.revenue)} per shopper-day.`;
  document.getElementById('method').textContent =
    'Each simulated shopper has one active day in a random arm and buys ' +
    'with a probability that depends on the arm. Their device builds its report with the Vitrine package\u2019s own code ' +
    '(randomized response), and vitrine uplift turns each report into an unbiased score and averages them per arm; the ' +
    'intervals are normal intervals of a difference of independent means. Revenue is the bucket\u2019s value ' +
    `(${result.buckets.value.join(', ')}), not the exact amount, which never leaves the device.`;
  document.getElementById('command').textContent = result.command;
}

try {
  const response = await fetch(RESULT_URL);
  if (response.status === 404)
    throw new Error('No reports yet: tools/demo.sh simulates them (node tools/report_simulation.mjs --dashboard).');
  if (!response.ok) throw new Error(`Could not load the reports: HTTP ${response.status}.`);
  const result = await response.json();
  if (!result?.uplift?.on || !result?.uplift?.off) throw new Error('The results file has no arms.');
  renderText(result);
  renderArms(result);
  renderChart(result);
  renderWidths(result);
} catch (e) {
  document.getElementById('summary').textContent = '';
  document.getElementById('message').textContent = e?.message ?? String(e);
}
