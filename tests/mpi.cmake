# MPI sweep tests (tests/cli/mpi_cli_test.cpp): compiled in only when complysim
# is built with COMPLYSIM_WITH_MPI; they start the binary with mpiexec.
if(COMPLYSIM_WITH_MPI)
  target_compile_definitions(complysim_tests PRIVATE COMPLYSIM_MPIEXEC="${MPIEXEC_EXECUTABLE}")
endif()
