# Python analysis package (analysis/complysim_analysis): pytest under Debian's
# /usr/bin/python3 (python3-h5py, -numpy, -pandas, -matplotlib, -scipy, -pytest).
# The tests write only into pytest's tmp_path; no bytecode in the source tree.
add_test(NAME python_analysis
         COMMAND /usr/bin/python3 -m pytest -q -p no:cacheprovider ${PROJECT_SOURCE_DIR}/analysis/tests
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/analysis)
set_tests_properties(python_analysis PROPERTIES
  LABELS python
  ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1;MPLBACKEND=Agg;COMPLYSIM=$<TARGET_FILE:complysim>"
  TIMEOUT 600)
