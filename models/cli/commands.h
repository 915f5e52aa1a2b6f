// Subcommands of the `vitrine` executable. Each takes the arguments after its name (argv[0] is the
// subcommand's name) and returns the process exit code: 0 success, 1 failure on the data, 2 usage error.
#pragma once

namespace vitrine::cli {

// `vitrine train`: trains the session model (models/cli/train_command.cc).
int run_train(int argc, char** argv);
// `vitrine eval`: baselines and, with --model, the trained model on a test set (models/cli/eval_command.cc).
int run_eval(int argc, char** argv);
// `vitrine make-reference-mlp`: the benchmark's seeded reference MLP as a model file (reference_mlp_command.cc).
int run_make_reference_mlp(int argc, char** argv);
// `vitrine topk`: the model's top-K per test prefix as JSON lines (models/cli/topk_command.cc).
int run_topk(int argc, char** argv);
// `vitrine inputs`: what the encoder reads for an event log's sessions or one rank request (inputs_command.cc).
int run_inputs(int argc, char** argv);
// `vitrine image-features`: the product-photo CNN and the catalog's image embeddings (image_features_command.cc).
int run_image_features(int argc, char** argv);
// `vitrine export-codes`: the encoder without the catalog, and one code per product (export_codes_command.cc).
int run_export_codes(int argc, char** argv);
// `vitrine build-index`: the catalog-wide top-K index of a coded model, in shards (build_index_command.cc).
int run_build_index(int argc, char** argv);
// `vitrine make-synthetic-model`: a seeded random session model of any catalog size (synthetic_model_command.cc).
int run_make_synthetic_model(int argc, char** argv);
// `vitrine uplift`: conversion and revenue per holdout arm from private outcome reports (uplift_command.cc).
int run_uplift(int argc, char** argv);

}  // namespace vitrine::cli
