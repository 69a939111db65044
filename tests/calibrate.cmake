# The calibration command (analysis/calibrate.py, docs/calibration.md) with the real binary:
#  - calibration.quick: `--quick` writes a posterior that is a valid points file, a summary
#    and both figures (about 100 runs of 1,000 users: 10-30 s on 2 cores);
#  - calibration.recovery (slow): parameter recovery on 10 synthetic data sets, 90%
#    intervals cover the truth in >= 75% of (data set, parameter) pairs (8,010 runs of
#    1,000 users: measured 846 s wall on the loaded 2-core machine; coverage 0.889).
add_test(NAME calibration.quick
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/calibration/calibrate_check.sh quick
                 $<TARGET_FILE:complysim> ${PROJECT_SOURCE_DIR})
set_tests_properties(calibration.quick PROPERTIES LABELS "python;e2e" TIMEOUT 600)
add_test(NAME calibration.recovery
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/calibration/calibrate_check.sh recovery
                 $<TARGET_FILE:complysim> ${PROJECT_SOURCE_DIR})
set_tests_properties(calibration.recovery PROPERTIES LABELS "python;e2e;slow;recovery" TIMEOUT 3600)
