// The program's version, as configured by CMake (project version plus git describe).
#pragma once

namespace gpumarket {
const char* program_version();
}  // namespace gpumarket
