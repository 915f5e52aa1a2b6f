// What the generated demo shop sells: the ten Fashion-MNIST classes as categories, invented brands, colourways and
// the words product names are made of. Everything here is made up for the demo except the class list.

/** In Fashion-MNIST label order (label k is CATEGORIES[k]). `slug` is what the page and the model call it. */
export const CATEGORIES = [
  {
    slug: 't-shirts',
    label: 'T-shirts & tops',
    basePrice: 19,
    nouns: ['Tee', 'Crew Tee', 'Tank Top', 'Boxy Tee', 'Top'],
  },
  { slug: 'trousers', label: 'Trousers', basePrice: 49, nouns: ['Trousers', 'Chinos', 'Wide-leg Pants', 'Slim Pants'] },
  { slug: 'pullovers', label: 'Pullovers', basePrice: 45, nouns: ['Pullover', 'Knit Sweater', 'Crewneck', 'Jumper'] },
  { slug: 'dresses', label: 'Dresses', basePrice: 59, nouns: ['Dress', 'Midi Dress', 'Shift Dress', 'Slip Dress'] },
  { slug: 'coats', label: 'Coats', basePrice: 129, nouns: ['Coat', 'Parka', 'Trench', 'Overcoat', 'Jacket'] },
  { slug: 'sandals', label: 'Sandals', basePrice: 39, nouns: ['Sandal', 'Slide', 'Strappy Sandal', 'Flip-flop'] },
  { slug: 'shirts', label: 'Shirts', basePrice: 35, nouns: ['Shirt', 'Oxford Shirt', 'Flannel Shirt', 'Overshirt'] },
  { slug: 'sneakers', label: 'Sneakers', basePrice: 79, nouns: ['Sneaker', 'Runner', 'Court Sneaker', 'Trainer'] },
  { slug: 'bags', label: 'Bags', basePrice: 69, nouns: ['Tote', 'Shoulder Bag', 'Backpack', 'Crossbody Bag'] },
  {
    slug: 'ankle-boots',
    label: 'Ankle boots',
    basePrice: 99,
    nouns: ['Ankle Boot', 'Chelsea Boot', 'Desert Boot', 'Lace-up Boot'],
  },
];

/** Invented brands: a price tier and the categories each one makes (indices into CATEGORIES). */
export const BRANDS = [
  { name: 'Northwind', tier: 1.0, makes: [0, 1, 2, 4, 6] },
  { name: 'Lumen & Co', tier: 1.6, makes: [0, 2, 3, 6, 8] },
  { name: 'Basalt', tier: 1.0, makes: [5, 7, 9] },
  { name: 'Kestrel', tier: 0.7, makes: [0, 1, 2, 3, 5, 6, 7] },
  { name: 'Maison Vellum', tier: 2.4, makes: [3, 4, 8, 9] },
  { name: 'Pebble', tier: 0.7, makes: [0, 3, 5, 8] },
  { name: 'Halden', tier: 1.3, makes: [1, 4, 6, 9] },
  { name: 'Strider', tier: 1.2, makes: [5, 7, 9] },
  { name: 'Oru', tier: 1.0, makes: [0, 2, 3, 8] },
  { name: 'Cobalt Row', tier: 1.5, makes: [1, 2, 4, 6, 7] },
  { name: 'Fenn', tier: 0.8, makes: [0, 1, 6, 7, 8] },
  { name: 'Atelier Sud', tier: 2.0, makes: [3, 5, 8, 9] },
];

/** Colourways: the tint applied to the grayscale photo, and its name in the product title. */
export const COLORS = [
  { name: 'Black', rgb: [38, 38, 42] },
  { name: 'Charcoal', rgb: [74, 78, 86] },
  { name: 'Navy', rgb: [36, 56, 104] },
  { name: 'Cobalt', rgb: [40, 90, 190] },
  { name: 'Forest', rgb: [40, 100, 70] },
  { name: 'Olive', rgb: [112, 116, 60] },
  { name: 'Rust', rgb: [176, 80, 44] },
  { name: 'Crimson', rgb: [170, 36, 52] },
  { name: 'Rose', rgb: [214, 120, 140] },
  { name: 'Mustard', rgb: [214, 164, 46] },
  { name: 'Camel', rgb: [184, 140, 96] },
  { name: 'Sky', rgb: [110, 168, 220] },
  { name: 'Sage', rgb: [140, 170, 140] },
  { name: 'Stone', rgb: [168, 160, 148] },
  { name: 'Ivory', rgb: [226, 220, 204] },
];

export const STYLE_WORDS = [
  'Harbor',
  'Alpine',
  'Metro',
  'Coast',
  'Meadow',
  'Summit',
  'Drift',
  'Ember',
  'Field',
  'Canyon',
  'Tide',
  'Orchard',
  'Linen',
  'Cedar',
  'Quarry',
  'Atlas',
  'Willow',
  'Dune',
  'Fjord',
  'Juniper',
  'Marlow',
  'Solstice',
  'Vale',
  'Range',
];
