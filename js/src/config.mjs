// One normalized configuration, whether it comes from the script tag's data-* attributes or from createVitrine().
// Out-of-range numbers fall back to defaults rather than throwing: a typo in a shop's markup must not break it.
import { INTEGRITY_PATTERN } from './model_fetch.mjs';
import { HOLD_CAP_MS } from './hold.mjs';
import { CALLBACK_NAME_PATTERN } from './arm.mjs';
import { DEFAULT_REPORT_EPSILON } from './report.mjs';
import { CONSENT_REQUIRED, CONSENT_NOT_REQUIRED } from './consent.mjs';
import { DEFAULT_RANK_BY, rankByValue } from './rank_by.mjs';

export const MAX_RETENTION_DAYS = 90;

export const DEFAULTS = Object.freeze({
  model: null, // URL of the .vtm model file; without it Vitrine records but does not rank
  index: null, // URL of the catalog index head (index.vti) of a model whose catalog is out of its file
  // 'required': nothing is stored before consent (consent.mjs: TCF, Consent Mode, grantConsent(), the callback).
  // Any value but 'not-required', the explicit choice of a shop outside the consent regimes, means 'required'.
  consent: CONSENT_REQUIRED,
  retentionDays: 30,
  maxEvents: 2000,
  maxBytes: 512 * 1024,
  viewDwellMs: 600, // an item counts as viewed after this long at least half visible
  rankEvents: 100, // most recent events sent with one ranking request
  rerankDepth: 200, // the best-ranked items brought to the top of a listing; the rest keep the shop's order
  rankTimeoutMs: 8000,
  modelTimeoutMs: 10000, // a model fetch that has not finished by then is abandoned (a hung CDN must not hang us)
  maxModelBytes: 64 * 1024 * 1024, // larger model files are refused before they are read into memory
  autoRank: true,
  // A listing Vitrine sees before it is painted is kept invisible until its order is applied, at most this long
  // from when it appeared (hold.mjs; 0 turns the hold off; never more than HOLD_CAP_MS).
  holdMs: 50,
  // A ranking that lands after the listing may have been seen (not held, or held past holdMs): 'below-fold' leaves
  // every item on screen or above it in place and reorders only what is below the fold, so nothing visible jumps;
  // 'all' reorders the whole listing (it jumps).
  lateReorder: 'below-fold',
  // 'shared' (the default): one ranking worker for all the shop's pages where a shared worker can outlive its page
  // (Chromium 148+), so a later page finds the engine and the model loaded; elsewhere, and with 'page', one worker
  // per page. A shared worker holds the model, never the history: each request brings the events it ranks with.
  worker: 'shared',
  // The fraction of shoppers who keep the merchant's order (arm.mjs): a holdout to measure uplift against.
  holdout: 0,
  // Called once per page with { arm, model } when a listing or slot is shown (beside the dataLayer push).
  onExposure: null,
  // The shop's endpoint for private outcome reports (report.mjs), opt-in; null sends nothing.
  report: null,
  dataLayer: 'off', // 'ga4': the shop's GA4 ecommerce pushes to window.dataLayer are recorded as events (ga4.mjs)
  reportEpsilon: DEFAULT_REPORT_EPSILON, // per report, split between its two outcomes
  dbName: 'vitrine',
  // What a listing is ordered by (data-rank-by; a listing's data-vitrine-rank-by overrides it): 'relevance',
  // 'conversion' or 'value' (rank_by.mjs). The last two need a model with a conversion head; the worker ranks by
  // relevance otherwise (ranking_service.mjs).
  rankBy: DEFAULT_RANK_BY,
});

function number(value, fallback, min, max) {
  if (value === undefined || value === null || value === '') return fallback;
  const n = Number(value);
  return Number.isFinite(n) && n >= min && n <= max ? n : fallback;
}

/**
 * @param {object} options createVitrine() options, or the result of fromDataset()
 * @param {string} [baseUrl] URL that a relative model path is resolved against
 */
