// Personalized slots choose a variant from a profile; explanations are plain text written with textContent and say
// truthfully how an item moved and why.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { chooseVariant, applySlot, categoryAffinity } from '../../js/src/slots.mjs';
import { plainText, writeText } from '../../js/src/text.mjs';
import { explanationText, isEngineFactors } from '../../js/src/explain.mjs';
import { FakeDocument } from './fake_dom.mjs';

function slot(doc) {
  return doc.el(
    'div',
    { 'data-vitrine-slot': 'hero' },
    doc.el('div', { 'data-vitrine-variant': '', 'data-vitrine-categories': 'general', 'data-vitrine-default': '' }),
    doc.el('div', { 'data-vitrine-variant': '', 'data-vitrine-categories': 'Shoes, bags' }),
    doc.el('div', { 'data-vitrine-variant': '', 'data-vitrine-categories': 'hats' })
  );
}

test('shows the variant whose categories best fit the profile and hides the others', () => {
  const doc = new FakeDocument();
  const s = slot(doc);
  const choice = chooseVariant(s, { categoryAffinity: { bags: 0.7, hats: 0.4 } });
  assert.equal(choice.variant, s.children[1]);
  assert.equal(choice.category, 'bags');
  const text = applySlot(s, choice);
  assert.deepEqual(
    s.children.map((v) => v.hidden),
    [true, false, true]
  );
  assert.match(text, /bags/);
});

test('without a positive fit the merchant default stays shown', () => {
  const doc = new FakeDocument();
  const s = slot(doc);
  s.children[1].hidden = false;
  const choice = chooseVariant(s, { categoryAffinity: { toys: 0.9, shoes: 0 } });
  assert.equal(choice.variant, s.children[0]);
  assert.equal(applySlot(s, choice), null);
  assert.deepEqual(
    s.children.map((v) => v.hidden),
    [false, true, true]
  );
  assert.equal(chooseVariant(s, null).variant, s.children[0]);
});

test('category affinity ignores case and non-numbers', () => {
  const table = categoryAffinity({ categoryAffinity: { Shoes: '0.5', shoes: 0.9, bad: 'x', nan: NaN } });
  assert.equal(table.get('shoes'), 0.9);
  assert.equal(table.has('bad'), false);
  assert.equal(table.has('nan'), false);
});

test('explanations are plain text: markup stays literal and is written with textContent', () => {
  const doc = new FakeDocument();
  const target = doc.el('p', { 'data-vitrine-explain': '' });
  const hostile = 'Because <img src=x onerror="alert(1)"> you\u0000 liked\nshoes';
  const written = writeText(target, hostile); // the fake throws if innerHTML is touched
  assert.equal(written, 'Because <img src=x onerror="alert(1)"> you liked shoes');
  assert.equal(target.textContent, written);
  assert.equal(target.children.length, 0, 'no element was created from the text');
});

test('explanation text is coerced to a string and capped', () => {
  assert.equal(plainText({ toString: () => 'obj' }), 'obj');
  assert.equal(plainText(null), '');
  const long = plainText('x'.repeat(1000));
  assert.equal(long.length, 280);
  assert.ok(long.endsWith('\u2026'));
});

test('explanations say "moved up" only of items that moved up, and say truthfully what happened to the others', () => {
  const factors = [{ kind: 'category', name: 'sneakers', contribution: 0.4, events: 12 }];
  assert.equal(
    explanationText(factors, { from: 5, to: 1 }),
    'Moved up 4 places because you often browse sneakers (12 things you did here were in that category).'
  );
  const down = explanationText(factors, { from: 1, to: 4 });
  assert.match(
    down,
    /^Moved down 3 places: other products fit what you did here better, though you often browse sneakers/
  );
  const kept = explanationText(factors, { from: 2, to: 2 });
  assert.match(kept, /^Kept at the shop\u2019s position; you often browse sneakers/);
  for (const text of [down, kept]) assert.doesNotMatch(text, /moved up/i);
  assert.match(explanationText([], { from: 3, to: 0 }), /^Moved up 3 places: /);
  assert.match(explanationText([], { from: 0, to: 0 }), /^Shown in the shop\u2019s order/);
  assert.doesNotMatch(explanationText(factors), /moved/i, 'without positions nothing is said about moving');
});

