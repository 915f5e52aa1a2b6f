// `vitrine train --events` and `vitrine eval --events --test-events` end to end on small generated event logs:
// the model's vocabulary is the log's SKUs, eval builds its examples from the test log as documented, bad rows
// are refused with file:line or skipped and counted, and the flags combine only as documented.
// Needs the native build: VITRINE_NATIVE_BUILD (default build/native) must hold models/vitrine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { mulberry32 as rng } from '../../tools/random.mjs';
import { EventKind } from '../../js/src/event_kinds.mjs';
import { runVitrine, vitrineCli } from '../support/test_model.mjs';

const seed = Number(process.env.VITRINE_TEST_SEED ?? Date.now() % 1_000_000);
console.log(`# cli_events seed ${seed} (VITRINE_TEST_SEED to repeat), binary ${vitrineCli}`);

const vitrine = runVitrine;

function withTempDir(fn) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vitrine-cli-events-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const categories = ['shoes', 'bags', 'hats', 'coats'];
const perCategory = 8;
const sku = (c, k) => `${categories[c].toUpperCase()}-${String(k).padStart(3, '0')}`;

// Visitors walk one category in order, with impressions of the listing first, sometimes a cart and a purchase,
// and come back two hours later for a second visit (a new session: no session column, 30-minute gap).
function makeLog(random, visitors, start, extraSku) {
  const rows = [];
  for (let v = 0; v < visitors; ++v) {
    for (let visit = 0; visit < 2; ++visit) {
      let t = start + v * 60_000 + visit * 2 * 3600_000;
      const c = Math.floor(random() * categories.length);
      const visitor = `visitor-${v}`;
      for (let k = 0; k < 3; ++k) rows.push([t++, visitor, sku(c, k), 'view_item_list', '', '', '']);
      let k = Math.floor(random() * perCategory);
      const length = 2 + Math.floor(random() * 5);
      for (let i = 0; i < length; ++i) {
        t += 1000 + Math.floor(random() * 30_000);
        rows.push([t, visitor, sku(c, k), 'view', String(10 + c * 5 + k), categories[c], 'acme']);
        if (random() < 0.2) rows.push([t + 500, visitor, sku(c, k), 'add_to_cart', '', '', '']);
        k = (k + 1) % perCategory;
      }
      if (extraSku && visit === 1) rows.push([t + 2000, visitor, extraSku, 'view', '', '', '']);
      if (random() < 0.3) rows.push([t + 3000, visitor, sku(c, k), 'purchase', '', '', '']);
      rows.push([t + 4000, visitor, '', 'search', '', '', '']);
    }
  }
  return rows;
}

function writeLog(file, rows) {
  const header = 'timestamp,user_id,product_id,event_type,price,category,brand';
  const iso = (ms) => new Date(ms).toISOString();
  writeFileSync(file, [header, ...rows.map((r) => [iso(r[0]), ...r.slice(1)].join(','))].join('\n') + '\n');
}