export function normalizeConfig(options = {}, baseUrl = globalThis.document?.baseURI) {
  const fileUrl = (value) => {
    if (typeof value !== 'string' || value.trim() === '') return null;
    try {
      return new URL(value.trim(), baseUrl).href;
    } catch {
      return null;
    }
  };
  const model = fileUrl(options.model);
  let report = null;
  if (typeof options.report === 'string' && options.report.trim() !== '') {
    try {
      const url = new URL(options.report.trim(), baseUrl);
      report = url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
    } catch {
      report = null;
    }
  }
  return Object.freeze({
    model,
    index: fileUrl(options.index),
    consent: options.consent === CONSENT_NOT_REQUIRED ? CONSENT_NOT_REQUIRED : CONSENT_REQUIRED,
    // A value given but not understood (a typo, the old 'none'): still 'required', and worth a warning.
    consentMisread:
      options.consent !== undefined &&
      options.consent !== null &&
      options.consent !== CONSENT_REQUIRED &&
      options.consent !== CONSENT_NOT_REQUIRED
        ? String(options.consent).slice(0, 40)
        : null,
    consentCallback: typeof options.consentCallback === 'function' ? options.consentCallback : null,
    // Capped: nothing is kept longer than MAX_RETENTION_DAYS, whatever the page asks.
    retentionDays: Math.min(MAX_RETENTION_DAYS, number(options.retentionDays, DEFAULTS.retentionDays, 1, 3650)),
    maxEvents: Math.floor(number(options.maxEvents, DEFAULTS.maxEvents, 10, 100000)),
    maxBytes: Math.floor(number(options.maxBytes, DEFAULTS.maxBytes, 4096, 50 * 1024 * 1024)),
    viewDwellMs: number(options.viewDwellMs, DEFAULTS.viewDwellMs, 0, 60000),
    rankEvents: Math.floor(number(options.rankEvents, DEFAULTS.rankEvents, 1, 10000)),
    rerankDepth: Math.floor(number(options.rerankDepth, DEFAULTS.rerankDepth, 1, 5000)),
    rankTimeoutMs: number(options.rankTimeoutMs, DEFAULTS.rankTimeoutMs, 100, 120000),
    modelTimeoutMs: number(options.modelTimeoutMs, DEFAULTS.modelTimeoutMs, 100, 120000),
    maxModelBytes: Math.floor(number(options.maxModelBytes, DEFAULTS.maxModelBytes, 1024, 512 * 1024 * 1024)),
    autoRank: options.autoRank !== false && options.autoRank !== 'off' && options.autoRank !== 'false',
    holdMs: number(options.holdMs, DEFAULTS.holdMs, 0, HOLD_CAP_MS),
    lateReorder: options.lateReorder === 'all' ? 'all' : 'below-fold',
    worker: options.worker === 'page' ? 'page' : 'shared',
    // Digests the model must match before it is parsed (SRI syntax); false when given but malformed, which turns
    // ranking off rather than skip the check.
    modelIntegrity:
      options.modelIntegrity == null || options.modelIntegrity === ''
        ? null
        : typeof options.modelIntegrity === 'string' && INTEGRITY_PATTERN.test(options.modelIntegrity)
          ? options.modelIntegrity
          : false,
    holdout: number(options.holdout, DEFAULTS.holdout, 0, 1),
    onExposure:
      typeof options.onExposure === 'function' ||
      (typeof options.onExposure === 'string' && CALLBACK_NAME_PATTERN.test(options.onExposure))
        ? options.onExposure
        : null,
    report,
    dataLayer: options.dataLayer === 'ga4' ? 'ga4' : 'off',
    reportEpsilon: number(options.reportEpsilon, DEFAULTS.reportEpsilon, 0.1, 10),
    dbName:
      typeof options.dbName === 'string' && /^[\w.-]{1,64}$/.test(options.dbName) ? options.dbName : DEFAULTS.dbName,
    rankBy: rankByValue(options.rankBy) ?? DEFAULTS.rankBy,
    // Given but not understood: relevance, and worth a warning (vitrine.mjs).
    rankByMisread:
      options.rankBy != null && options.rankBy !== '' && rankByValue(options.rankBy) === null
        ? String(options.rankBy).slice(0, 40)
        : null,
  });
}

/** Reads the script tag's attributes: data-model, data-index, data-consent, data-retention-days, data-max-events, ... */
export function fromDataset(dataset = {}) {
  return {
    model: dataset.model,
    index: dataset.index,
    consent: dataset.consent,
    retentionDays: dataset.retentionDays,
    maxEvents: dataset.maxEvents,
    maxBytes: dataset.maxBytes,
    viewDwellMs: dataset.viewDwellMs,
    rankEvents: dataset.rankEvents,
    rerankDepth: dataset.rerankDepth,
    rankTimeoutMs: dataset.rankTimeoutMs,
    modelTimeoutMs: dataset.modelTimeoutMs,
    maxModelBytes: dataset.maxModelBytes,
    autoRank: dataset.rank === 'off' ? false : undefined,
    holdMs: dataset.holdMs,
    lateReorder: dataset.lateReorder,
    worker: dataset.worker,
    modelIntegrity: dataset.modelIntegrity,
    holdout: dataset.holdout,
    onExposure: dataset.onExposure,
    report: dataset.report,
    dataLayer: dataset.datalayer,
    reportEpsilon: dataset.reportEpsilon,
    rankBy: dataset.rankBy,
  };
}
