# cli.fresh_clone_quickstart: clone the committed tree, build `complysim` as the quick
# start does, then run the README's `export PATH=...` line and `complysim --version`
# (tests/cli/fresh_clone_check.sh). A full build of the program in a fresh directory:
# minutes on 2 cores, so it carries the "slow" label (`ctest -LE slow` skips it).
add_test(NAME cli.fresh_clone_quickstart
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/cli/fresh_clone_check.sh ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.fresh_clone_quickstart PROPERTIES
  LABELS "slow;quickstart" SKIP_RETURN_CODE 77 TIMEOUT 1800)
