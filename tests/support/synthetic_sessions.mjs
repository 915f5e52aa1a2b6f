// Small generated session data for pipeline tests: no research data needed.
//
// The catalog is split into categories of consecutive item ids. A shopper picks a category and walks through it
// mostly in id order (item i is usually followed by i+1), sometimes jumping within the category, and sometimes
// going back to an item seen earlier in the session. A good session model learns these patterns; POP cannot.
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { mulberry32 as rng } from '../../tools/random.mjs';

export function syntheticSessions({ sessions = 2000, items = 200, categories = 10, seed = 7 } = {}) {
  const random = rng(seed);
  const perCategory = Math.floor(items / categories);
  const out = [];
  for (let s = 0; s < sessions; ++s) {
    const category = Math.floor(random() * categories);
    const first = category * perCategory + 1;
    let item = first + Math.floor(random() * perCategory);
    const length = 2 + Math.floor(random() * 6);
    const session = [item];
    while (session.length < length) {
      const r = random();
      if (r < 0.7) item = first + ((item - first + 1) % perCategory);
      else if (r < 0.85) item = session[Math.floor(random() * session.length)];
      else item = first + Math.floor(random() * perCategory);
      session.push(item);
    }
    out.push(session);
  }
  return out;
}

/**
 * A small shop's log where counting is hard to beat: a catalog larger than the log can teach an embedding, and
 * shoppers who keep going back to what they looked at (about half of all next items repeat one, chosen in
 * proportion to how often it was seen). S-POP is close to the best possible ranking here.
 */
export function repeatHeavySessions({ sessions = 1500, items = 1500, repeat = 0.5, seed = 1 } = {}) {
  const random = rng(seed);
  const draw = () => 1 + Math.floor(random() ** 1.5 * items);
  const out = [];
  for (let s = 0; s < sessions; ++s) {
    const length = 2 + Math.floor(random() * 9);
    const session = [draw()];
    while (session.length < length)
      session.push(random() < repeat ? session[Math.floor(random() * session.length)] : draw());
    out.push(session);
  }
  return out;
}

/** Writes train_sessions.txt, test_examples.tsv and catalog.tsv into `dir`; returns their paths. */
export function writeSyntheticDataset(dir, options = {}) {
  const all = (options.generator ?? syntheticSessions)(options);
  const cut = Math.floor(all.length * 0.8);
  const train = all.slice(0, cut),
    test = all.slice(cut);
  // The catalog size is the largest id in training; keep test items inside it.
  const maxTrainId = Math.max(...train.flat());
  const examples = [];
  for (const s of test) {
    const kept = s.filter((id) => id <= maxTrainId);
    for (let k = kept.length - 1; k >= 1; --k) examples.push(`${kept[k]}\t${kept.slice(0, k).join(' ')}`);
  }
  const categories = options.categories ?? 10,
    items = options.items ?? 200;
  const perCategory = Math.floor(items / categories);
  const catalog = ['id\tproduct_id\tcategory\tbrand\tprice'];
  for (let id = 1; id <= maxTrainId; ++id) {
    const category = Math.floor((id - 1) / perCategory);
    catalog.push(`${id}\tsku-${id}\tcategory-${category}\tbrand-${id % 3}\t${(10 + (id % 17) * 3).toFixed(2)}`);
  }
  const paths = {
    train: path.join(dir, 'train_sessions.txt'),
    test: path.join(dir, 'test_examples.tsv'),
    catalog: path.join(dir, 'catalog.tsv'),
  };
  writeFileSync(paths.train, train.map((s) => s.join(' ')).join('\n') + '\n');
  writeFileSync(paths.test, examples.join('\n') + '\n');
  writeFileSync(paths.catalog, catalog.join('\n') + '\n');
  return paths;
}
