// Stand-in for `vitrine train` until the trainer lands; its owner replaces this file.
#include <cstdio>

#include "commands.h"

namespace vitrine::cli {

int run_train(int /*argc*/, char** /*argv*/) {
  std::fprintf(stderr, "vitrine train: not built yet\n");
  return 2;
}

}  // namespace vitrine::cli
