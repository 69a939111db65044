"""API tests of `complysim serve` (issue 16): bad JSON, an unknown lever, a value
out of range, users above the cap, an oversized body, two runs at once (the
second waits, a third is refused), a client that disconnects mid-run (its run
is cancelled), the exported files reproduce the answer through
`complysim compare`, and the server answers the next request after each.

usage: api_check.py COMPLYSIM SCENARIOS_DIR WORK_DIR"""
import json
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_common import Server, compare_csv, get_json, request, run_events  # noqa: E402

binary, scenarios, work = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(work, exist_ok=True)
SMALL = {"scenario": "decree53_2022", "users": 1000, "replicates": 2}
checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        print("FAIL:", what, file=sys.stderr)
        sys.exit(1)
    print("ok:", what)


with Server(binary, scenarios, "--max-users", "30000", "--max-queue", "1") as srv:
    u = srv.url
    status, page = request(u + "/")
    check(status == 200 and b"What if the decree were different?" in page, "GET / serves the page")
    check(request(u + "/app.js")[0] == 200, "GET /app.js")
    cfg = get_json(u + "/api/config")
    check(cfg["default_scenario"] == "decree53_2022", "Decree 53 is the default base")
    check(cfg["max_users"] == 30000, "the users cap is reported")
    sc = get_json(u + "/api/scenario?id=decree53_2022")
    names = [l["name"] for l in sc["levers"]]
    for n in ["law.vagueness", "law.enforcement_breadth", "law.takedown_deadline_hours", "law.transparency", "law.appeals",
              "law.data_localization", "law.user_sanction", "law.identification", "regulator.monitoring_rate"]:
        check(n in names, f"lever {n} offered")
    vag = next(l for l in sc["levers"] if l["name"] == "law.vagueness")
    check(vag["base"] == 0.15 and vag["min"] == 0 and vag["max"] == 1, "lever range and base value from the parameter table")
    check(request(u + "/api/scenario?id=nope")[0] == 404, "unknown scenario id: 404")

    # Bad input: 4xx with a clear message; the server stays up.
    st, ev = run_events(u, "{not json")
    check(st == 400 and "malformed JSON" in ev[0]["error"], "malformed JSON: 400 " + ev[0]["error"])
    st, ev = run_events(u, "[1, 2]")
    check(st == 400 and "JSON object" in ev[0]["error"], "a JSON array: 400 " + ev[0]["error"])
    st, ev = run_events(u, {**SMALL, "levers": {"law.vaguenes": 0.1}})
    check(st == 400 and "unknown lever" in ev[0]["fields"].get("law.vaguenes", ""), "unknown lever: 400 " + ev[0]["error"])
    st, ev = run_events(u, {**SMALL, "levers": {"law.vagueness": 1.5}})
    check(st == 400 and "out of range" in ev[0]["fields"].get("law.vagueness", ""),
          "out-of-range lever: 400 with a message for that control: " + ev[0]["fields"].get("law.vagueness", ""))
    st, ev = run_events(u, {**SMALL, "levers": {"law.takedown_deadline_hours": "soon"}})
    check(st == 400 and "law.takedown_deadline_hours" in ev[0]["fields"], "a word for a number: 400 " + ev[0]["error"])
    st, ev = run_events(u, {**SMALL, "levers": {"law.data_localization": 3}})
    check(st == 400 and "law.data_localization" in ev[0]["fields"], "a number for on/off: 400 " + ev[0]["error"])
    st, ev = run_events(u, {**SMALL, "users": 10_000_000})
    check(st == 413 and "cap" in ev[0]["error"], "users above the cap: 413 " + ev[0]["error"])
    st, ev = run_events(u, {**SMALL, "replicates": 1000})
    check(st == 413, "replicates above the cap: 413 " + ev[0]["error"])
    st, ev = run_events(u, {**SMALL, "users": "many"})
    check(st == 400 and "whole number" in ev[0]["error"], "users not a number: 400 " + ev[0]["error"])
    st, ev = run_events(u, {**SMALL, "colour": "red"})
    check(st == 400 and "unknown field" in ev[0]["error"], "unknown field: 400 " + ev[0]["error"])
    st, ev = run_events(u, {**SMALL, "scenario": "../etc/passwd"})
    check(st == 404, "scenario outside the library: 404 " + ev[0]["error"])
    st, body = request(u + "/api/run", "{" + '"x":"' + "a" * 100_000 + '"}')
    check(st == 413 and b"larger than" in body, "a 100 kB body: 413")
    check(request(u + "/nowhere")[0] == 404, "unknown path: 404")
    check(srv.alive() and get_json(u + "/api/status")["running"] is False, "server up and idle after bad input")

    # A run; its exported files reproduce it through `complysim compare`.
    st, ev = run_events(u, {**SMALL, "levers": {"law.vagueness": 0.0, "law.appeals": 1}})
    res = ev[-1]
    check(st == 200 and res["event"] == "result", "a small run answers")
    check(set(res["levers"]) == {"law.vagueness", "law.appeals"}, "only changed levers are written")
    files = res["files"]
    check(f'extends = "{files["base_name"]}"' in files["whatif_toml"] and "vagueness = 0.0" in files["whatif_toml"],
          "the what-if extends the base with the changed levers as fields")
    for name in ("base", "whatif"):
        with open(os.path.join(work, files[name + "_name"]), "w") as f:
            f.write(files[name + "_toml"])
    cli = compare_csv(binary, os.path.join(work, files["base_name"]), os.path.join(work, files["whatif_name"]))
    check(cli == res["csv"], "`complysim compare` on the exported files prints the page's table bit for bit")
    st, ev = run_events(u, {**SMALL, "levers": {"law.vagueness": 0.05}})
    check(ev[-1]["event"] == "result" and ev[-1]["base_cached"] is True, "the base's runs are reused for the next what-if")

    # Two runs at once, both answered (whether the second had to wait depends on the machine's speed).
    results = {}

    def runner(key, body):
        results[key] = run_events(u, body)

    threads = [threading.Thread(target=runner, args=(k, {**SMALL, "levers": {"law.transparency": t}})) for k, t in (("a", 0.7), ("b", 0.3))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k in ("a", "b"):
        check(results[k][0] == 200 and results[k][1][-1]["event"] == "result", f"run {k} of two sent at once answers")

    # A long run whose client disconnects mid-run; while it runs, a second run
    # waits with its place shown and a third is refused (queue of one). The
    # long run is big enough (30,000 users x 32 runs, base and what-if) to be
    # still running on any machine when its client leaves; it is then
    # cancelled, and the waiting run goes ahead.
    before = get_json(u + "/api/status")
    host, port = u.split("//")[1].split(":")
    body = json.dumps({"scenario": "decree53_2022", "users": 30000, "replicates": 32, "levers": {"law.identification": 0.5}})
    s = socket.create_connection((host, int(port)))
    s.sendall((f"POST /api/run HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}").encode())
    got = b""
    while b'"progress"' not in got:
        chunk = s.recv(4096)
        if not chunk:
            break
        got += chunk
    check(b'"progress"' in got, "the long run streams its progress")
    waiting = threading.Thread(target=runner, args=("w", {**SMALL, "levers": {"law.transparency": 0.4}}))
    waiting.start()
    for _ in range(1200):
        if get_json(u + "/api/status")["queued"] == 1:
            break
        time.sleep(0.05)
    check(get_json(u + "/api/status")["queued"] == 1, "a second run waits behind the long one")
    st3, ev3 = run_events(u, {**SMALL, "levers": {"law.transparency": 0.2}})
    check(st3 == 429 and "busy" in ev3[0]["error"], "a third run while one runs and one waits: 429 " + ev3[0]["error"])
    s.close()  # the page went away
    waiting.join()
    sw, evw = results["w"]
    check(sw == 200 and evw[-1]["event"] == "result", "the waiting run answers once the long one is gone")
    check(any(e["event"] == "queued" and e["position"] == 1 for e in evw), "the waiting run was shown its place in the queue")
    status = get_json(u + "/api/status")
    check(status["cancelled"] == before["cancelled"] + 1 and status["finished"] == before["finished"] + 1,
          "the run of the client that went away was cancelled, not finished")
    st, ev = run_events(u, {**SMALL, "levers": {"law.user_sanction": 0.2}})
    check(srv.alive() and st == 200 and ev[-1]["event"] == "result", "the server answers the next run after all that")

print(f"api_check: {checks} checks passed")
