// A one-line progress bar on stderr, drawn only when enabled (stderr is a terminal).
#pragma once

#include <fmt/core.h>

#include <chrono>
#include <cstdio>

namespace gpumarket {

class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled) {}

  /// Redraws at most ten times a second.
  void update(double fraction) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    draw(fraction);
  }

  void finish() {
    if (!enabled_) return;
    draw(1.0);
    std::fputc('\n', stderr);
  }

 private:
  static void draw(double fraction) {
    constexpr int kWidth = 40;
    const int filled = static_cast<int>(fraction * kWidth);
    fmt::print(stderr, "\r[{:#<{}}{:.<{}}] {:5.1f}%", "", filled, "", kWidth - filled,
               100.0 * fraction);
    std::fflush(stderr);
  }

  bool enabled_;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace gpumarket
