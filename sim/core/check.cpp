#include "gpumarket/core/check.hpp"

#include <cstdio>
#include <cstdlib>

namespace gpumarket::detail {

void check_failed(const char* expr, const char* file, int line, const char* message) {
  std::fprintf(stderr, "%s:%d: internal error: check failed: %s%s%s\n", file, line, expr,
               message ? ": " : "", message ? message : "");
  std::abort();
}

}  // namespace gpumarket::detail
