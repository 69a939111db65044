"""complysim_analysis: read complysim results files (HDF5) into pandas,
estimate Sobol indices and paired design differences, and write figures and
a self-contained HTML report.

    /usr/bin/python3 -m complysim_analysis report out.h5 -o report/
    /usr/bin/python3 -m complysim_analysis summary out.h5
"""
from .loader import Results, ResultsFormatError, load

__all__ = ["Results", "ResultsFormatError", "load"]
__version__ = "0.1.0"