// The `str` tensor `vocab` of a model file (docs/ARCHITECTURE.md, "The model file").
function modelVocabulary(file) {
  const bytes = readFileSync(file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerBytes = view.getUint32(12, true);
  const header = JSON.parse(bytes.subarray(32, 32 + headerBytes).toString('utf8'));
  const t = header.tensors.find((x) => x.name === 'vocab');
  assert.equal(t.dtype, 'str');
  const n = t.shape[0];
  const offsets = Array.from({ length: n + 1 }, (_, i) => view.getUint32(t.offset + 4 * i, true));
  const text = t.offset + 4 * (n + 1);
  return offsets.slice(0, n).map((b, i) => bytes.subarray(text + b, text + offsets[i + 1]).toString('utf8'));
}

// Items in order of first appearance, over the rows with an item (searches have none).
function skusInOrder(rows) {
  const seen = new Set();
  for (const r of rows) if (r[2] !== '') seen.add(r[2]);
  return [...seen];
}

// The documented examples: per session (visitor, cut at 30-minute gaps), each view after the first view, cart or
// purchase is an example whose prefix holds the earlier ones on known items; unknown labels are skipped.
function expectedExamples(rows, known) {
  const byVisitor = new Map();
  for (const r of rows) byVisitor.set(r[1], [...(byVisitor.get(r[1]) ?? []), r]);
  let examples = 0;
  let unseen = 0;
  for (const events of byVisitor.values()) {
    events.sort((a, b) => a[0] - b[0]);
    let prefix = 0;
    let before = false;
    for (let i = 0; i < events.length; ++i) {
      if (i > 0 && events[i][0] - events[i - 1][0] > 30 * 60_000) {
        prefix = 0;
        before = false;
      }
      const [, , item, kind] = events[i];
      if (!['view', 'add_to_cart', 'purchase'].includes(kind)) continue;
      if (before && kind === 'view') {
        if (!known.has(item)) unseen += 1;
        else if (prefix > 0) examples += 1;
      }
      before = true;
      if (known.has(item)) prefix += 1;
    }
  }
  return { examples, unseen };
}

test('train --events names the model items by SKU; eval --events --test-events scores it beside the baselines', () => {
  withTempDir((dir) => {
    const random = rng(seed);
    const trainRows = makeLog(random, 120, Date.UTC(2024, 2, 1), null);
    const testRows = makeLog(random, 30, Date.UTC(2024, 2, 10), 'BRAND-NEW-1');
    const trainLog = path.join(dir, 'train.csv');
    const testLog = path.join(dir, 'test.csv');
    writeLog(trainLog, trainRows);
    writeLog(testLog, testRows);
    const model = path.join(dir, 'shop.vtm');
    const train = vitrine(
      'train',
      '--events',
      trainLog,
      '--out',
      model,
      '--epochs',
      '2',
      '--dim',
      '8',
      '--batch',
      '64',
      '--threads',
      '1'
    );
    assert.equal(train.status, 0, train.stderr);
    assert.match(train.stderr, /240 sessions \(cut at gaps per visitor\)/);
    assert.match(train.stderr, /impression \d+/);
    assert.match(train.stderr, /product_id <- 'product_id'|item_id <- 'product_id'/);

    const vocab = modelVocabulary(model);
    assert.deepEqual(vocab, skusInOrder(trainRows));
    assert.ok(vocab.includes(sku(0, 0)));

    const r = vitrine(
      'eval',
      '--events',
      trainLog,
      '--test-events',
      testLog,
      '--model',
      model,
      '--baselines',
      'pop,markov',
      '--json',
      '--name',
      'events'
    );
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(summary.methods), ['pop', 'markov', 'model']);
    assert.equal(summary.catalog_size, vocab.length);
    const expected = expectedExamples(testRows, new Set(vocab));
    assert.ok(expected.unseen > 0 && expected.examples > 0);
    assert.equal(summary.examples, expected.examples);
    assert.ok(r.stderr.includes(`skipped ${expected.unseen} with a label the training log never saw`), r.stderr);
    assert.ok(r.stderr.includes('on items outside the training vocabulary'), r.stderr);
    for (const k of [5, 10, 20]) {
      const v = summary.methods.model[`hr@${k}`];
      assert.ok(v >= 0 && v <= 1, `hr@${k} = ${v}`);
    }

    // A model whose items are other SKUs (same count) is refused.
    const renamed = path.join(dir, 'renamed.csv');
    writeLog(
      renamed,
      trainRows.map((row) => [row[0], row[1], row[2] && `X${row[2]}`, ...row.slice(3)])
    );
    const other = path.join(dir, 'other.vtm');
    assert.equal(
      vitrine('train', '--events', renamed, '--out', other, '--epochs', '1', '--dim', '8', '--quiet', '--threads', '1')
        .status,
      0
    );
    const wrong = vitrine('eval', '--events', trainLog, '--test-events', testLog, '--model', other);
    assert.equal(wrong.status, 1, wrong.stderr);
    assert.match(wrong.stderr, /was it trained on this log/);
  });
});

