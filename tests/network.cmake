# Stand-alone test of the social-network generators: network.cpp and its test
# only, so it builds and runs while the rest of complysim_core is in progress.
# (network_test.cpp is also globbed into complysim_tests.)
add_executable(complysim_network_tests
  ${PROJECT_SOURCE_DIR}/sim/src/model/network.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/model/network_test.cpp
  $<TARGET_OBJECTS:complysim_catch_main>)
target_include_directories(complysim_network_tests PRIVATE ${PROJECT_SOURCE_DIR}/sim/include)
target_include_directories(complysim_network_tests SYSTEM PRIVATE ${RANDOM123_INCLUDE_DIR})
target_link_libraries(complysim_network_tests PRIVATE TBB::tbb Catch2::Catch2 complysim_warnings)
catch_discover_tests(complysim_network_tests TEST_PREFIX "network_standalone: " PROPERTIES LABELS "unit")