test('the reason names the strongest factor first, and its count says what it counts', () => {
  const factors = [
    { kind: 'category', name: 'sneakers', contribution: 0.2, events: 9 },
    { kind: 'price', name: '', contribution: 0.05, events: 9 },
    { kind: 'brand', name: 'Acme', contribution: 0.6, events: 4 },
  ];
  const text = explanationText(factors, { from: 3, to: 0 });
  assert.match(
    text,
    /^Moved up 3 places because you often choose Acme \(4 things you did here were from that brand\), and you often browse sneakers/
  );
  assert.doesNotMatch(text, /visit/, 'the counts are events of any kind, not visits');
  assert.match(
    explanationText([{ kind: 'category', name: 'hats', contribution: 1, events: 1 }], { from: 1, to: 0 }),
    /because you have looked at hats before\.$/
  );
  // Factors that push an item down are not given as reasons for it.
  assert.match(
    explanationText(
      [
        { kind: 'session', name: 'x', contribution: -2, events: 3 },
        { kind: 'brand', name: 'Acme', contribution: 0.1, events: 2 },
      ],
      { from: 2, to: 1 }
    ),
    /because you often choose Acme/
  );
});

test('ranked by conversion, the reason names the chance first (its term is ln p, below 0), as a whole percentage', () => {
  const conversion = (probability, name = '') => ({
    kind: 'conversion',
    name,
    contribution: Math.log(probability),
    events: 0,
    probability,
  });
  const brand = { kind: 'brand', name: 'Acme', contribution: 0.6, events: 4 };
  assert.equal(
    explanationText([brand, conversion(0.1234)], { from: 3, to: 0 }),
    'Moved up 3 places because your chance of buying it this visit is 12%, and you often choose Acme ' +
      '(4 things you did here were from that brand).'
  );
  assert.match(
    explanationText([conversion(0.004)], { from: 0, to: 2 }),
    /though your chance of buying it this visit is <1%\.$/
  );
  assert.match(explanationText([conversion(0)], { from: 1, to: 0 }), /is 0%\.$/);
  // A model trained on carts only ranks by the add-to-cart probability (engine.mjs names the factor 'cart').
  assert.match(
    explanationText([conversion(0.5, 'cart')], { from: 2, to: 2 }),
    /^Kept at the shop\u2019s position; your chance of adding it to your cart this visit is 50%\.$/
  );
  // Without a probability in [0, 1] nothing is said about it.
  for (const probability of [undefined, NaN, 1.5, -0.1]) {
    assert.equal(
      explanationText([{ kind: 'conversion', name: '', contribution: -1, events: 0, probability }], { from: 1, to: 0 }),
      'Moved up 1 place: products the shop put above it fit what you did here less well.',
      String(probability)
    );
  }
  // The rules that sink a product still come first.
  assert.match(
    explanationText([conversion(0.3), { kind: 'bought', name: '', contribution: -5, events: 1 }], { from: 0, to: 3 }),
    /you bought it already/
  );
});

test('repeats are worded by visit: this visit (its count), or an earlier visit', () => {
  const repeat = (events) =>
    explanationText([{ kind: 'repeat', name: 'x', contribution: 1, events }], { from: 2, to: 0 });
  assert.match(repeat(3), /because you looked at it 3 times this visit\.$/);
  assert.match(repeat(1), /because you looked at it earlier this visit\.$/);
  assert.match(repeat(0), /because you looked at it on an earlier visit\.$/);
});

test('only the engine\u2019s own factors are reworded by the page; another engine\u2019s text is kept', () => {
  assert.equal(isEngineFactors([{ kind: 'brand', name: 'Acme', contribution: 0.1, events: 2 }]), true);
  assert.equal(isEngineFactors([]), true);
  assert.equal(isEngineFactors([{ name: 'category', weight: 2 }]), false);
  assert.equal(isEngineFactors(undefined), false);
});
