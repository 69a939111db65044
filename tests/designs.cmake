# Standalone test of the sweep designs and the sensitivity estimators: compiles
# only their sources (no HDF5, TOML or model code), so it builds and runs even
# while the rest of complysim_core is incomplete. The same *_test.cpp files are
# also globbed into complysim_tests; drop this target once that one links.
set(_complysim_root ${CMAKE_CURRENT_LIST_DIR}/..)
add_executable(complysim_designs_tests
  ${_complysim_root}/sim/src/simulation/designs.cpp
  ${_complysim_root}/sim/src/analysis/sensitivity.cpp
  ${CMAKE_CURRENT_LIST_DIR}/simulation/designs_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/analysis/sensitivity_test.cpp
  $<TARGET_OBJECTS:complysim_catch_main>)
target_include_directories(complysim_designs_tests PRIVATE ${_complysim_root}/sim/include)
target_include_directories(complysim_designs_tests SYSTEM PRIVATE ${RANDOM123_INCLUDE_DIR})
target_link_libraries(complysim_designs_tests PRIVATE Eigen3::Eigen Boost::headers Catch2::Catch2 complysim_warnings)
catch_discover_tests(complysim_designs_tests TEST_PREFIX "standalone: " PROPERTIES LABELS "unit")
