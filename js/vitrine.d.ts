// Types for the Vitrine package (hand-written; tests/js/api_surface.test.mjs checks them against the code).
//
// Shops: <script src="/vitrine/vitrine.js" data-model="/models/shop.vtm" defer></script> defines window.vitrine.
// Apps:  import { createVitrine } from 'vitrine'; const vitrine = createVitrine({ model: '/models/shop.vtm' });

/** Event kinds, shared with the wasm engine (core/include/vitrine/event_kinds.h). */
export declare const EventKind: Readonly<{
  view: 0;
  click: 1;
  add_to_cart: 2;
  purchase: 3;
  search: 4;
  category_visit: 5;
  /** A product card seen in a listing (not a product page). */
  impression: 6;
}>;

export type EventKindName = keyof typeof EventKind;

/** What track() accepts. view/click/add_to_cart/purchase/impression need `item`; search needs `query`; category_visit `category`. */
export interface TrackedEvent {
  kind: EventKindName | (typeof EventKind)[EventKindName];
  item?: string;
  category?: string;
  brand?: string;
  /** A number, or the price as the shop prints it: "49,90", "1.299,00 €", "$1,299.00". */
  price?: number | string;
  /**
   * GA4-style items: one event of `kind` per item (item_id, item_category, item_brand, price, quantity; index and
   * item_list_id are accepted and not kept). track() then resolves true only when every item was recorded.
   */
  items?: Ga4Item[];
  qty?: number;
  query?: string;
  dwellMs?: number;
  /**
   * The product's item code (base64url, from `vitrine export-codes`), for a model whose catalog is out of its file:
   * kept with the event, so later pages rank by it without a lookup. A malformed code is dropped, the event kept.
   */
  code?: string;
  /** Milliseconds since the epoch; defaults to now. */
  t?: number;
  /** Views only: what the "recently viewed" widget shows (name as text; url and image as a path or http(s) URL). */
  name?: string;
  url?: string;
  image?: string;
}

export interface Ga4Item {
  item_id: string | number;
  item_name?: string;
  item_category?: string;
  item_brand?: string;
  price?: number | string;
  quantity?: number;
  index?: number;
  item_list_id?: string;
}

/** An event as stored (and as sent to the engine): numeric kind, validated fields only. */
export interface StoredEvent {
  kind: number;
  t: number;
  item?: string;
  category?: string;
  brand?: string;
  price?: number;
  qty?: number;
  query?: string;
  dwellMs?: number;
  code?: string;
}

