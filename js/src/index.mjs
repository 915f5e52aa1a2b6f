// Vitrine for apps: `import { createVitrine } from 'vitrine'`. Shops use the one-tag loader vitrine.js instead.
export { createVitrine } from './vitrine.mjs';
export { EventKind } from './event_kinds.mjs';
export { fromDataset } from './config.mjs';

import { createVitrine } from './vitrine.mjs';
import { fromDataset } from './config.mjs';

/**
 * Used by vitrine.js: starts Vitrine from the script tag's data-* attributes. Returns the instance.
 * @param {DOMStringMap|object} dataset
 * @param {object} [early] what the loader started before the modules loaded: the worker, listings and holds
 */
export function startFromScriptTag(dataset, early) {
  return createVitrine(fromDataset(dataset), early ? { early } : {});
}
