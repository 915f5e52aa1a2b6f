#!/usr/bin/env node
// Builds the demo shop's catalog from Fashion-MNIST (Debian package dataset-fashion-mnist, MIT licence): product
// photos are the dataset's 28x28 grayscale images, tinted into colourways and packed into PNG sprite sheets (one
// request per 100 products). Names, brands, colours and prices are generated from the seed: same seed, same bytes.
//
//   node tools/build_demo_catalog.mjs [--out build/demo] [--products 3000] [--seed 2024]
//
// Writes <out>/catalog.json (for the pages), <out>/products.json (the widgets' product feed), <out>/catalog.tsv (for
// `vitrine train --catalog`) and <out>/img/sheet-NNN.png. Images come from the dataset's test split (t10k) so the
// train split stays free for training image features later without overlapping the catalog.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';

import { CATEGORIES, BRANDS, COLORS, STYLE_WORDS } from './demo/catalog_spec.mjs';
import { encodePng } from './demo/png.mjs';
import { rng, subSeed } from './demo/random.mjs';
import { parseArgs, writeIfChanged } from './demo/files.mjs';

const USAGE = `usage: node tools/build_demo_catalog.mjs [--out DIR] [--products N] [--seed N] [--dataset DIR]
  --out       output folder (default build/demo)
  --products  catalog size, a multiple of 10 (default 3000; the dataset's test split allows up to 10000)
  --seed      generator seed (default 2024)
  --dataset   Fashion-MNIST folder (default /usr/share/datasets/fashion-mnist)
`;

export const SIDE = 28; // dataset image side
export const CELL = 56; // sprite cell side: 2x, smoothed, the browser scales further
export const SHEET_COLS = 10; // 10x10 products per sheet
const BACKGROUND = [246, 244, 240];

/** Reads an IDX file (gzip): returns { dims, data } with data the raw unsigned bytes. */
export function readIdx(file) {
  const bytes = gunzipSync(readFileSync(file));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(0) !== 0 || view.getUint8(2) !== 0x08) throw new Error(`${file}: not an unsigned-byte IDX file`);
  const rank = view.getUint8(3);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const data = bytes.subarray(4 + 4 * rank);
  if (data.length !== dims.reduce((a, b) => a * b, 1))
    throw new Error(`${file}: ${data.length} bytes for shape ${dims}`);
  return { dims, data };
}

/** A garment pixel's colour over the background: intensity is both opacity and shading, so folds stay visible. */
function shade(v, tint) {
  const a = Math.min(1, v * 2.2);
  const light = 0.55 + 0.45 * v;
  return tint.map((c, k) => Math.round(BACKGROUND[k] * (1 - a) + Math.min(255, c * light + 18 * v) * a));
}

/** Look features of one image: how light the tinted garment is and how much texture it has (both 0..1). */
export function lookOf(pixels, tint) {
  let weight = 0,
    luminance = 0,
    texture = 0;
  for (let y = 0; y < SIDE; ++y) {
    for (let x = 0; x < SIDE; ++x) {
      const v = pixels[y * SIDE + x] / 255;
      if (v < 0.1) continue;
      const [r, g, b] = shade(v, tint);
      luminance += (v * (0.2126 * r + 0.7152 * g + 0.0722 * b)) / 255;
      const right = x + 1 < SIDE ? pixels[y * SIDE + x + 1] / 255 : 0;
      const down = y + 1 < SIDE ? pixels[(y + 1) * SIDE + x] / 255 : 0;
      texture += v * (Math.abs(v - right) + Math.abs(v - down));
      weight += v;
    }
  }
  return weight > 0 ? [round3(luminance / weight), round3(Math.min(1, texture / weight))] : [0, 0];
}

const round3 = (x) => Math.round(x * 1000) / 1000;