export interface VitrineOptions {
  /** URL of the .vtm model. Without it Vitrine records but never reorders. */
  model?: string;
  /**
   * URL of the catalog index head (`vitrine build-index`'s index.vti) when the model's catalog is out of its file
   * (`vitrine export-codes`): the "similar" and "picks" widgets read only the shards near the shopper. Script tag:
   * data-index.
   */
  index?: string;
  /**
   * 'required' (the default, and what any other value means): nothing is captured or stored until consent is
   * given, by the page's IAB TCF v2.2 (purposes 1, 3 and 4) or Google Consent Mode v2 signals (ad_personalization
   * and personalization_storage granted), by grantConsent() or by consentCallback; a signal that says no, or has not
   * decided yet, wins. With the vault, by those signals or by the shopper in Vitrine's own prompt, which fills every
   * [data-vitrine-consent] element (grantConsent() and consentCallback are not used there). 'not-required': the shop
   * is outside the consent regimes and says so.
   */
  consent?: 'required' | 'not-required';
  /** Asked once at start when consent is required; resolve true to grant. Not used with the vault. */
  consentCallback?: () => boolean | Promise<boolean>;
  /** Stored events expire after this many days (default 30, at most 90: a larger value is read as 90). */
  retentionDays?: number;
  /** Bound on stored events (default 2000). */
  maxEvents?: number;
  /** Bound on stored bytes (default 512 KiB). */
  maxBytes?: number;
  /** A product counts as viewed after this long at least half visible (default 600 ms). */
  viewDwellMs?: number;
  /** Most recent events sent with one ranking (default 100). */
  rankEvents?: number;
  /**
   * The best-ranked items brought to the top of a listing (default 200; data-rerank-depth). The rest keep the
   * shop's order: each moved element costs the browser style and layout work, and deep positions are rarely seen.
   */
  rerankDepth?: number;
  /** A ranking not answered by the worker in this time leaves the listing as rendered (default 8000 ms). */
  rankTimeoutMs?: number;
  /** The model fetch is abandoned after this long (default 10000 ms; data-model-timeout-ms). */
  modelTimeoutMs?: number;
  /** Model files larger than this are refused without being read (default 64 MiB; data-max-model-bytes). */
  maxModelBytes?: number;
  /** false: do not rank on start; call refresh() yourself. */
  autoRank?: boolean;
  /**
   * Anti-flicker hold (default 50 ms, also the most allowed; 0: off; data-hold-ms): once the engine and the model
   * are loaded, a listing that appears before the browser has painted it is kept invisible (visibility: hidden on
   * the listing element alone, through a stylesheet Vitrine adopts and removes; its box keeps its place) until its
   * order is applied, and never past the first timer or frame after this many ms from when it appeared, whatever
   * the engine does. The page itself is never hidden. Before the engine is loaded nothing is held: a ranking could
   * not land in time, and holding would only delay the shop's listing.
   */
  holdMs?: number;
  /**
   * A ranking that lands when the shopper may already have seen the listing (it was not held, or the hold ran out):
   * 'below-fold' (the default; data-late-reorder) leaves every item on screen or above it in place and reorders
   * only those below the fold, so nothing the shopper sees moves; 'all' reorders the whole listing, which jumps
   * (about 0.5 layout shift on the demo's pages, bench/page_shift.mjs). refresh(), the shop's own request, always
   * reorders the whole listing.
   */
  lateReorder?: 'all' | 'below-fold';
  /**
   * 'shared' (default): one ranking worker for the shop's pages where a shared worker can outlive its page
   * (Chromium 148+), so later pages rank without loading the engine and the model again; one per page elsewhere.
   * 'page' (`data-worker="page"`): one ranking worker per page always.
   */
  worker?: 'page' | 'shared';
  /**
   * `data-model-integrity`: digests the model file must match before it is parsed, as in Subresource Integrity
   * (`sha256-<base64>`, or sha384/sha512; several separated by spaces). A malformed value turns ranking off.
   */
  modelIntegrity?: string;
  /**
   * `data-holdout`: the fraction of shoppers (0 to 1, default 0) who keep the merchant's order, to measure uplift
   * against. The arm comes from one random draw made on the device and kept in localStorage (`vitrine.arm`), derived
   * from no identifier. Shoppers in the 'off' arm have their listings left as rendered, no slot chosen and no model
   * loaded; their events are still recorded, so changing arms loses nothing. Raising the fraction only moves
   * shoppers from 'on' to 'off'.
   */
  holdout?: number;
  /**
   * Called once per page that shows a listing or a slot, with the arm and, in the 'on' arm, the model's version
   * (the first 16 hex digits of its SHA-256, as `sha256sum` prints them; null in the 'off' arm or when no model
   * loaded). `data-on-exposure` names a function on `window` ("onVitrineExposure" or "shop.analytics.exposure").
   * The same facts are pushed to `window.dataLayer` as
   * `{ event: 'vitrine_exposure', vitrine_arm, vitrine_model }`, so GA4 and GTM can compare conversion by arm.
   * This is all either learns: one random bit and a model version.
   */
  onExposure?: ((exposure: VitrineExposure) => void) | string;
  /**
   * `data-report`: the shop's endpoint for private outcome reports, for shops without analytics (default none: no
   * report is ever sent). Once consent is given, at most once a day, the device POSTs one report for its last
   * active day, without cookies or referrer: `{ v: 1, day: 'YYYY-MM-DD', arm, converted: 0|1, revenue: 0..6,
   * epsilon: { converted, revenue } }`, both outcomes through randomized response (js/src/report.mjs).
   * `vitrine uplift --reports` reads them.
   */
  report?: string;
  /** `data-report-epsilon`: the privacy budget of one report, split between its two outcomes (default 2, 0.1 to 10). */
  reportEpsilon?: number;
  /**
   * `data-datalayer="ga4"`: the shop's GA4 ecommerce events in `window.dataLayer` (view_item, view_item_list,
   * select_item, add_to_cart, purchase, search; GTM objects or gtag calls, before and after Vitrine loads) are
   * recorded as the shopper's events, so a GTM shop needs no item markup. Default 'off'.
   */
  dataLayer?: 'ga4' | 'off';
  /** IndexedDB database name (default 'vitrine'). */
  dbName?: string;
  /**
   * `data-rank-by`: what listings are ordered by; a listing's own `data-vitrine-rank-by` overrides it.
   * 'relevance' (the default): the session model and the shopper's profile. 'conversion': the probability that the
   * shopper buys the product this visit (adds it to the cart, for a model trained without purchases). 'value': that
   * probability times the price (`data-vitrine-price`; a product without one takes the median of the listing's
   * priced products). The shop's order, boosts and the bought and out-of-stock rules apply to all three.
   * 'conversion' and 'value' need a model trained with `vitrine train --events` on a log with add_to_cart or
   * purchase rows; with another model the listing is ranked by relevance, with one warning. Any other value:
   * relevance, with a warning.
   */
  rankBy?: RankBy;
}

