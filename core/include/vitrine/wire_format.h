/* The byte layouts that cross the wasm boundary: a rank request into the engine, explanations and a profile out.
 *
 * Why bytes and not JSON: the engine then links no JSON library (it was a third of the shipped wasm), and JS writes
 * a request with a DataView and reads numbers back without a parse. Single source of truth: js/src/wire.mjs mirrors
 * every VT_WIRE_* value below and tests/js/wire.test.mjs checks that the two match name by name and value by value.
 *
 * All integers and floats are little-endian and need no alignment. A string is a "ref": 0 is "absent", k >= 1 is
 * string k-1 of the message's string table, which comes last: n u32 end offsets (string k is the bytes from end[k-1],
 * or 0, to end[k]) and then the UTF-8 bytes. VT_WIRE_NOT_A_STRING marks a field that was given but is not a string,
 * so the decoder can say which field is wrong.
 *
 * Rank request ("VTQ1"), written by js/src/wire.mjs, read by core/src/wire.cc decode_rank_request:
 *   header   VT_WIRE_REQUEST_HEADER bytes: magic, n_strings, n_events, n_candidates (u32), now (f64, ms since the
 *            epoch), blend (f32: 0..100, or -1 for the default), rank_by (u32: VT_WIRE_RANK_BY_*)
 *   events   n_events records of VT_WIRE_EVENT_BYTES (offsets VT_WIRE_EVENT_*)
 *   candidates  n_candidates records of VT_WIRE_CANDIDATE_BYTES (offsets VT_WIRE_CANDIDATE_*)
 *   strings  the string table; the message ends exactly there
 * A product's item code (`code`, on events and candidates) is a string like the ids: the engine reads it only for a
 * model whose catalog is out of it (item_codes.h); a code such a model cannot read leaves the product unknown to it.
 * An absent number is sent as its default (dwell 0, price -1 = unknown, boost 0, position -1 = its index,
 * available 1); a number that was given but is not one is sent as NaN (position: -2, kind and rank_by:
 * 0xFFFFFFFF, available: 2), which the decoder refuses naming the field.
 *
 * Explanations ("VTX1"), written by the engine (vt_engine_rank), one entry per candidate:
 *   header   magic, n_candidates, n_factors, n_strings (u32)
 *   entries  n_candidates records of VT_WIRE_ENTRY_BYTES: score, cart, purchase (f32; NaN: no such output),
 *            factor count (u32); each entry's factors follow the previous entry's in the factor list
 *   factors  n_factors records of VT_WIRE_FACTOR_BYTES: kind (u32, VT_WIRE_FACTOR_KINDS), name (ref),
 *            contribution (f32), events (u32), probability (f32, negative: none)
 *   strings
 *
 * Profile ("VTP1"), written by the engine (vt_engine_profile):
 *   header   magic, total_events, session_events, priced_events (u32), typical, low, high price (f32, valid when
 *            priced_events > 0), session stage (u32, VT_WIRE_STAGES), session category (ref), n_categories,
 *            n_brands, n_strings (u32)
 *   affinities  n_categories then n_brands records of VT_WIRE_AFFINITY_BYTES: name (ref), weight (f32), events (u32)
 *   strings
 */
#ifndef VITRINE_WIRE_FORMAT_H_
#define VITRINE_WIRE_FORMAT_H_

#define VT_WIRE_REQUEST_MAGIC 0x31515456      /* "VTQ1" */
#define VT_WIRE_EXPLANATIONS_MAGIC 0x31585456 /* "VTX1" */
#define VT_WIRE_PROFILE_MAGIC 0x31505456      /* "VTP1" */
#define VT_WIRE_NOT_A_STRING 0xFFFFFFFF
#define VT_WIRE_INVALID 0xFFFFFFFF /* kind or rank_by given but not one of the values */

