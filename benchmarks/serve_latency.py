"""Seconds from "Run" to the answer of `complysim serve` at the page's default
size (10,000 users x 8 replicates of Decree 53), measured through the HTTP API
as the page calls it: the first run (base and what-if simulated) and then
three what-ifs with the base's runs cached (what a workshop sees after the
first Run). Prints the machine's load average beside the figures, and the
CPU seconds the server used for each run (user + system, from /proc): on a
quiet 2-core machine the wall time approaches half of that.

usage: /usr/bin/python3 benchmarks/serve_latency.py build/release/sim/complysim [scenarios]"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "serve"))
from serve_common import Server, run_events  # noqa: E402

binary = sys.argv[1]
scenarios = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scenarios")
print(f"cores: {os.cpu_count()}; load average before: {os.getloadavg()}")
def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


with Server(binary, scenarios) as srv:
    for i, levers in enumerate([{"law.vagueness": 0.0}, {"law.appeals": 0.8}, {"law.transparency": 1.0}, {"law.takedown_deadline_hours": 3}]):
        t0, c0 = time.monotonic(), cpu_seconds(srv.proc.pid)
        st, ev = run_events(srv.url, {"scenario": "decree53_2022", "users": 10000, "replicates": 8, "levers": levers})
        dt, cpu = time.monotonic() - t0, cpu_seconds(srv.proc.pid) - c0
        res = ev[-1]
        assert st == 200 and res["event"] == "result", ev[-1]
        what = "base cached, what-if only" if res["base_cached"] else "base and what-if"
        print(f"run {i + 1}: {dt:.2f} s from Run to answer, {cpu:.2f} CPU s ({what}; load average now {os.getloadavg()[0]:.1f})")
print(f"load average after: {os.getloadavg()}")