export type RankBy = 'relevance' | 'conversion' | 'value';

export interface VitrineExposure {
  arm: 'on' | 'off';
  model: string | null;
}

/** The shopper profile as computed by the engine; slots read `categoryAffinity`. */
export interface VitrineProfile {
  categoryAffinity?: Record<string, number>;
  [key: string]: unknown;
}

export interface VitrineStatus {
  state: 'loading' | 'starting' | 'waiting-consent' | 'running' | 'opted-out' | 'stopped';
  /** 'vault': the package is served from its own origin and keeps the history in its frame there (see Vitrine). */
  storage: 'indexeddb' | 'memory' | 'vault' | 'none';
  ranking: 'available' | 'off';
  /** The holdout arm (see VitrineOptions.holdout); null before start (no consent yet, opted out). */
  arm: 'on' | 'off' | null;
  /** When opted out, why: the shopper's own choice, or a browser signal (Global Privacy Control, Do Not Track) that
   * optIn() cannot override. */
  optedOutBy: 'shopper' | 'gpc' | 'dnt' | null;
  /** What went wrong so far (only the first one was logged to the console). */
  problems: string[];
}

/**
 * Every method resolves (never rejects) and never throws into the page.
 *
 * Served from its own origin (vitrine.js from a subdomain such as vitrine.shop.example), Vitrine keeps the shopper's
 * history in a frame of that origin, the vault, where the page's scripts cannot read it. Then profile() and
 * exportData() resolve null, forget() and optIn() false, each with a warning: the shopper sees, downloads and erases
 * the history and turns personalization back on in Vitrine's own panel, which fills every [data-vitrine-panel]
 * element. explain() resolves null and no explanation is written into the page: a card's [data-vitrine-why] button
 * shows the reason in a frame of the vault's origin. optOut() still works: any script may protect the shopper.
 * grantConsent() and consentCallback are not used: consent comes from the page's TCF or Consent Mode signals, or from
 * the shopper in Vitrine's own prompt ([data-vitrine-consent]).
 */
