// Personalized slots choose a variant from a profile; explanations are plain text written with textContent.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { chooseVariant, applySlot, categoryAffinity } from '../../js/src/slots.mjs';
import { plainText, writeText } from '../../js/src/text.mjs';
import { FakeDocument } from './fake_dom.mjs';

function slot(doc) {
  return doc.el('div', { 'data-vitrine-slot': 'hero' },
    doc.el('div', { 'data-vitrine-variant': '', 'data-vitrine-categories': 'general', 'data-vitrine-default': '' }),
    doc.el('div', { 'data-vitrine-variant': '', 'data-vitrine-categories': 'Shoes, bags' }),
    doc.el('div', { 'data-vitrine-variant': '', 'data-vitrine-categories': 'hats' }));
}

test('shows the variant whose categories best fit the profile and hides the others', () => {
  const doc = new FakeDocument();
  const s = slot(doc);
  const choice = chooseVariant(s, { categoryAffinity: { bags: 0.7, hats: 0.4 } });
  assert.equal(choice.variant, s.children[1]);
  assert.equal(choice.category, 'bags');
  const text = applySlot(s, choice);
  assert.deepEqual(s.children.map((v) => v.hidden), [true, false, true]);
  assert.match(text, /bags/);
});

test('without a positive fit the merchant default stays shown', () => {
  const doc = new FakeDocument();
  const s = slot(doc);
  s.children[1].hidden = false;
  const choice = chooseVariant(s, { categoryAffinity: { toys: 0.9, shoes: 0 } });
  assert.equal(choice.variant, s.children[0]);
  assert.equal(applySlot(s, choice), null);
  assert.deepEqual(s.children.map((v) => v.hidden), [false, true, true]);
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
