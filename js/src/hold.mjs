// The anti-flicker hold: a listing Vitrine sees before the browser has painted it is kept invisible until its
// ranking is applied, and never longer than the cap counted from when the listing appeared. The cap is kept by a
// timer and by the frames themselves: a busy main thread delays timers, so the first frame past the cap releases
// the listing before it is painted. The rule lives in a stylesheet the package constructs and adopts (allowed under a
// strict CSP, unlike an inline <style>) and removes once nothing is held; only the listing element carries the
// attribute, never the page.
//
// How it is hidden depends on what the shop says of it. A listing marked data-vitrine-long (the shop knows it
// fills more than a screen) is not even laid out while held (content-visibility: hidden): laying out its items is
// the heaviest part of the page's first frame, and while a page loads Chromium runs the image loads' tasks ahead of
// the worker's reply, so the reply waited behind both and the hold outlasted its cap (README, "The hold outlasted
// its cap"). Its box takes a screen's height meanwhile, so what follows it stays out of view and, the listing being
// longer, is never seen moving when its items appear. Any other listing only turns invisible (visibility: hidden),
// so its box keeps its exact place and size: it may end within the screen, and a reserved height would then move
// what follows it. Vitrine cannot tell which without laying the listing out, which is what the first kind avoids.
import { ATTR } from './dom.mjs';

export const HOLD_CAP_MS = 50;
// The one-tag loader (vitrine.js) writes the same rule and choice in ES5; tests/js/hold_rule.test.mjs compares them.
export const HOLD_RULE =
  `[${ATTR.hold}]{visibility:hidden!important}` +
  `[${ATTR.hold}="unlaid"]{content-visibility:hidden;contain-intrinsic-block-size:100vh}`;

/** The hold attribute's value for `list`: 'unlaid' (not laid out while held) for a listing marked long, else ''. */
export function holdKind(list) {
  return list.hasAttribute(ATTR.long) ? 'unlaid' : '';
}

/**
 * @param {Window} win
 * @param {Document} doc
 * @param {object} options
 * @param {number} options.capMs the longest a listing stays hidden, from `seenAt` (0: never hold)
 * @param {() => number} options.now the clock `seenAt` is read on (performance.now)
 * @param {{sheet: CSSStyleSheet|null, held: {list: Element, seenAt: number}[]}} [options.prior] holds the one-tag
 *        loader (vitrine.js) put in place before the modules loaded, taken over with their stylesheet
 */
export function createHold(win, doc, { capMs, now, prior = null }) {
  const held = new Map(); // listing -> its release timer
  let sheet = prior?.sheet ?? null;

  function adopt() {
    if (sheet) return true;
    try {
      const Sheet = win.CSSStyleSheet;
      if (typeof Sheet !== 'function' || !Array.isArray(doc.adoptedStyleSheets)) return false;
      const s = new Sheet();
      s.replaceSync(HOLD_RULE);
      doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, s];
      sheet = s;
      return true;
    } catch {
      return false; // no constructable stylesheets: no hold, the listing shows as rendered
    }
  }

  function drop() {
    if (!sheet || held.size > 0) return;
    try {
      doc.adoptedStyleSheets = doc.adoptedStyleSheets.filter((s) => s !== sheet);
    } catch {
      // the attribute is gone from every listing: the rule no longer matches anything
    }
    sheet = null;
  }

  function release(list) {
    const timer = held.get(list);
    if (timer === undefined) return;
    held.delete(list);
    win.clearTimeout(timer);
    try {
      list.removeAttribute(ATTR.hold);
    } catch {
      // a listing that refuses attributes never got one
    }
    drop();
  }

  function watch(list, seenAt) {
    const left = capMs - (now() - seenAt);
    if (!(left > 0)) return false;
    held.set(
      list,
      win.setTimeout(() => release(list), left)
    );
    const frame = () => {
      if (!held.has(list)) return;
      if (now() - seenAt >= capMs) release(list);
      else win.requestAnimationFrame(frame);
    };
    if (typeof win.requestAnimationFrame === 'function') win.requestAnimationFrame(frame);
    return true;
  }

  for (const { list, seenAt } of prior?.held ?? []) {
    held.set(list, 0);
    if (!watch(list, seenAt)) release(list);
  }
  drop(); // the loader's stylesheet with nothing left to hide

  return {
    /** Hides `list` until release(list) or the cap, counted from `seenAt`. False when it is not held. */
    hold(list, seenAt) {
      if (!(capMs - (now() - seenAt) > 0) || held.has(list) || typeof win.setTimeout !== 'function' || !adopt()) {
        return false;
      }
      try {
        list.setAttribute(ATTR.hold, holdKind(list));
      } catch {
        drop();
        return false;
      }
      held.set(list, 0);
      if (watch(list, seenAt)) return true;
      release(list); // the cap passed meanwhile
      return false;
    },
    isHeld: (list) => held.has(list),
    release,
    releaseAll() {
      for (const list of [...held.keys()]) release(list);
    },
  };
}

/** True once the browser has painted the page (a listing present now may have been seen already). */
export function hasPainted(win) {
  try {
    return win.performance.getEntriesByType('paint').length > 0 || win.document.visibilityState !== 'visible';
  } catch {
    return true; // unknown: assume the shopper may have seen it
  }
}
