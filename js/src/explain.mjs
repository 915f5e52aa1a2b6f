// Words for an explanation, built from the engine's factors (core/include/vitrine/ranker.h, ExplanationFactor).
// The engine says which terms moved an item and the evidence; this file only phrases them. The result is plain
// text: callers write it with textContent (text.mjs), never as HTML.
const MAX_REASONS = 2;

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

const phrases = {
  session: (f) => f.events > 0 ? 'often chosen by shoppers who looked at what you looked at this visit' : '',
  repeat: (f) => `you looked at it ${f.events > 1 ? plural(f.events, 'time', 'times') : 'before'} this visit`,
  category: (f) => `you often browse ${f.name} (${plural(f.events, 'recent visit', 'recent visits')})`,
  brand: (f) => `you have shown interest in ${f.name}`,
  price: () => 'its price is close to what you usually look at',
};

/**
 * One sentence for an item from its factors. Only factors that lift the item are worded; an item nothing in the
 * history relates to says so.
 * @param {{kind: string, name: string, contribution: number, events: number}[]} factors strongest first
 */
export function explanationText(factors) {
  const parts = [];
  for (const f of Array.isArray(factors) ? factors : []) {
    if (!(f?.contribution > 0) || !Object.hasOwn(phrases, f.kind)) continue;
    const text = phrases[f.kind](f);
    if (text) parts.push(text);
    if (parts.length === MAX_REASONS) break;
  }
  if (parts.length === 0) return 'Shown in the shop\u2019s order: nothing you did here relates to it yet.';
  const sentence = parts.join(', and ');
  return `Moved up because ${sentence}.`;
}
