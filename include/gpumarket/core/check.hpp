// Checks for programming errors (broken invariants): print file:line and abort.
// Bad input is never checked this way; it raises gpumarket::Error during validation.
#pragma once

namespace gpumarket::detail {
[[noreturn]] void check_failed(const char* expr, const char* file, int line, const char* message);
}  // namespace gpumarket::detail

#define GPUMARKET_CHECK(cond)                                                           \
  do {                                                                                  \
    if (!(cond)) ::gpumarket::detail::check_failed(#cond, __FILE__, __LINE__, nullptr); \
  } while (false)

#define GPUMARKET_CHECK_MSG(cond, msg)                                              \
  do {                                                                              \
    if (!(cond)) ::gpumarket::detail::check_failed(#cond, __FILE__, __LINE__, msg); \
  } while (false)
