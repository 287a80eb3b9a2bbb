#include "gpumarket/core/interrupt.hpp"

namespace gpumarket {

void throw_if_interrupted(const std::string& doing) {
  if (const int signal = interrupt_signal(); signal != 0) {
    throw Interrupted("interrupted by signal " + std::to_string(signal) + " while " + doing +
                          "; no output file was written",
                      signal);
  }
}

}  // namespace gpumarket
