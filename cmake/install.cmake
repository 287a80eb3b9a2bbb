# `cmake --install`: the program, the libraries with their headers and a CMake package
# (find_package(gpumarket CONFIG): gpumarket::gpumarket_<module>), the scripts, the shipped
# scenarios and the docs.
include(CMakePackageConfigHelpers)

set(GPUMARKET_LIBRARIES gpumarket_core gpumarket_engine gpumarket_scenario gpumarket_market
  gpumarket_io gpumarket_sweep gpumarket_cli)
install(TARGETS gpumarket)
install(TARGETS ${GPUMARKET_LIBRARIES} EXPORT gpumarketTargets)
install(DIRECTORY include/gpumarket TYPE INCLUDE)

set(GPUMARKET_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/gpumarket")
install(EXPORT gpumarketTargets NAMESPACE gpumarket:: DESTINATION "${GPUMARKET_CMAKE_DIR}")
configure_package_config_file(cmake/gpumarketConfig.cmake.in
  "${PROJECT_BINARY_DIR}/gpumarketConfig.cmake" INSTALL_DESTINATION "${GPUMARKET_CMAKE_DIR}")
# 0.x: a minor release may break the interface.
write_basic_package_version_file("${PROJECT_BINARY_DIR}/gpumarketConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/gpumarketConfig.cmake"
  "${PROJECT_BINARY_DIR}/gpumarketConfigVersion.cmake" DESTINATION "${GPUMARKET_CMAKE_DIR}")

install(PROGRAMS scripts/dashboard.py scripts/plot_sweep.py scripts/explain_waterfall.py
  scripts/slurm_sweep.sh
  DESTINATION "${CMAKE_INSTALL_DATADIR}/gpumarket/scripts")
# The Python package the scripts import: beside them, where they look (../python).
install(DIRECTORY python/ DESTINATION "${CMAKE_INSTALL_DATADIR}/gpumarket/python"
  PATTERN "__pycache__" EXCLUDE PATTERN "*.egg-info" EXCLUDE PATTERN "build" EXCLUDE)
install(DIRECTORY scenarios/ DESTINATION "${CMAKE_INSTALL_DATADIR}/gpumarket/scenarios")
install(FILES README.md ARCHITECTURE.md TYPE DOC)
install(DIRECTORY docs/ TYPE DOC)
