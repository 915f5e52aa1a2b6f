// The codes file `vitrine export-codes` writes beside a model whose catalog is out of it (item_codes.h): one JSON
// object, for the shop's templates and the tools that read it.
//
//   {"format": "vitrine-item-codes", "version": 1, "subspaces": M, "tag": T,
//    "codes": {"<product id>": "<code>", ...}}
//
// Products are listed in the model's item order (item 1 first), one per line, so a file of a million products can
// be read by a line-oriented tool too. T is the codebook's tag (ItemQuantizer::tag) that every code starts with.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vitrine/status.h"

namespace vitrine::eval {

struct ItemCodesFile {
  uint32_t subspaces = 0;
  uint16_t tag = 0;
  std::vector<std::string> ids;    // in item order
  std::vector<std::string> codes;  // codes[k] is ids[k]'s
};

// The file's text.
std::string format_item_codes_file(const ItemCodesFile& file);
// Reads one; BAD_INPUT naming the problem when it is not such a file (a product listed twice included).
Result<ItemCodesFile> parse_item_codes_file(const std::string& text);
Result<ItemCodesFile> read_item_codes_file(const std::string& path);

}  // namespace vitrine::eval