test('bad rows: refused with file:line, or skipped and counted with --skip-bad-rows', () => {
  withTempDir((dir) => {
    const log = path.join(dir, 'bad.csv');
    writeFileSync(
      log,
      'timestamp,visitor_id,item_id,event\n' +
        '2024-03-01T10:00:00Z,v,a,view\n2024-03-01T10:00:01Z,v,b,view\n2024-03-01T10:00:02Z,v,a,wishlist\n' +
        'not-a-time,v,a,view\n2024-03-01T10:00:03Z,v,c,view\n'
    );
    const out = path.join(dir, 'm.vtm');
    const refused = vitrine('train', '--events', log, '--out', out, '--quiet');
    assert.equal(refused.status, 1);
    assert.ok(refused.stderr.includes(`${log}:4: unknown event 'wishlist'`), refused.stderr);
    assert.ok(!existsSync(out));

    const skipped = vitrine(
      'train',
      '--events',
      log,
      '--out',
      out,
      '--skip-bad-rows',
      '--epochs',
      '1',
      '--dim',
      '4',
      '--validation',
      '0',
      '--threads',
      '1'
    );
    assert.equal(skipped.status, 0, skipped.stderr);
    assert.ok(
      skipped.stderr.includes(`skipped 1 row: unknown event (first: ${log}:4: unknown event 'wishlist')`),
      skipped.stderr
    );
    assert.ok(
      skipped.stderr.includes(`skipped 1 row: bad timestamp (first: ${log}:5: bad timestamp 'not-a-time')`),
      skipped.stderr
    );
    assert.deepEqual(modelVocabulary(out), ['a', 'b', 'c']);

    // --event-name maps a name the reader does not know, or ignores it on purpose (counted).
    const ignored = vitrine(
      'train',
      '--events',
      log,
      '--out',
      out,
      '--skip-bad-rows',
      '--event-name',
      'wishlist=ignore',
      '--epochs',
      '1',
      '--dim',
      '4',
      '--validation',
      '0',
      '--threads',
      '1'
    );
    assert.equal(ignored.status, 0, ignored.stderr);
    assert.match(ignored.stderr, /ignored 1 row by event name/);
  });
});

test('event-log flags combine only as documented', () => {
  withTempDir((dir) => {
    const log = path.join(dir, 'l.csv');
    writeFileSync(log, 'timestamp,visitor_id,item_id,event\n1,v,a,view\n2,v,b,view\n');
    const sessions = path.join(dir, 's.txt');
    writeFileSync(sessions, '1 2\n');
    for (const args of [
      ['train', '--events', log, '--train', sessions, '--out', path.join(dir, 'm.vtm')],
      ['train', '--events', log, '--image-features', sessions, '--out', path.join(dir, 'm.vtm')],
      ['train', '--train', sessions, '--skip-bad-rows', '--out', path.join(dir, 'm.vtm')],
      ['train', '--events', log, '--session-gap', '0', '--out', path.join(dir, 'm.vtm')],
      ['train', '--events', log, '--event-name', 'fav=wishlist', '--out', path.join(dir, 'm.vtm')],
      ['eval', '--events', log],
      ['eval', '--test-events', log],
      ['eval', '--events', log, '--test-events', log, '--train', sessions],
      ['eval', '--train', sessions, '--test', sessions, '--session-gap', '10'],
    ]) {
      const r = vitrine(...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stderr.length > 0);
    }
    for (const command of ['train', 'eval']) {
      const help = vitrine(command, '--help');
      assert.equal(help.status, 0);
      for (const flag of ['--events', '--session-gap', '--skip-bad-rows', '--columns', '--event-name']) {
        assert.ok(help.stdout.includes(flag), `${command} --help: ${flag}`);
      }
    }
    assert.ok(vitrine('eval', '--help').stdout.includes('--test-events'));
  });
});

// The header of a model file (docs/ARCHITECTURE.md, "The model file").
function modelHeader(file) {
  const bytes = readFileSync(file);
  const headerBytes = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(12, true);
  return { bytes, header: JSON.parse(bytes.subarray(32, 32 + headerBytes).toString('utf8')) };
}

// Event kinds whose events the engine would feed through a kind_emb row that training never touched: the row's
// kind had no training events, or the row is all zeros (the trainer leaves absent kinds' rows at zero).
function untrainedRowsInUse({ bytes, header }) {
  const counts = header.training.kind_counts;
  const t = header.tensors.find((x) => x.name === 'kind_emb');
  const [rows, dim] = t.shape;
  const row = (r) => Array.from({ length: dim }, (_, k) => bytes.readFloatLE(t.offset + 4 * (r * dim + k)));
  const bad = [];
  header.config.kind_inputs.forEach((r, kind) => {
    if (r < 0) return;
    if (r >= rows || !(counts[r] > 0) || row(r).every((v) => v === 0)) bad.push(kind);
  });
  return bad;
}

