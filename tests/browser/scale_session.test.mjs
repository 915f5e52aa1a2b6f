// bench/scale_session.mjs (issue 16's million-product session) at a size CI affords: the same code, a catalog of
// 20,000 coded products beside a whole-table model of 5,000, six pages. It checks that the bench measures what it
// says: every listing after the first is reordered, every widget shows its 20 cards, the bytes are attributed to
// the files that cost them, and the coded catalog reads its index in pieces (never a feed of the whole catalog).
// The index head is paged (--index-pages 4), as a million products' would be, so the worker's reading of pages
// runs in Chromium too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { distDir, repoRoot } from '../support/paths.mjs';
import { vitrineCli } from '../support/test_model.mjs';

test('the scale session bench runs both designs and attributes every byte', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'vitrine-scale-'));
  try {
    const out = execFileSync(
      process.execPath,
      [
        path.join(repoRoot, 'bench/scale_session.mjs'),
        ...['--items', '20000', '--whole-items', '5000', '--pages', '6', '--variants', 'coded,whole'],
        ...['--work', work, '--dist', distDir, '--vitrine', vitrineCli, '--index-pages', '4', '--json'],
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 }
    );
    const { results } = JSON.parse(out);
    for (const variant of ['coded', 'whole']) {
      const { pages, summary } = results[variant];
      assert.equal(pages.length, 6);
      // The first listing has no history; every later one is ranked by the views recorded on product pages.
      assert.equal(pages[0].result, 'no-history', variant);
      for (const p of pages.slice(1))
        assert.equal(p.result, p.type === 'listing' ? 'reordered' : '20 cards', `${variant} page ${p.page}`);
      for (const p of pages) {
        const attributed = Object.values(p.byKind).reduce((a, b) => a + b, 0);
        assert.equal(attributed, p.bytes, `${variant} page ${p.page}: every byte has a file`);
        assert.ok(p.readyMs === null || p.readyMs > 0);
      }
      assert.equal(
        summary.sessionBytes,
        pages.reduce((a, p) => a + p.bytes, 0)
      );
      assert.equal(summary.firstReorderedPage, 3);
      assert.ok(summary.maxWasmBytes > 0, `${variant}: the worker's wasm-memory marks were read`);
    }
    const coded = results.coded.pages;
    assert.ok(coded[0].byKind['encoder.vtm'] > 0 && coded[0].byKind.package > 0);
    assert.ok(coded[1].byKind['index.vti'] > 0 && coded[1].byKind.shards > 0 && coded[1].byKind['shard feeds'] > 0);
    assert.ok(coded[1].byKind['index pages'] > 0, 'the first widget reads pages of the paged head');
    // The head is far smaller than the pages it names: a query reads the head and some of its pages.
    assert.ok(coded[1].byKind['index.vti'] < coded[1].byKind['index pages']);
    assert.ok(!coded.some((p) => p.byKind['feed.json'] || p.byKind['model.vtm']), 'no whole-catalog file');
    // The package and the shards are immutable: a later listing fetches its page and nothing else.
    assert.deepEqual(Object.keys(coded[4].byKind), ['pages']);
    const whole = results.whole.pages;
    assert.ok(whole[0].byKind['model.vtm'] > 0 && whole[1].byKind['feed.json'] > 0);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
