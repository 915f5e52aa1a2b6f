// The holdout arm (data-holdout) and the exposure the shop's analytics hear about.
//
// A shopper in the 'off' arm keeps the merchant's order on every listing; their events are still recorded, so a
// shopper who changes arms (the merchant changed the fraction, or the shopper erased their data) loses nothing.
// The arm comes from one uniform draw made on the device with crypto.getRandomValues and kept in localStorage. It
// is derived from no identifier, and the draw never leaves the device: analytics hear only the arm it gives.
export const ARM_KEY = 'vitrine.arm';
const DRAWS = 2 ** 32;
const DRAW_PATTERN = /^\d{1,10}$/;

/** 'off' when the draw (an integer below 2^32) falls in the holdout fraction. Raising the fraction only moves 'on' to 'off'. */
export function armFor(draw, holdout) {
  return draw < holdout * DRAWS ? 'off' : 'on';
}

function localStorageOf(win) {
  try {
    return win?.localStorage ?? null; // reading it throws where storage is blocked
  } catch {
    return null;
  }
}

function readDraw(storage) {
  try {
    const text = storage?.getItem(ARM_KEY);
    if (typeof text !== 'string' || !DRAW_PATTERN.test(text)) return null;
    const draw = Number(text);
    return draw < DRAWS ? draw : null;
  } catch {
    return null;
  }
}

function newDraw(win) {
  const words = new Uint32Array(1);
  win.crypto.getRandomValues(words); // no Math.random fallback: a predictable arm is worse than none
  return words[0];
}

/**
 * The shopper's arm for a holdout fraction in [0, 1]. Without a holdout nothing is drawn or stored and the arm is
 * 'on'. A stored draw that is missing or unreadable (corrupted storage) is drawn again. Where localStorage refuses
 * the write, the draw holds for this page only (`kept: false`).
 * @returns {{arm: 'on'|'off', kept: boolean}}
 */
export function shopperArm(win, holdout) {
  if (!(holdout > 0)) return { arm: 'on', kept: true };
  const storage = localStorageOf(win);
  let draw = readDraw(storage);
  let kept = draw !== null;
  if (draw === null) {
    draw = newDraw(win);
    try {
      storage?.setItem(ARM_KEY, String(draw));
      kept = readDraw(storage) === draw;
    } catch {
      kept = false;
    }
  }
  return { arm: armFor(draw, holdout), kept };
}

/** Names a function on the page (`data-on-exposure="shop.onVitrineExposure"`): dotted identifiers only. */
export const CALLBACK_NAME_PATTERN = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*){0,4}$/;

function resolveCallback(win, callback) {
  if (typeof callback === 'function') return callback;
  if (typeof callback !== 'string') return null;
  let at = win;
  for (const part of callback.split('.')) {
    if (at === null || (typeof at !== 'object' && typeof at !== 'function') || !Object.hasOwn(at, part)) return null;
    at = at[part];
  }
  return typeof at === 'function' ? at : null;
}

/**
 * Tells the shop's own analytics which arm this page showed, and nothing else: one push to `window.dataLayer`
 * (created as GTM and gtag.js create it, when the page has none) and a call of the shop's callback. Each gets its
 * own copy. Returns what went wrong, for one warning, or null.
 * @param {object} win
 * @param {{arm: 'on'|'off', model: string|null}} exposure
 * @param {Function|string|null} callback a function, or the name of one on `win`
 */
export function announceExposure(win, { arm, model }, callback) {
  const problems = [];
  try {
    if (win.dataLayer === undefined) win.dataLayer = [];
    if (typeof win.dataLayer?.push === 'function') {
      win.dataLayer.push({ event: 'vitrine_exposure', vitrine_arm: arm, vitrine_model: model });
    }
  } catch (e) {
    problems.push(`dataLayer.push failed: ${e?.message ?? e}`);
  }
  if (callback !== null && callback !== undefined) {
    const fn = resolveCallback(win, callback);
    if (!fn)
      problems.push(
        `the exposure callback ${typeof callback === 'string' ? callback : ''} is not a function on the page`
      );
    else {
      try {
        fn({ arm, model });
      } catch (e) {
        problems.push(`the exposure callback threw: ${e?.message ?? e}`);
      }
    }
  }
  return problems.length ? problems.join('; ') : null;
}