test('train --events learns every kind the log has and never feeds an untrained kind row', () => {
  withTempDir((dir) => {
    const rows = makeLog(rng(seed), 80, Date.UTC(2024, 2, 1), null);
    const log = path.join(dir, 'train.csv');
    writeLog(log, rows);
    const model = path.join(dir, 'shop.vtm');
    const run = vitrine(
      'train',
      '--events',
      log,
      '--out',
      model,
      '--epochs',
      '1',
      '--dim',
      '8',
      '--quiet',
      '--threads',
      '1'
    );
    assert.equal(run.status, 0, run.stderr);
    const file = modelHeader(model);
    const { kind_inputs: inputs } = file.header.config;
    const counts = file.header.training.kind_counts;
    // The log has impressions, views, carts and purchases (searches carry no item, so they are no input).
    for (const kind of [EventKind.view, EventKind.add_to_cart, EventKind.impression]) {
      assert.ok(counts[kind] > 0, `kind ${kind} has training events`);
      assert.equal(inputs[kind], kind, `kind ${kind} reads its own row`);
    }
    assert.equal(inputs[EventKind.click], EventKind.view, 'no clicks in the log: a click reads as a view');
    assert.equal(inputs[EventKind.search], -1);
    assert.equal(inputs[EventKind.category_visit], -1);
    assert.deepEqual(untrainedRowsInUse(file), []);
    // The check itself can fail: point searches at their own (untrained, zero) row.
    const planted = structuredClone(file.header);
    planted.config.kind_inputs[EventKind.search] = EventKind.search;
    assert.deepEqual(untrainedRowsInUse({ bytes: file.bytes, header: planted }), [EventKind.search]);
  });
});

test('train --events --catalog: the catalog names the model products, the log is read against it', () => {
  withTempDir((dir) => {
    const random = rng(seed + 1);
    const rows = makeLog(random, 60, Date.UTC(2024, 2, 1), 'NOT-IN-CATALOG');
    const log = path.join(dir, 'train.csv');
    writeLog(log, rows);
    // Every SKU the generator can make, in a fixed order, plus products nobody has looked at yet.
    const products = [
      ...categories.flatMap((_, c) => Array.from({ length: perCategory }, (__, k) => [sku(c, k), categories[c]])),
      ['UNSEEN-1', 'shoes'],
      ['UNSEEN-2', 'bags'],
    ];
    const catalog = path.join(dir, 'catalog.tsv');
    writeFileSync(
      catalog,
      [
        'id\tproduct_id\tcategory\tbrand\tprice',
        // The last product has no brand and no price: its line ends with two tabs.
        ...products.map(([id, category], i) =>
          i === products.length - 1
            ? `${i + 1}\t${id}\t${category}\t\t`
            : `${i + 1}\t${id}\t${category}\tacme\t${10 + i}`
        ),
      ].join('\n') + '\n'
    );
    const model = path.join(dir, 'shop.vtm');
    const train = vitrine(
      'train',
      '--events',
      log,
      '--catalog',
      catalog,
      '--unseen-content-only',
      '--out',
      model,
      '--epochs',
      '1',
      '--dim',
      '8',
      '--batch',
      '64',
      '--threads',
      '1'
    );
    assert.equal(train.status, 0, train.stderr);
    assert.deepEqual(
      modelVocabulary(model),
      products.map(([id]) => id),
      'the catalog\u2019s products, in its order'
    );
    const outside = rows.filter((r) => r[2] === 'NOT-IN-CATALOG').length;
    assert.ok(outside > 0);
    assert.match(train.stderr, new RegExp(`${outside} events? on items outside the training vocabulary`));

    const features = path.join(dir, 'features.tsv');
    writeFileSync(features, 'id\tproduct_id\tfeatures\n1\tSHOES-000\t0.5 0.25\n');
    const alone = vitrine('train', '--events', log, '--image-features', features, '--out', model);
    assert.equal(alone.status, 2);
    assert.match(alone.stderr, /--image-features with --events needs --catalog/);
  });
});

