"""Shared helpers of the `complysim serve` tests: start a server on a free
port and talk to it with the standard library only."""
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request


class Server:
    """`complysim serve --port 0 ...` as a context manager; .url is the base URL."""

    def __init__(self, binary, scenarios, *extra):
        self.cmd = [binary, "serve", "--port", "0", "--scenarios", scenarios, *extra]

    def __enter__(self):
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        self.url = None
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            if " open http://" in line:
                self.url = line.split(" open ", 1)[1].split()[0].rstrip("/")
                break
        if not self.url:
            self.proc.kill()
            out, err = self.proc.communicate()
            raise RuntimeError(f"server did not start: {out} {err}")
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return False

    def alive(self):
        return self.proc.poll() is None


def request(url, data=None, method=None, timeout=300):
    """(status, body bytes) of one HTTP request; 4xx/5xx are returned, not raised."""
    if isinstance(data, (dict, list)):
        data = json.dumps(data).encode()
    elif isinstance(data, str):
        data = data.encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def get_json(url):
    status, body = request(url)
    assert status == 200, (url, status, body)
    return json.loads(body)


def run_events(url, body, timeout=600):
    """POST /api/run and read the event stream: (status, [events]) (one error object when refused)."""
    status, raw = request(url + "/api/run", body, timeout=timeout)
    if status != 200:
        return status, [json.loads(raw)]
    return status, [json.loads(line) for line in raw.decode().splitlines() if line.strip()]


def compare_csv(binary, base_path, whatif_path):
    """`complysim compare BASE WHATIF --format csv` on the exported files."""
    out = subprocess.run([binary, "compare", base_path, whatif_path, "--format", "csv", "--quiet"],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
    assert out.returncode == 0, out.stderr
    return out.stdout


def fail(msg):
    print("FAIL:", msg, file=sys.stderr)
    sys.exit(1)
