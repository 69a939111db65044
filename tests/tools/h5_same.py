#!/usr/bin/python3
"""Compares two complysim results files bit for bit (issue 11).

    tests/tools/h5_same.py A.h5 B.h5

Every dataset must have the same shape, dtype and bytes (NaN payloads
included), and every attribute the same value, except the provenance
attributes that name the time, command, build and commit of the run. Exit
status 0 when identical, 1 with the differences listed otherwise.
"""
import sys

import h5py
import numpy as np

PROVENANCE = {"created_utc", "command_line", "git_commit", "complysim_version", "compiler", "library_versions"}


def items(f):
    out = {}
    f.visititems(lambda name, obj: out.__setitem__(name, obj))
    return out


def same_value(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind in "OSU" or b.dtype.kind in "OSU":
        return a.shape == b.shape and all(x == y for x, y in zip(a.ravel().tolist(), b.ravel().tolist()))
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def main():
    a_path, b_path = sys.argv[1:3]
    diffs = []
    with h5py.File(a_path, "r") as fa, h5py.File(b_path, "r") as fb:
        for name in sorted(set(fa.attrs) | set(fb.attrs)):
            if name in PROVENANCE:
                continue
            if name not in fa.attrs or name not in fb.attrs or not same_value(fa.attrs[name], fb.attrs[name]):
                diffs.append(f"root attribute {name}")
        ia, ib = items(fa), items(fb)
        for name in sorted(set(ia) | set(ib)):
            if name not in ia or name not in ib:
                diffs.append(f"{name}: only in one file")
                continue
            oa, ob = ia[name], ib[name]
            if isinstance(oa, h5py.Dataset) != isinstance(ob, h5py.Dataset):
                diffs.append(f"{name}: kind differs")
                continue
            if isinstance(oa, h5py.Dataset) and not same_value(oa[()], ob[()]):
                diffs.append(f"{name}: data differ")
            for at in sorted(set(oa.attrs) | set(ob.attrs)):
                if at not in oa.attrs or at not in ob.attrs or not same_value(oa.attrs[at], ob.attrs[at]):
                    diffs.append(f"{name}: attribute {at}")
    for d in diffs:
        print(f"  {d}")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
