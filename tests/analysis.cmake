# complysim analyze and the report, beyond the Catch2 unit tests
# (tests/analysis/analyze_test.cpp):
#  - analysis.install_report: `cmake --install` into a temporary prefix, then the
#    installed bin/complysim-report on a small file (python3 with h5py, matplotlib, ...).
add_test(NAME analysis.install_report
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/analysis/install_report_check.sh
                 ${CMAKE_COMMAND} ${PROJECT_BINARY_DIR} $<TARGET_FILE:complysim_io_sample>)
set_tests_properties(analysis.install_report PROPERTIES
  LABELS "python;install" ENVIRONMENT "MPLBACKEND=Agg" TIMEOUT 300)
