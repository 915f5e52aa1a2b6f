// The one-tag loader (js/src/vitrine.js, ES5, no imports) holds listings before the modules load with its own copy
// of the hold's stylesheet and of the choice between the two kinds of hold; the modules (js/src/hold.mjs) take its
// holds over. Both must hide a listing the same way: compared here from the loader's source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { HOLD_RULE, holdKind } from '../../js/src/hold.mjs';
import { ATTR } from '../../js/src/dom.mjs';
import { repoRoot } from '../support/paths.mjs';

const loader = readFileSync(path.join(repoRoot, 'js/src/vitrine.js'), 'utf8');

test("the loader's hold stylesheet is hold.mjs HOLD_RULE", () => {
  const call = /sheet\.replaceSync\(([\s\S]*?)\);/.exec(loader);
  assert.ok(call, 'the loader adopts a hold stylesheet');
  // The argument is string literals joined with +: evaluated as the loader would.
  assert.match(call[1], /^[\s'+\-[\]{}():;!,.="a-z0-9]*$/i, 'only string literals');
  assert.equal(new Function(`return (${call[1]});`)(), HOLD_RULE);
});

test('the loader and holdKind choose the same kind of hold: unlaid exactly for a listing marked long', () => {
  const choice =
    /setAttribute\('data-vitrine-hold', list\.hasAttribute\('([a-z-]+)'\) \? '([a-z]*)' : '([a-z]*)'\)/.exec(loader);
  assert.ok(choice, "the loader's choice of hold");
  const marked = { hasAttribute: (name) => name === ATTR.long };
  const plain = { hasAttribute: () => false };
  assert.equal(choice[1], ATTR.long);
  assert.equal(choice[2], holdKind(marked));
  assert.equal(choice[3], holdKind(plain));
  assert.notEqual(holdKind(marked), holdKind(plain));
  assert.ok(HOLD_RULE.includes(`[${ATTR.hold}="${holdKind(marked)}"]`), 'the rule styles the long kind');
});
