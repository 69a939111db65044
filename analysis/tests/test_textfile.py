"""Issue 13: data files are regular files of bounded size (textfile.check_text_file)."""
import os

import pytest

from complysim_analysis.calibration import read_targets
from complysim_analysis.figures import read_observed
from complysim_analysis.textfile import check_text_file


@pytest.mark.parametrize("reader", [read_observed, read_targets])
def test_data_readers_refuse_devices_pipes_and_directories(reader, tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    for path, why in [("/dev/zero", "not a regular file (a character device)"),
                      (str(fifo), "not a regular file (a pipe)"),
                      (str(tmp_path), "directory")]:
        with pytest.raises(ValueError, match=why.replace("(", r"\(").replace(")", r"\)")):
            reader(path)


def test_size_limit(tmp_path):
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * 2049)
    with pytest.raises(ValueError, match=r"larger than the 2048 bytes limit \(2049 bytes\)"):
        check_text_file(str(big), limit=2048)
    check_text_file(str(big), limit=2049)
    with pytest.raises(FileNotFoundError):
        check_text_file(str(tmp_path / "missing.csv"))
