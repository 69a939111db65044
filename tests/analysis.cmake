# complysim analyze and the report, beyond the Catch2 unit tests
# (tests/analysis/analyze_test.cpp):
#  - analysis.install_report: `cmake --install` into a temporary prefix, then the
#    installed bin/complysim-report on a small file (python3 with h5py, matplotlib, ...).
add_test(NAME analysis.install_report
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/analysis/install_report_check.sh
                 ${CMAKE_COMMAND} ${PROJECT_BINARY_DIR} $<TARGET_FILE:complysim_io_sample>)
set_tests_properties(analysis.install_report PROPERTIES
  LABELS "python;install" ENVIRONMENT "MPLBACKEND=Agg" TIMEOUT 300)
#  - analysis.sweep_analyze_report: a small Sobol sweep of scenarios/baseline.toml
#    (tests/data/analyze_sobol.toml) -> complysim analyze (indices with CIs for
#    every outcome column) -> python3 -m complysim_analysis report (report.html
#    with the Sobol, parameter and time-series figures). 15-40 s on 2 cores: slow.
add_test(NAME analysis.sweep_analyze_report
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/analysis/analyze_e2e_check.sh
                 $<TARGET_FILE:complysim> ${PROJECT_SOURCE_DIR})
set_tests_properties(analysis.sweep_analyze_report PROPERTIES
  LABELS "python;e2e;slow" SKIP_RETURN_CODE 77 ENVIRONMENT "MPLBACKEND=Agg" TIMEOUT 300)
#  - analysis.build_tree_report: build/<preset>/sim/complysim-report runs the checkout's
#    package without an install (prints its usage).
add_test(NAME analysis.build_tree_report COMMAND ${PROJECT_BINARY_DIR}/sim/complysim-report --help)
set_tests_properties(analysis.build_tree_report PROPERTIES
  LABELS python PASS_REGULAR_EXPRESSION "usage: complysim-report" TIMEOUT 60)
add_test(NAME analysis.build_tree_discover COMMAND ${PROJECT_BINARY_DIR}/sim/complysim-report discover --help)
set_tests_properties(analysis.build_tree_discover PROPERTIES
  LABELS python PASS_REGULAR_EXPRESSION "--above X" TIMEOUT 60)