// The model file's config (docs/ARCHITECTURE.md, "The model file").
function modelConfig(file) {
  const bytes = readFileSync(file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerBytes = view.getUint32(12, true);
  return JSON.parse(bytes.subarray(32, 32 + headerBytes).toString('utf8')).config;
}

test('train --events learns visits where visitors come back; --one-visit trains each session alone', () => {
  withTempDir((dir) => {
    const rows = makeLog(rng(seed + 2), 80, Date.UTC(2024, 2, 1), null); // every visitor comes back 2 hours later
    const log = path.join(dir, 'train.csv');
    writeLog(log, rows);
    const model = path.join(dir, 'visits.vtm');
    const common = ['--epochs', '1', '--dim', '8', '--batch', '64', '--threads', '1', '--quiet'];
    const withVisits = vitrine('train', '--events', log, '--out', model, ...common);
    assert.equal(withVisits.status, 0, withVisits.stderr);
    assert.equal(modelConfig(model).visit_inputs, true);
    assert.equal(modelConfig(model).visit_gap_minutes, 30);
    const alone = vitrine('train', '--events', log, '--one-visit', '--out', model, ...common);
    assert.equal(alone.status, 0, alone.stderr);
    assert.equal(modelConfig(model).visit_inputs, undefined, 'no visit input without earlier visits');
    const sessionsOnly = vitrine('train', '--train', log, '--one-visit', '--out', model);
    assert.equal(sessionsOnly.status, 2, '--one-visit goes with --events');
  });
});

test('train --events --check reads the log, counts what training would use, and writes nothing', () => {
  withTempDir((dir) => {
    const rows = makeLog(rng(seed + 3), 40, Date.UTC(2024, 2, 1), null); // every visitor comes back 2 hours later
    const log = path.join(dir, 'train.csv');
    writeLog(log, rows);
    const check = vitrine('train', '--events', log, '--check');
    assert.equal(check.status, 0, check.stderr);
    const [, sessions, own, returning, earlier] = check.stdout
      .match(/train on (\d+) sessions of (\d+) item events \((\d+) sessions start with (\d+) events/)
      .map(Number);
    assert.equal(sessions, 80, 'two visits per visitor');
    assert.equal(returning, 40, 'every second visit starts with the first');
    assert.ok(earlier > 0 && own > earlier, `${own} own events, ${earlier} from earlier visits`);
    const alone = vitrine('train', '--events', log, '--check', '--one-visit');
    assert.match(alone.stdout, /\(0 sessions start with 0 events/);
    assert.equal(readdirSync(dir).length, 1, 'nothing but the log');
    const broken = path.join(dir, 'broken.csv');
    writeFileSync(broken, readFileSync(log, 'utf8') + 'not,a,row\n');
    const refused = vitrine('train', '--events', broken, '--check');
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /broken\.csv:\d+: /);
    assert.equal(vitrine('train', '--train', log, '--check').status, 2, '--check goes with --events');
  });
});

test('train --events --stream-dir groups the log on disk: the same products and visits, and no files left', () => {
  withTempDir((dir) => {
    const rows = makeLog(rng(seed + 4), 80, Date.UTC(2024, 2, 1), null);
    const log = path.join(dir, 'train.csv');
    writeLog(log, rows);
    const work = path.join(dir, 'work');
    mkdirSync(work);
    const common = ['--epochs', '1', '--dim', '8', '--batch', '64', '--threads', '1'];
    const streamed = path.join(dir, 'streamed.vtm');
    const run = vitrine('train', '--events', log, '--stream-dir', work, '--out', streamed, ...common);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /item events in 160 sessions on disk \(\d[\d,]* bytes\), 16 held out/);
    assert.deepEqual(readdirSync(work), [], 'the buckets and the sessions file are removed');
    assert.deepEqual(modelVocabulary(streamed), skusInOrder(rows));
    assert.equal(modelConfig(streamed).visit_inputs, true, 'returning visitors read their earlier visits');
    assert.ok(!existsSync(`${streamed}.checkpoint`), 'a streamed run writes no checkpoint');
    const inMemory = path.join(dir, 'memory.vtm');
    assert.equal(vitrine('train', '--events', log, '--out', inMemory, '--quiet', ...common).status, 0);
    assert.equal(
      modelHeader(streamed).header.training.train_examples,
      modelHeader(inMemory).header.training.train_examples,
      'the same training examples'
    );

    for (const extra of [['--check'], ['--resume'], ['--keep-checkpoint']]) {
      const r = vitrine('train', '--events', log, '--stream-dir', work, '--out', streamed, ...extra);
      assert.equal(r.status, 2, `${extra}: ${r.stderr}`);
    }
    assert.equal(vitrine('train', '--train', log, '--stream-dir', work, '--out', streamed).status, 2);
    const missing = vitrine('train', '--events', log, '--stream-dir', path.join(dir, 'nowhere'), '--out', streamed);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /cannot write .*nowhere/);
  });
});
