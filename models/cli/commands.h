// Subcommands of the `vitrine` executable. Each takes the arguments after its name (argv[0] is the
// subcommand's name) and returns the process exit code: 0 success, 1 failure on the data, 2 usage error.
#pragma once

namespace vitrine::cli {

// `vitrine train`: trains the session model (models/cli/train_placeholder.cc until the trainer lands).
int run_train(int argc, char** argv);
// `vitrine eval`: baselines and, with --model, the trained model on a test set (models/cli/eval_command.cc).
int run_eval(int argc, char** argv);

}  // namespace vitrine::cli
