"""Units and labels for axes and tables, from ONE table: the C++ code's.

The results file is the authority: the ``unit``, ``description`` and ``label``
attributes of ``/runs/outcomes/<name>`` and ``/timeseries/<name>`` (from the
outcome table, ``OutcomeSpec``) and the ``unit`` attribute of
``/runs/params/<name>`` (from the parameter table). Nothing here retypes them.

For a file written before ``/runs/params/<name>`` carried a unit, the parameter
units come from the command line itself, ``complysim params --format csv``
(the same table), found through ``$COMPLYSIM``, the build tree beside this
package (``build/release/sim/complysim``) or ``PATH``; without it they are "".
"""
from __future__ import annotations

import csv
import functools
import io
import os
import shutil
import subprocess


def normalise_param(name: str) -> str:
    """Map a dotted parameter name to its row in ``complysim params``:
    "platforms.<name>.key" -> "platforms.<name>.key" with the literal ``<name>``,
    "jurisdictions.<name>.law.key" -> "law.key"."""
    parts = name.split(".")
    if parts[0] == "platforms" and len(parts) == 3:
        return f"platforms.<name>.{parts[2]}"
    if parts[0] == "jurisdictions" and len(parts) >= 3:
        rest = parts[2:]
        return ".".join(rest) if len(rest) == 2 else f"jurisdictions.<name>.{rest[0]}"
    return name


def complysim_executable() -> str | None:
    """The ``complysim`` program: $COMPLYSIM, the build tree of this checkout, or PATH."""
    env = os.environ.get("COMPLYSIM")
    if env and os.access(env, os.X_OK):
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    for rel in (("..", "..", "build", "release", "sim", "complysim"), ("..", "..", "..", "bin", "complysim")):
        cand = os.path.normpath(os.path.join(here, *rel))
        if os.access(cand, os.X_OK) and os.path.isfile(cand):
            return cand
    return shutil.which("complysim")


@functools.lru_cache(maxsize=1)
def cli_param_units() -> dict[str, str]:
    """``complysim params --format csv`` as {row name: unit}; {} without the program."""
    exe = complysim_executable()
    if exe is None:
        return {}
    try:
        out = subprocess.run([exe, "params", "--format", "csv"], capture_output=True, text=True,
                             timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    return {row["name"]: row["unit"] for row in csv.DictReader(io.StringIO(out))}


def param_unit(name: str) -> str:
    """Unit of a swept parameter from the command line's table, or "" when unknown."""
    return cli_param_units().get(normalise_param(name), "")


def default_label(name: str) -> str:
    """A readable label for an outcome whose file has no ``label`` attribute:
    its canonical name with spaces ("self_censorship_rate" -> "self censorship rate")."""
    return name.replace("_", " ")