/** Draws one product into a sheet: bilinear 2x upscale of the tinted image. */
function drawCell(sheet, sheetSide, cellIndex, pixels, tint) {
  const ox = (cellIndex % SHEET_COLS) * CELL,
    oy = Math.floor(cellIndex / SHEET_COLS) * CELL;
  const at = (x, y) => pixels[Math.min(SIDE - 1, Math.max(0, y)) * SIDE + Math.min(SIDE - 1, Math.max(0, x))] / 255;
  const scale = SIDE / CELL;
  for (let y = 0; y < CELL; ++y) {
    const sy = (y + 0.5) * scale - 0.5,
      y0 = Math.floor(sy),
      fy = sy - y0;
    for (let x = 0; x < CELL; ++x) {
      const sx = (x + 0.5) * scale - 0.5,
        x0 = Math.floor(sx),
        fx = sx - x0;
      const v =
        (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) +
        (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
      const rgb = shade(v, tint);
      const o = ((oy + y) * sheetSide + ox + x) * 3;
      sheet[o] = rgb[0];
      sheet[o + 1] = rgb[1];
      sheet[o + 2] = rgb[2];
    }
  }
}

function priceOf(random, category, brand) {
  const raw = category.basePrice * brand.tier * Math.exp(0.22 * random.normal());
  // Shop-style price points: 14.99 below 50, 64.95 / 129.00 above.
  if (raw < 50) return Math.max(4.99, Math.floor(raw) + 0.99);
  if (raw < 150) return Math.round(raw / 5) * 5 - 0.05;
  return Math.round(raw / 10) * 10;
}

export function buildCatalog({ out, products, seed, dataset }) {
  if (!(products >= 10 && products % 10 === 0))
    throw new Error(`--products must be a positive multiple of 10, got ${products}`);
  const images = readIdx(path.join(dataset, 't10k-images-idx3-ubyte.gz'));
  const labels = readIdx(path.join(dataset, 't10k-labels-idx1-ubyte.gz'));
  const perCategory = products / 10;
  const pick = rng(subSeed(seed, 'images'));
  const byLabel = CATEGORIES.map(() => []);
  labels.data.forEach((label, index) => byLabel[label].push(index));
  if (byLabel.some((list) => list.length < perCategory))
    throw new Error(`the dataset has too few images for ${products} products`);

  // Catalog order = category, then the merchant's own order within it (a seeded shuffle stands in for the shop's
  // "featured" ranking). Model item ids follow it, so a category page needs few sprite sheets.
  const names = rng(subSeed(seed, 'names'));
  const list = [];
  CATEGORIES.forEach((category, c) => {
    const chosen = pick.shuffle(byLabel[c].slice()).slice(0, perCategory);
    const makers = BRANDS.filter((b) => b.makes.includes(c));
    chosen.forEach((imageIndex, rank) => {
      const brand = names.pick(makers);
      const color = names.pick(COLORS);
      list.push({
        id: `sku-${String(list.length + 1).padStart(5, '0')}`,
        n: list.length + 1,
        name: `${color.name} ${names.pick(STYLE_WORDS)} ${names.pick(category.nouns)}`,
        category: category.slug,
        brand: brand.name,
        price: priceOf(names, category, brand),
        color: color.name,
        rank,
        image: imageIndex,
        tint: color.rgb,
      });
    });
  });

  const sheetSide = CELL * SHEET_COLS;
  const sheetCount = Math.ceil(list.length / (SHEET_COLS * SHEET_COLS));
  const files = [];
  for (let s = 0; s < sheetCount; ++s) {
    const sheet = Buffer.alloc(sheetSide * sheetSide * 3);
    for (let k = 0; k < sheetSide * sheetSide; ++k) sheet.set(BACKGROUND, k * 3);
    const members = list.slice(s * 100, (s + 1) * 100);
    members.forEach((p, cell) => {
      const pixels = images.data.subarray(p.image * SIDE * SIDE, (p.image + 1) * SIDE * SIDE);
      drawCell(sheet, sheetSide, cell, pixels, p.tint);
      p.sheet = s;
      p.cell = cell;
      p.look = lookOf(pixels, p.tint);
    });
    const file = `img/sheet-${String(s).padStart(3, '0')}.png`;
    writeIfChanged(path.join(out, file), encodePng(sheetSide, sheetSide, sheet));
    files.push(file);
  }

  const catalog = {
    format: 'vitrine-demo-catalog',
    version: 1,
    seed,
    notice:
      'Product photos are from Fashion-MNIST (Zalando Research, MIT licence). Names, brands, colours and prices are generated.',
    source: { dataset: 'Fashion-MNIST', split: 't10k', package: 'dataset-fashion-mnist' },
    look: ['brightness', 'texture'],
    categories: CATEGORIES.map(({ slug, label }) => ({ slug, label })),
    brands: BRANDS.map(({ name, tier }) => ({ name, tier })),
    sprites: { cell: CELL, cols: SHEET_COLS, files },
    products: list.map(({ tint, ...p }) => p),
  };
  writeIfChanged(path.join(out, 'catalog.json'), JSON.stringify(catalog));
  const tsv = [
    'id\tproduct_id\tcategory\tbrand\tprice',
    ...list.map((p) => `${p.n}\t${p.id}\t${p.category}\t${p.brand}\t${p.price.toFixed(2)}`),
  ];
  writeIfChanged(path.join(out, 'catalog.tsv'), tsv.join('\n') + '\n');
  // The product feed of the "you may also like" and "picked for you" widgets (js/src/widgets.mjs), served as
  // /catalog/products.json: what a shop's own feed gives for products that are not on the page.
  const feed = {
    products: list.map((p) => ({
      id: p.id,
      name: p.name,
      url: `/product.html?id=${encodeURIComponent(p.id)}`,
      price: p.price,
    })),
  };
  writeIfChanged(path.join(out, 'products.json'), JSON.stringify(feed));
  return catalog;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const options = parseArgs(
    process.argv.slice(2),
    { out: 'build/demo', products: 3000, seed: 2024, dataset: '/usr/share/datasets/fashion-mnist' },
    USAGE
  );
  const started = Date.now();
  const catalog = buildCatalog(options);
  console.log(
    `catalog: ${catalog.products.length} products, ${catalog.sprites.files.length} sprite sheets in ${options.out} (${Date.now() - started} ms)`
  );
}