export interface Vitrine {
  /** Resolves when start-up and the first ranking attempt are done (whatever their outcome). */
  readonly ready: Promise<void>;
  /** Records an event. Resolves false when it was invalid or recording is off (opt-out, no consent). */
  track(event: TrackedEvent): Promise<boolean>;
  /**
   * Why an item (or a slot, by its data-vitrine-slot name) was placed where it is: plain text, or null. The shopper
   * sees it on request where a card has a [data-vitrine-why] button; with the vault, in a frame of its origin only.
   */
  explain(id: string): Promise<string | null>;
  /** The profile the engine keeps for this shopper, or null when unavailable. */
  profile(): Promise<VitrineProfile | null>;
  /** Everything stored about the shopper, as a JSON string. */
  exportData(): Promise<string | null>;
  /**
   * Erases all stored events (IndexedDB, memory, web storage keys; other tabs drop theirs) and takes back what the
   * page shows: explanations and slot choices return to the shop's, and the ranking worker is stopped. True only
   * once the browser confirmed the deletion; false, with one warning, when it refused or did not answer. The
   * opt-out preference is kept.
   */
  forget(): Promise<boolean>;
  /**
   * Persists the shopper's opt-out, erases stored data, stops capture and ranking and takes back what the page
   * shows. False, with a warning, when the opt-out could not be saved (it then holds for this page only) or the
   * deletion was not confirmed.
   */
  optOut(): Promise<boolean>;
  /**
   * Withdraws the shopper's opt-out (browser signals such as GPC still apply). Only when called during the shopper's
   * click or key press (the handler of the control they used): a script on its own gets false and a warning.
   */
  optIn(): Promise<boolean>;
  /**
   * The merchant's consent manager grants consent: capture and storage start, unless a TCF or Consent Mode signal
   * on the page says no or has not decided yet (then false). The first grant must come during the shopper's click
   * or key press; it is then kept (localStorage vitrine.consent), so later pages may pass it on at load, until
   * revokeConsent(). With the vault: not offered (false, with a warning).
   */
  grantConsent(): Promise<boolean>;
  /** Consent withdrawn: capture stops and stored data is erased. */
  revokeConsent(): Promise<boolean>;
  /**
   * Ranks every listing again (e.g. after a single-page app rendered a new one). Resolves false if ranking is off
   * or the shopper is in the holdout arm.
   */
  refresh(): Promise<boolean>;
  status(): VitrineStatus;
  /** Stops everything this instance started (listeners, observers, worker). */
  destroy(): Promise<void>;
}

export declare function createVitrine(options?: VitrineOptions): Vitrine;

/**
 * The engine module's rank() (engine.mjs beside index.mjs in the package: the worker runs it, and an app may import
 * it by file, as tests/js/package.test.mjs does): one call scores a listing's candidates.
 */
export interface EngineRankRequest {
  events: StoredEvent[];
  candidates: {
    id: string;
    category?: string;
    brand?: string;
    price?: number;
    position?: number;
    boost?: number;
    available?: boolean;
    /** The product's item code (TrackedEvent.code). */
    code?: string;
  }[];
  nowMs?: number;
  /** The weight of the shop's order, 0 to 100 (default: the model's, modelInfo().blend: learned by `vitrine train`
   * from impressions with places, else 1). */
  blend?: number;
  /** As VitrineOptions.rankBy; 'conversion' and 'value' throw a VitrineError (code BAD_INPUT) for a model without a
   * conversion head (modelInfo().conversion). */
  rankBy?: RankBy;
}

export interface EngineRankResult {
  /** One per candidate, higher first (the order the listing takes before its diversity rule). */
  scores: Float32Array;
  /** One per candidate (none with { explain: false }): the text and the engine's factors behind it. */
  reasons: { id: string; text: string; factors: object[] }[];
  /**
   * Per candidate, the probability that the shopper adds it to the cart (`cart`) and buys it (`purchase`) this
   * visit, in [0, 1]; NaN for an output the model was not trained for. null when the model has no conversion head.
   */
  conversion: { cart: Float32Array; purchase: Float32Array } | null;
}

/** Starts Vitrine from a script tag's data-* attributes (used by vitrine.js). */
export declare function startFromScriptTag(dataset: Record<string, string | undefined>): Vitrine;

/** Converts script-tag data-* attributes to options. */
export declare function fromDataset(dataset: Record<string, string | undefined>): VitrineOptions;

declare global {
  interface Window {
    /** Defined by the vitrine.js script tag; `isVitrine` marks it. */
    vitrine?: Vitrine & { readonly isVitrine: true };
  }
}
