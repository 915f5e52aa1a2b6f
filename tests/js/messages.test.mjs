// The message table (js/src/messages.mjs): every language says every sentence, with the same arguments, and the
// page's language picks it.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { ENGLISH, languageFor, messagesFor } from '../../js/src/messages.mjs';
import { explanationText } from '../../js/src/explain.mjs';

const MESSAGES = {
  en: ENGLISH,
  de: (await import('../../js/src/messages_de.mjs')).default,
  fr: (await import('../../js/src/messages_fr.mjs')).default,
  zh: (await import('../../js/src/messages_zh.mjs')).default,
};

test('every language has every message, of the same kind and arity as English', () => {
  const keys = Object.keys(MESSAGES.en).sort();
  for (const [lang, table] of Object.entries(MESSAGES)) {
    assert.deepEqual(Object.keys(table).sort(), keys, lang);
    for (const key of keys) {
      assert.equal(typeof table[key], typeof MESSAGES.en[key], `${lang}.${key}`);
      if (typeof table[key] === 'function') assert.equal(table[key].length, MESSAGES.en[key].length, `${lang}.${key}`);
    }
  }
});

test('messagesFor reads the primary subtag and loads that table; unknown languages get English', async () => {
  assert.equal(await messagesFor('de-CH'), MESSAGES.de);
  assert.equal(await messagesFor('FR'), MESSAGES.fr);
  assert.equal(await messagesFor('zh-Hans-CN'), MESSAGES.zh);
  for (const other of ['pt-BR', '', undefined, null, 42, '__proto__', 'constructor', 'hasOwnProperty']) {
    assert.equal(languageFor(other), 'en', String(other));
    assert.equal(await messagesFor(other), MESSAGES.en, String(other));
  }
});

test('the package bundles hold English only; the other languages are files of their own', async () => {
  const { readFileSync, existsSync } = await import('node:fs');
  const build = process.env.VITRINE_WASM_BUILD ?? new URL('../../build/wasm', import.meta.url).pathname;
  const dist = `${build}/dist`;
  if (!existsSync(`${dist}/index.mjs`)) {
    assert.fail(`no package at ${dist}: build it (cmake --build build/wasm --target vitrine_js_package)`);
  }
  for (const bundle of ['index.mjs', 'vault_frame.mjs']) {
    const text = readFileSync(`${dist}/${bundle}`, 'utf8');
    assert.ok(text.includes(ENGLISH.consentAsk), `${bundle} has English`);
    for (const lang of ['de', 'fr', 'zh']) {
      assert.ok(!text.includes(MESSAGES[lang].consentAsk), `${bundle} holds ${lang}`);
      if (bundle === 'index.mjs') assert.ok(text.includes(`./messages_${lang}.mjs`), `${bundle} can load ${lang}`);
      assert.ok(existsSync(`${dist}/messages_${lang}.mjs`), `messages_${lang}.mjs ships`);
    }
  }
});

test('each language words every explanation, with the numbers and the shop\u2019s names kept as given', () => {
  const name = '<b>Rot & Weiß</b>';
  const cases = [
    [[{ kind: 'category', name, contribution: 2, events: 3 }], { from: 4, to: 1 }],
    [
      [
        { kind: 'brand', name, contribution: 1, events: 1 },
        { kind: 'repeat', name: 'x', contribution: 0.5, events: 2 },
      ],
      { from: 2, to: 2 },
    ],
    [[{ kind: 'session', name: '', contribution: -1, events: 3 }], { from: 1, to: 5 }],
    [[{ kind: 'bought', name: 'x', contribution: -3, events: 1 }], { from: 0, to: 3 }],
    [[{ kind: 'unavailable', name: 'x', contribution: -3, events: 0 }], { from: 0, to: 3 }],
    [[], undefined],
    [
      [{ kind: 'conversion', name: '', contribution: Math.log(0.37), events: 0, probability: 0.37 }],
      { from: 3, to: 0 },
    ],
    [
      [{ kind: 'conversion', name: 'cart', contribution: Math.log(0.37), events: 0, probability: 0.37 }],
      { from: 3, to: 3 },
    ],
  ];
  for (const [lang, table] of Object.entries(MESSAGES)) {
    const texts = cases.map(([factors, move]) => explanationText(factors, move, table));
    for (const text of texts) assert.ok(typeof text === 'string' && text.length > 10, `${lang}: ${text}`);
    assert.ok(texts[0].includes(name) && texts[0].includes('3'), `${lang}: ${texts[0]}`);
    // The chance behind a conversion ranking, as a whole percentage, for a purchase and for a cart (not the same).
    assert.match(texts[6], /37/, `${lang}: ${texts[6]}`);
    assert.match(texts[7], /37/, `${lang}: ${texts[7]}`);
    assert.notEqual(table.likelyToBuy('37'), table.likelyToCart('37'), lang);
    if (lang !== 'en') {
      texts.forEach((text, i) =>
        assert.notEqual(text, explanationText(cases[i][0], cases[i][1], MESSAGES.en), `${lang} case ${i} is English`)
      );
    }
  }
});
