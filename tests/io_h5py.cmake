# The results file read by h5py (docs/output-format.md is the contract): a tiny
# helper writes a sample file into a temporary directory, the Python script checks
# every dataset, attribute, dtype and shape, and runs the h5py example of the docs.
add_executable(complysim_io_sample ${CMAKE_CURRENT_SOURCE_DIR}/io/write_sample_results.cpp)
target_link_libraries(complysim_io_sample PRIVATE complysim_core complysim_warnings)
add_dependencies(complysim_tests complysim_io_sample)

add_test(NAME io.h5py_layout
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/io/check_h5py_layout.py
                 $<TARGET_FILE:complysim_io_sample> ${PROJECT_SOURCE_DIR}/docs/output-format.md)
# Exit status 77: h5py is not installed for /usr/bin/python3.
set_tests_properties(io.h5py_layout PROPERTIES LABELS "io;python" SKIP_RETURN_CODE 77)