/* Rank request. */
#define VT_WIRE_REQUEST_HEADER 32
#define VT_WIRE_REQUEST_N_STRINGS 4
#define VT_WIRE_REQUEST_N_EVENTS 8
#define VT_WIRE_REQUEST_N_CANDIDATES 12
#define VT_WIRE_REQUEST_NOW 16
#define VT_WIRE_REQUEST_BLEND 24
#define VT_WIRE_REQUEST_RANK_BY 28
#define VT_WIRE_EVENT_BYTES 40
#define VT_WIRE_EVENT_TIME 0
#define VT_WIRE_EVENT_DWELL 8
#define VT_WIRE_EVENT_PRICE 12
#define VT_WIRE_EVENT_KIND 16
#define VT_WIRE_EVENT_ITEM 20
#define VT_WIRE_EVENT_CATEGORY 24
#define VT_WIRE_EVENT_BRAND 28
#define VT_WIRE_EVENT_QUERY 32
#define VT_WIRE_EVENT_CODE 36
#define VT_WIRE_CANDIDATE_BYTES 32
#define VT_WIRE_CANDIDATE_ID 0
#define VT_WIRE_CANDIDATE_CATEGORY 4
#define VT_WIRE_CANDIDATE_BRAND 8
#define VT_WIRE_CANDIDATE_PRICE 12
#define VT_WIRE_CANDIDATE_POSITION 16
#define VT_WIRE_CANDIDATE_BOOST 20
#define VT_WIRE_CANDIDATE_AVAILABLE 24
#define VT_WIRE_CANDIDATE_CODE 28

/* Explanations. */
#define VT_WIRE_EXPLANATIONS_HEADER 16
#define VT_WIRE_EXPLANATIONS_N_CANDIDATES 4
#define VT_WIRE_EXPLANATIONS_N_FACTORS 8
#define VT_WIRE_EXPLANATIONS_N_STRINGS 12
#define VT_WIRE_ENTRY_BYTES 16
#define VT_WIRE_ENTRY_SCORE 0
#define VT_WIRE_ENTRY_CART 4
#define VT_WIRE_ENTRY_PURCHASE 8
#define VT_WIRE_ENTRY_N_FACTORS 12
#define VT_WIRE_FACTOR_BYTES 20
#define VT_WIRE_FACTOR_KIND 0
#define VT_WIRE_FACTOR_NAME 4
#define VT_WIRE_FACTOR_CONTRIBUTION 8
#define VT_WIRE_FACTOR_EVENTS 12
#define VT_WIRE_FACTOR_PROBABILITY 16

/* Profile. */
#define VT_WIRE_PROFILE_HEADER 48
#define VT_WIRE_PROFILE_TOTAL_EVENTS 4
#define VT_WIRE_PROFILE_SESSION_EVENTS 8
#define VT_WIRE_PROFILE_PRICED_EVENTS 12
#define VT_WIRE_PROFILE_PRICE_TYPICAL 16
#define VT_WIRE_PROFILE_PRICE_LOW 20
#define VT_WIRE_PROFILE_PRICE_HIGH 24
#define VT_WIRE_PROFILE_STAGE 28
#define VT_WIRE_PROFILE_SESSION_CATEGORY 32
#define VT_WIRE_PROFILE_N_CATEGORIES 36
#define VT_WIRE_PROFILE_N_BRANDS 40
#define VT_WIRE_PROFILE_N_STRINGS 44
#define VT_WIRE_AFFINITY_BYTES 12
#define VT_WIRE_AFFINITY_NAME 0
#define VT_WIRE_AFFINITY_WEIGHT 4
#define VT_WIRE_AFFINITY_EVENTS 8

/* X(NAME, value, "js name") */
#define VT_WIRE_RANK_BY(X)       \
  X(RELEVANCE, 0, "relevance")   \
  X(CONVERSION, 1, "conversion") \
  X(VALUE, 2, "value")

/* Kinds of explanation factors (ranker.h ExplanationFactor::kind spells them). Only append. */
#define VT_WIRE_FACTOR_KINDS(X)  \
  X(SESSION, 0, "session")       \
  X(REPEAT, 1, "repeat")         \
  X(POPULAR, 2, "popular")       \
  X(CONVERSION, 3, "conversion") \
  X(CATEGORY, 4, "category")     \
  X(BRAND, 5, "brand")           \
  X(PRICE, 6, "price")           \
  X(BOUGHT, 7, "bought")         \
  X(SHOP, 8, "shop")             \
  X(BOOST, 9, "boost")           \
  X(UNAVAILABLE, 10, "unavailable")

/* Stages of the current visit (shopper.h Profile::session_stage); NONE is the empty stage. */
#define VT_WIRE_STAGES(X)      \
  X(NONE, 0, "")               \
  X(BROWSING, 1, "browsing")   \
  X(COMPARING, 2, "comparing") \
  X(BUYING, 3, "buying")

#endif /* VITRINE_WIRE_FORMAT_H_ */
