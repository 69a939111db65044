# Issue 13: full disks (needs a tmpfs mount, so root; skipped with a message otherwise).
add_test(NAME reliability.full_disk
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/reliability/full_disk.sh $<TARGET_FILE:complysim> ${PROJECT_SOURCE_DIR})
set_tests_properties(reliability.full_disk PROPERTIES LABELS "reliability" SKIP_RETURN_CODE 77 TIMEOUT 300)
