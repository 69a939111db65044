"""Command line: ``/usr/bin/python3 -m complysim_analysis {report,discover,summary,calibrate} ...``."""
from __future__ import annotations

import argparse
import os
import sys

from .loader import ResultsFormatError


def _positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="/usr/bin/python3 -m complysim_analysis",
        description="Figures, tables and an HTML report from a complysim results file (HDF5).")
    sub = p.add_subparsers(dest="command", required=True)

    # The installed complysim-report wrapper names itself in --help and errors.
    report_prog = {"prog": os.environ["COMPLYSIM_REPORT_PROG"]} if os.environ.get("COMPLYSIM_REPORT_PROG") else {}
    r = sub.add_parser("report", help="write PNG figures and one self-contained report.html", **report_prog)
    r.add_argument("file", metavar="FILE.h5", help="results file written by complysim run/sweep")
    r.add_argument("-o", "--output", metavar="DIR", required=True, help="directory for report.html and PNGs")
    r.add_argument("--data", metavar="CSV",
                   help="observed data (period_start,period_end,platform,metric,value,...); rows "
                        "with metric takedown_compliance_rate are drawn against the model "
                        "(needs a start_date in the file)")
    r.add_argument("--platform-map", metavar="MAP",
                   help="DATA=MODEL platform names, comma-separated (default: "
                        "facebook=global_social,google=video_sharing,youtube=video_sharing); "
                        "each MODEL must be a platform of FILE.h5")
    r.add_argument("--bootstrap", type=_positive_int, default=1000, metavar="N",
                   help="bootstrap resamples for Sobol CIs (default: %(default)s)")
    r.add_argument("--seed", type=int, default=0, help="seed of the bootstrap (default: %(default)s)")

    dprog = ({"prog": os.environ["COMPLYSIM_REPORT_PROG"] + " discover"}
             if os.environ.get("COMPLYSIM_REPORT_PROG") else {})
    d = sub.add_parser("discover", help="scenario discovery: PRIM boxes of the swept parameters where an "
                       "outcome crosses a threshold", **dprog)
    d.add_argument("file", metavar="FILE.h5", help="results file of a complysim sweep")
    d.add_argument("--outcome", required=True, metavar="NAME",
                   help="outcome column, e.g. lawful_self_censorship_rate or takedown_compliance_rate[global_social]")
    t = d.add_mutually_exclusive_group(required=True)
    t.add_argument("--above", type=float, metavar="X", help="runs of interest: outcome > X")
    t.add_argument("--below", type=float, metavar="X", help="runs of interest: outcome < X")
    d.add_argument("--design", metavar="NAME", help="decree design (default: the first)")
    d.add_argument("-o", "--output", metavar="DIR", default=".",
                   help="directory for the peeling-trajectory figure (default: the current one)")
    d.add_argument("--peel-alpha", type=float, default=0.05, help="share peeled per step (default: %(default)s)")
    d.add_argument("--min-mass", type=float, default=0.05, help="smallest box, share of runs (default: %(default)s)")
    d.add_argument("--min-coverage", type=float, default=0.5,
                   help="the chosen box is the densest with at least this coverage (default: %(default)s)")
    # calibrate: complysim_analysis/calibrate.py (ABC-SMC over complysim sweeps; docs/calibration.md)
    from .calibrate import add_arguments as _calibrate_arguments
    _calibrate_arguments(sub.add_parser("calibrate", help="calibrate the Vietnam 2018-2020 timeline as a posterior "
                                                          "(ABC-SMC; docs/calibration.md)"))

    s = sub.add_parser("summary", help="print the mean of every outcome by decree design")
    s.add_argument("file", metavar="FILE.h5")
    s.add_argument("--format", choices=("table", "csv", "markdown"), default="table")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "calibrate":
        from .calibrate import CalibrationError, run as _calibrate

        try:
            return _calibrate(args)
        except CalibrationError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
    try:
        if args.command == "report":
            from .figures import parse_platform_map
            from .report import write_report

            explicit = args.platform_map is not None
            pmap = parse_platform_map(args.platform_map) if explicit else None
            out = write_report(args.file, args.output, data_csv=args.data, platform_map=pmap,
                               bootstrap=args.bootstrap, seed=args.seed,
                               check_platform_map=explicit)
            print(f"wrote {out}")
        elif args.command == "discover":
            import pandas as pd

            from .prim import box_table, discover_file
            from .loader import load

            result, sentence, fig_path = discover_file(
                args.file, args.outcome, above=args.above, below=args.below, design=args.design,
                out_dir=args.output, peel_alpha=args.peel_alpha, mass_min=args.min_mass,
                min_coverage=args.min_coverage)
            units = load(args.file).param_units
            print(f"PRIM (Friedman & Fisher 1999), peeling {args.peel_alpha:g} per step, "
                  f"{len(result.trajectory)} boxes; chosen: the densest with coverage >= {args.min_coverage:g} "
                  f"(step {result.chosen})")
            print(sentence + ".")
            print()
            with pd.option_context("display.width", 100, "display.max_columns", None,
                                   "display.float_format", "{:.4g}".format):
                print(box_table(result, units).to_string(index=False, na_rep=""))
            print()
            print("quasi-p: one-sided binomial probability of the box's count of runs of interest if the "
                  "restriction were dropped (Bryant & Lempert 2010); small = the restriction matters")
            print(f"wrote {fig_path} (peeling trajectory: coverage against density)")
        elif args.command == "summary":
            import pandas as pd

            from .loader import load
            from .report import summary_table

            res = load(args.file)
            table = summary_table(res)
            n = len(res.runs)
            n_ok = int((res.runs["status"] == 0).sum())
            print(f"{args.file}: {n} runs, {n_ok} ok; design kind {res.design.get('kind')}; "
                  f"means over ok runs")
            if args.format == "csv":
                print(table.to_csv(), end="")
            elif args.format == "markdown":
                cols = ["outcome"] + list(table.columns)
                print("| " + " | ".join(cols) + " |")
                print("|" + "---|" * len(cols))
                for idx, row in table.iterrows():
                    cells = [str(idx)] + [row["unit"]] + [f"{v:.4g}" for v in row.iloc[1:]]
                    print("| " + " | ".join(cells) + " |")
            else:
                with pd.option_context("display.max_rows", None, "display.width", 200,
                                       "display.float_format", "{:.4g}".format):
                    print(table.to_string())
    except (ResultsFormatError, FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except OSError as err:  # permission denied, disk full, ...: one line, no traceback
        where = f"{err.filename}: " if err.filename else ""
        print(f"error: {where}{err.strerror or err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
