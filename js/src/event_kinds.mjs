// Event kinds, mirrored from core/include/vitrine/event_kinds.h (checked by tests/js/event_kinds.test.mjs).
// The numeric values are what storage and the wasm engine use; the names are what track() accepts.
export const EventKind = Object.freeze({
  view: 0,
  click: 1,
  add_to_cart: 2,
  purchase: 3,
  search: 4,
  category_visit: 5,
  impression: 6,
});
