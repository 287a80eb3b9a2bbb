# One INTERFACE target that carries the project's language level, warnings and sanitizers.
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)

add_library(gpumarket_options INTERFACE)
target_compile_options(gpumarket_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
  -Wno-sign-conversion)
if(GPUMARKET_WERROR)
  target_compile_options(gpumarket_options INTERFACE -Werror)
endif()
if(GPUMARKET_NATIVE)
  target_compile_options(gpumarket_options INTERFACE -march=native)
endif()
if(GPUMARKET_SANITIZE)
  target_compile_options(gpumarket_options INTERFACE -fsanitize=address,undefined
    -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(gpumarket_options INTERFACE -fsanitize=address,undefined)
endif()
if(GPUMARKET_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "GPUMARKET_FUZZ needs clang (libFuzzer): use the `fuzz` preset")
  endif()
  # Coverage for libFuzzer's feedback and both sanitizers in every library; libFuzzer's own
  # main is linked only into the harnesses (fuzz/CMakeLists.txt).
  target_compile_options(gpumarket_options INTERFACE -fsanitize=fuzzer-no-link,address,undefined
    -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(gpumarket_options INTERFACE -fsanitize=address,undefined)
endif()
