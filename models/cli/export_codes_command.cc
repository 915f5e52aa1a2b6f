// `vitrine export-codes`: moves a trained model's catalog out of the model file (item_codes.h). Writes the encoder
// with its codebook, which every page loads, and one code per product, which the shop's templates put on the
// product's card (`data-vitrine-code`), so a page brings the vectors of exactly the products it shows.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "commands.h"
#include "eval/item_codes_file.h"
#include "flags.h"
#include "output_file.h"
#include "vitrine/item_codes.h"
#include "vitrine/json_value.h"
#include "vitrine/model_file.h"
#include "vitrine/session_model_io.h"
#include "vitrine/session_model_writer.h"

namespace vitrine::cli {
namespace {

const char kExportCodesHelp[] =
    "usage: vitrine export-codes --model MODEL.vtm --out-model ENCODER.vtm --out-codes CODES.json\n"
    "                            [--subspaces M] [--seed N]\n"
    "\n"
    "Splits a model written by vitrine train into the encoder, which holds no catalog, and a code per\n"
    "product: its vector product-quantized to M bytes (M subspaces of 256 centroids each, learned\n"
    "from the catalog's vectors), plus the model's per-product scalars. Evaluate the pair with\n"
    "vitrine eval --model ENCODER.vtm --item-codes CODES.json.\n";
const char kExportCodesFooter[] = "Exit codes: 0 success, 1 a file is missing or malformed, 2 usage error.";

}  // namespace

int run_export_codes(int argc, char** argv) {
  std::string model_path, out_model, out_codes;
  int64_t subspaces = 0, seed = 1;
  CLI::App app{kExportCodesHelp, "vitrine export-codes"};
  configure_command_app(app, kExportCodesFooter, 20);
  add_text(app, "--model", &model_path, "a session model file written by vitrine train")->required();
  add_text(app, "--out-model", &out_model, "where to write the encoder (a model file without items)")->required();
  add_text(app, "--out-codes", &out_codes, "where to write the products' codes (JSON)")->required();
  add_whole_number(app, "--subspaces", &subspaces, int64_t{1}, int64_t{1024},
                   "bytes per product vector; must divide the model's dimension (default: half the\n"
                   "dimension, two dimensions per byte; docs/QUALITY.md has the measurements)");
  add_whole_number(app, "--seed", &seed, int64_t{0}, int64_t{INT32_MAX}, "seed of the codebook's k-means (default 1)");
  if (const int code = parse_flags(app, argc, argv); code >= 0) return code;

  std::ifstream in(model_path, std::ios::binary);
  if (!in) return command_error("export-codes", model_path + ": cannot open the model file");
  const std::vector<uint8_t> input((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto file = ModelFile::parse(input.data(), input.size());
  if (!file.ok()) return command_error("export-codes", model_path + ": " + file.status().message());
  SessionModelContent content;
  auto weights = read_session_model(file.value(), &content);
  if (!weights.ok()) return command_error("export-codes", model_path + ": " + weights.status().message());
  // Two dimensions per byte: on Diginetica (dim 64) 32 bytes kept HR@20 and MRR@20 within 0.1 point of the item
  // table, 16 bytes lost 1.1 points of HR@20 and 8 bytes 4.9 (docs/QUALITY.md).
  const uint32_t dim = weights.value().config.dim;
  if (subspaces == 0) subspaces = dim % 2 == 0 ? dim / 2 : dim;
  auto coded = code_session_items(weights.value(), static_cast<uint32_t>(subspaces), static_cast<uint64_t>(seed));
  if (!coded.ok()) return command_error("export-codes", model_path + ": " + coded.status().message());

  // The encoder keeps what the ranker reads from the header besides the tensors: the learned blend, the training.
  SessionModelExport options;
  if (const JsonValue* blend = file.value().config().find("blend"); blend != nullptr && blend->is_number())
    options.blend = static_cast<float>(blend->as_double());
  options.training = nlohmann::json::parse(write_json(file.value().training()));
  options.training["item_codes"] = {{"subspaces", subspaces}, {"seed", seed}};
  auto bytes = write_session_model(coded.value().encoder, {}, content, options);
  if (!bytes.ok()) return command_error("export-codes", bytes.status().message());

  eval::ItemCodesFile codes;
  codes.subspaces = static_cast<uint32_t>(subspaces);
  codes.tag = ItemQuantizer::from_codebook(coded.value().encoder.config.dim, codes.subspaces,
                                           coded.value().encoder.item_codebook)
                  .value()
                  .tag();
  codes.codes = std::move(coded.value().codes);
  for (std::string_view id : file.value().vocabulary()) codes.ids.emplace_back(id);
  const std::string text = eval::format_item_codes_file(codes);

  const std::string model_bytes(reinterpret_cast<const char*>(bytes.value().data()), bytes.value().size());
  if (std::string e = write_file_atomically(out_model, model_bytes); !e.empty())
    return command_error("export-codes", e);
  if (std::string e = write_file_atomically(out_codes, text); !e.empty()) return command_error("export-codes", e);
  std::fprintf(stderr, "vitrine export-codes: %s: encoder, %zu bytes; %s: %zu products, %zu-character codes\n",
               out_model.c_str(), model_bytes.size(), out_codes.c_str(), codes.ids.size(),
               codes.codes.empty() ? size_t{0} : codes.codes.front().size());
  return 0;
}

}  // namespace vitrine::cli
