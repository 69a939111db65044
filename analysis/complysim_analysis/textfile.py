"""Bounded reading of text inputs (issue 13): a data or points CSV must be a
regular file of at most MAX_DATA_FILE_BYTES, as complysim's C++ readers
require (complysim/io/text_file.hpp, kMaxDataFileBytes)."""
from __future__ import annotations

import os
import stat

MAX_DATA_FILE_BYTES = 256 << 20  # 256 MiB, the C++ kMaxDataFileBytes

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISFIFO, "a pipe"), (stat.S_ISSOCK, "a socket"))


def check_text_file(path: str, limit: int = MAX_DATA_FILE_BYTES) -> None:
    """Raises FileNotFoundError for a missing file and ValueError
    ("PATH: not a regular file (a character device)", "PATH: larger than the
    256 MiB limit (N bytes)") for anything else complysim does not read."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such file") from None
    if not stat.S_ISREG(st.st_mode):
        kind = next((name for test, name in _KINDS if test(st.st_mode)), "not a plain file")
        raise ValueError(f"{path}: not a regular file ({kind})")
    if st.st_size > limit:
        shown = f"{limit >> 20} MiB" if limit % (1 << 20) == 0 else f"{limit} bytes"
        raise ValueError(f"{path}: larger than the {shown} limit ({st.st_size} bytes)")
