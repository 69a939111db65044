# complysim against its NumPy reference implementation (benchmarks/reference,
# issue 7): the same scenario at small size in both, replicate means of
# self_censorship_rate, lawful_self_censorship_rate and takedown_compliance_rate
# must agree (Welch test, Bonferroni-corrected). Needs Debian's python3-numpy,
# -scipy and -h5py; exit status 77 (skip) when one is missing. ~10-30 s.
add_test(NAME reference.agreement
         COMMAND /usr/bin/python3 ${PROJECT_SOURCE_DIR}/benchmarks/reference/check_agreement.py
                 $<TARGET_FILE:complysim> ${PROJECT_SOURCE_DIR}/scenarios/baseline.toml
                 --users 5000 --days 120 --replicates 8)
set_tests_properties(reference.agreement PROPERTIES
  LABELS "python;slow"
  ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1"
  SKIP_RETURN_CODE 77
  TIMEOUT 300)
