/* Kinds of shopper events, shared by the C++ core, the C API and the JS package.
 *
 * Single source of truth: js/src/event_kinds.mjs mirrors it and tests/js/event_kinds.test.mjs checks that the two
 * match name by name and value by value. Values are stored on shoppers' devices: never renumber, only append. */
#ifndef VITRINE_EVENT_KINDS_H_
#define VITRINE_EVENT_KINDS_H_

/* X(NAME, value, "js name") */
#define VITRINE_EVENT_KINDS(X)           \
  X(VIEW, 0, "view")                     \
  X(CLICK, 1, "click")                   \
  X(ADD_TO_CART, 2, "add_to_cart")       \
  X(PURCHASE, 3, "purchase")             \
  X(SEARCH, 4, "search")                 \
  X(CATEGORY_VISIT, 5, "category_visit") \
  X(IMPRESSION, 6, "impression")

#define VITRINE_EVENT_KIND_COUNT 7

#ifdef __cplusplus
#include <cstdint>

namespace vitrine {

enum class EventKind : uint8_t {
#define VITRINE_EVENT_KIND_ENUM(name, value, js) k##name = value,
  VITRINE_EVENT_KINDS(VITRINE_EVENT_KIND_ENUM)
#undef VITRINE_EVENT_KIND_ENUM
};

// The kind as stored in a SessionEvent and on the wire.
constexpr uint8_t event_kind_code(EventKind kind) {
  return static_cast<uint8_t>(kind);
}

}  // namespace vitrine
#endif

#endif /* VITRINE_EVENT_KINDS_H_ */
