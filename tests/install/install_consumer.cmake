# cmake -P script run by the install_consumer test (tests/install/CMakeLists.txt).
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT status EQUAL 0)
    string(JOIN " " command ${ARGN})
    message(FATAL_ERROR "`${command}` failed (${status}):\n${out}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()

set(prefix "${WORK_DIR}/prefix")
file(REMOVE_RECURSE "${WORK_DIR}")
run("${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}")

foreach(file bin/gpumarket share/gpumarket/scripts/dashboard.py share/gpumarket/scripts/plot_sweep.py
    share/gpumarket/scripts/slurm_sweep.sh share/gpumarket/scenarios/mmc.yaml
    share/doc/gpumarket/README.md share/doc/gpumarket/output.md
    include/gpumarket/core/version.hpp)
  if(NOT EXISTS "${prefix}/${file}")
    message(FATAL_ERROR "not installed: ${file}")
  endif()
endforeach()

run("${prefix}/bin/gpumarket" --version)
if(NOT out MATCHES "${VERSION}")
  message(FATAL_ERROR "installed gpumarket --version printed no ${VERSION}:\n${out}")
endif()

run("${CMAKE_COMMAND}" -S "${CONSUMER_DIR}" -B "${WORK_DIR}/consumer" -G "${GENERATOR}"
  "-DCMAKE_PREFIX_PATH=${prefix}" "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}"
  "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" "-DCMAKE_C_COMPILER=${C_COMPILER}")
run("${CMAKE_COMMAND}" --build "${WORK_DIR}/consumer")
run("${WORK_DIR}/consumer/consumer" "${prefix}/share/gpumarket/scenarios/mmc.yaml")
if(NOT out MATCHES "^gpumarket ${VERSION}")
  message(FATAL_ERROR "consumer printed:\n${out}")
endif()
message(STATUS "consumer: ${out}")
