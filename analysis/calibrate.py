#!/usr/bin/env python3
"""Calibrate the Vietnam 2018-2020 timeline as a posterior (ABC-SMC; docs/calibration.md).

    /usr/bin/python3 analysis/calibrate.py [--quick] [-o DIR] [--binary PATH] [--recover K] ...

The same as `/usr/bin/python3 -m complysim_analysis calibrate ...` (run from
analysis/ or with PYTHONPATH=analysis); everything is in
complysim_analysis/calibrate.py. `--help` lists the options.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True

from complysim_analysis.calibrate import CalibrationError, find_binary, main  # noqa: E402,F401

if __name__ == "__main__":
    sys.exit(main())
