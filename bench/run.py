#!/usr/bin/env python3
"""The benchmark suite (issue #6). Prints figures and ratios; asserts nothing.

    bench/run.py [--quick] [--only startup,reference,throughput,https,memory,scale,automatic,moto,oneinstance] [--repeats N]

Builds the release binary and the C reference server, then measures on this machine:
  startup     exec -> first 200 on /_emulator/health, bundled fixtures and 10,000 instances
  reference   the bare libevent server (bench/reference/hello.c): the ceiling, and proof that wrk can saturate it
  throughput  signed CreateBackup (V1, V3) that succeed, and rejected ones (quota, state, bad signature),
              32 connections, in memory and with a file state; each run is compared with the reference's
              median and with the mean of the reference runs just before and just after it; the successes
              (the cases with a target) run three times, and the run with the median ratio is kept
  https       signed CreateBackup (V1) that succeed, over HTTPS (TLS 1.3, keep-alive, 32 connections) and over plain
              HTTP in the same run, on fresh servers in turn; the ratio HTTPS / HTTP of each pair, the median of
              `--repeats` pairs kept (target: at least 0.7)
  memory      RSS idle, after 1M and after 2M signed requests (the clock moved past the nonce window between)
  scale       DescribeBackups / CreateBackup latency with 1,000 and 1,000,000 backup sets
  automatic   DescribeBackups (first page and page 100) / CreateBackup latency on an instance one virtual year old
              whose policy backs up every 15 minutes (35,040 automatic sets), against a fresh one
  oneinstance CreateBackup on one instance with a raised daily quota, three 5-s runs back to back on the same
              server: the third run's rate over the first's shows whether a call's cost grows with the day's backups
  moto        moto's server doing RDS CreateDBSnapshot, driven by the same load generator

Every emulator request is really signed (Tests/conformance/signing.py) and verified; each carries its own
nonce. Results go to docs/benchmarks-latest.json; docs/benchmarks.md holds the commands and the figures.
"""
import argparse
import datetime
import hashlib
import json
import math
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Tests" / "conformance"))
import signing  # noqa: E402

LUA = ROOT / "bench" / "requests.lua"
RESULTS = {}


def log(text):
    print(text, flush=True)


# --- processes --------------------------------------------------------------------------------------------

class Server:
    def __init__(self, argv, env=None, pattern=r"listening on http://127\.0\.0\.1:(\d+)"):
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                        env={**os.environ, **(env or {})})
        line = self.process.stdout.readline()
        match = re.search(pattern, line)
        if not match:
            self.process.kill()
            raise RuntimeError(f"{argv[0]} did not start: {line!r}")
        self.port = int(match.group(1))
        self.endpoint = f"127.0.0.1:{self.port}"

    def rss_mb(self):
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(status.split("VmRSS:")[1].split()[0]) / 1024

    def cpu_seconds(self):
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def control(self, method, path, body=None):
        request = urllib.request.Request(f"http://{self.endpoint}{path}", method=method,
                                         data=json.dumps(body).encode() if body is not None else None)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def emulator(binary, *flags, env=None):
    return Server([binary, "--port", "0", "--log-level", "warning", *flags], env)


# --- requests ---------------------------------------------------------------------------------------------

def v1_line(instance, timestamp, secret=signing.SECRET, action="CreateBackup", extra=()):
    query = [("Action", action), ("Version", "2014-08-15"), ("DBInstanceId", instance), ("Format", "JSON"), *extra]
    signed = signing.sign_v1("GET", query, secret=secret, timestamp=timestamp)
    return "GET\t/?" + urllib.parse.urlencode(signed)


def v3_line(instance, timestamp, host):
    headers = signing.sign_v3("POST", host, [("DBInstanceId", instance)],
                              {"x-acs-action": "CreateBackup", "x-acs-version": "2014-08-15"}, date=timestamp)
    return "POST\t/?DBInstanceId=" + instance + "".join(f"\t{name}: {value}" for name, value in headers.items())


def write_requests(lines, path, host, threads=2):
    """Writes each line (method, path and headers, tab-separated) as the raw HTTP/1.1 request that bench/requests.lua
    sends: formatting 600,000 requests in wrk's Lua took 2.3 s a thread (see there). The requests are dealt to one
    file per wrk thread (`path.0`, `path.1`, ...), so that each thread reads only its own."""
    files = [open(f"{path}.{thread}", "w", newline="") for thread in range(threads)]
    try:
        for index, line in enumerate(lines):
            method, target, *headers = line.split("\t")
            if not any(header.lower().startswith("host:") for header in headers):
                headers.insert(0, f"Host: {host}")
            files[index % threads].write(
                f"{method} {target} HTTP/1.1\r\n" + "".join(f"{header}\r\n" for header in headers) + "\r\n")
    finally:
        for file in files:
            file.close()
    stale = Path(f"{path}.{threads}")
    if stale.exists():
        stale.unlink()  # from a run with more threads: wrk() checks the count


def wrk(endpoint, requests_file, seconds, connections=32, threads=2, scheme="http"):
    shards = [Path(f"{requests_file}.{thread}") for thread in range(threads + 1)]
    if not all(shard.exists() for shard in shards[:threads]) or shards[threads].exists():
        raise SystemExit(f"{requests_file}: write_requests(..., threads={threads}) first")
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", str(LUA), f"{scheme}://{endpoint}/",
               "--", str(requests_file)]
    stolen = steal_ms()
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120).stdout
    result = json.loads(output.strip().splitlines()[-1])
    result["steal_ms"] = steal_ms() - stolen
    return result


def steal_ms():
    """The time the host ran something else while this virtual machine's processors had work, summed over them
    (`steal` in /proc/stat). A run with some has a paused processor in it: a paused server thread or wrk thread
    holds its requests, and on this machine a pause of about 100 ms set a p99.9 of 85 to 95 ms."""
    try:
        with open("/proc/stat") as stat:
            fields = stat.readline().split()
        return int(fields[8]) * 1000 // os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0


def figures(result):
    return (f"{result['rps']:>9.0f} req/s  p50 {result['p50_ms']:.2f} ms  p99 {result['p99_ms']:.2f} ms  "
            f"p99.9 {result['p999_ms']:.2f} ms  non-2xx {result['non2xx']}  errors {result['errors']}"
            + (f"  steal {result['steal_ms']} ms" if result.get("steal_ms") else ""))


# --- fixtures ---------------------------------------------------------------------------------------------

def fixtures_with(count, folder):
    entries = [{"DBInstanceId": f"rm-bench-{i:05d}", "Engine": "MySQL", "Databases": ["app"]} for i in range(count)]
    entries.append({"DBInstanceId": "rm-bench-stopped", "Engine": "MySQL", "DBInstanceStatus": "Stopped"})
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "instances.json").write_text(json.dumps(entries))
    return folder


# --- sections ---------------------------------------------------------------------------------------------

def startup(binary, work, rounds):
    for label, flags in [("bundled fixtures", []), ("10,000 instances", ["--fixtures", str(fixtures_with(10_000, work / "f10k"))])]:
        times, sizes = [], []
        for _ in range(rounds):
            began = time.perf_counter()
            server = emulator(binary, *flags)
            urllib.request.urlopen(f"http://{server.endpoint}/_emulator/health").read()
            times.append((time.perf_counter() - began) * 1000)
            time.sleep(0.2)  # idle: nothing in flight
            sizes.append(server.rss_mb())
            server.stop()
        RESULTS[f"startup {label}"] = {"median_ms": statistics.median(times), "min_ms": min(times), "max_ms": max(times),
                                       "idle_rss_mb": statistics.median(sizes)}
        log(f"startup, {label}: median {statistics.median(times):.1f} ms (min {min(times):.1f}, max {max(times):.1f}); "
            f"idle RSS {statistics.median(sizes):.1f} MB")


class Reference:
    """The bare libevent server (bench/reference/hello.c), kept running so that it can be measured again next to
    each throughput case: on a shared virtual machine the rate it reaches drifts by 10–20% within one run."""

    def __init__(self, work):
        binary = work / "hello"
        subprocess.run(["cc", "-O2", "-o", str(binary), str(ROOT / "bench" / "reference" / "hello.c"), "-levent"],
                       check=True)
        self.server = Server([str(binary)], pattern=r"listening on http://127\.0\.0\.1:(\d+)")
        self.requests = work / "hello.txt"
        write_requests(["GET\t/"] * 10, self.requests, self.server.endpoint)

    def measure(self, seconds):
        cpu_before, began = self.server.cpu_seconds(), time.monotonic()
        result = wrk(self.server.endpoint, self.requests, seconds)
        result["server_cpu_share"] = (self.server.cpu_seconds() - cpu_before) / (time.monotonic() - began)
        return result

    def stop(self):
        self.server.stop()


def reference(reference_server, seconds):
    # Three runs, the median kept: on a shared virtual machine one run can be 20% off the next.
    runs = []
    for _ in range(3):
        result = reference_server.measure(seconds)
        runs.append(result)
        log(f"reference (bare libevent, C):          {figures(result)}  "
            f"server CPU {result['server_cpu_share'] * 100:.0f}% of a core")
    result = sorted(runs, key=lambda run: run["rps"])[1]
    result["runs_rps"] = [run["rps"] for run in runs]
    RESULTS["reference"] = result
    log(f"reference: median of three runs {result['rps']:.0f} req/s")
    return result["rps"]


def throughput(binary, work, seconds, ceiling, reference_server, repeats):
    # 20 successes per instance per day: 30,000 instances allow 600,000 in a run. Each of wrk's two threads
    # replays its own half, and a request sent twice would be refused for its nonce: 300,000 per thread is
    # more than the fastest case sends in a run (about 45,000 req/s at most, split unevenly between threads).
    instances = 30_000
    folder = fixtures_with(instances, work / "f30k")
    per_run = 600_000

    def run_case(state, case):
        # A fresh state for every run: the successes of one run must not use up the next run's quota.
        state_flags = [] if state == "memory" else ["--state", str(work / f"state-{time.time_ns()}.db")]
        flags = ["--fixtures", str(folder), "--backup-duration", "0", *state_flags]
        if case == "rejected: quota":
            flags += ["--rds-daily-quota", "0"]
        server = emulator(binary, *flags)
        now = server.control("GET", "/_emulator/clock")["now"]
        if case == "V1 success":
            lines = (v1_line(f"rm-bench-{i % instances:05d}", now) for i in range(per_run))
        elif case == "V3 success":
            lines = (v3_line(f"rm-bench-{i % instances:05d}", now, server.endpoint) for i in range(per_run))
        elif case == "rejected: state":
            lines = (v1_line("rm-bench-stopped", now) for _ in range(per_run))
        elif case == "rejected: bad signature":
            lines = (v1_line("rm-bench-00001", now, secret="wrong") for _ in range(per_run))
        else:
            lines = (v1_line(f"rm-bench-{i % 10_000:05d}", now) for i in range(per_run))
        write_requests(lines, work / "requests.txt", server.endpoint)
        result = wrk(server.endpoint, work / "requests.txt", seconds)
        server.stop()
        return result

    # The reference is measured again right before each case and after each run of it: each run is compared
    # with the mean of the two reference runs around it, which the machine's drift affects alike. The cases
    # with a target (the successes) run `repeats` times, interleaved with the reference, and keep the run
    # whose ratio is the median: one pair of runs can be 25% off the next on this shared machine.
    before = reference_server.measure(seconds)["rps"]
    adjacent = []
    for state in ["memory", "file"]:
        for case in ["V1 success", "V3 success", "rejected: quota", "rejected: state", "rejected: bad signature"]:
            runs = []
            for _ in range(repeats if "success" in case else 1):
                result = run_case(state, case)
                after = reference_server.measure(seconds)["rps"]
                result["adjacent_reference_rps"] = [before, after]
                result["ratio_to_adjacent_reference"] = result["rps"] / ((before + after) / 2)
                adjacent += [before, after]
                runs.append(result)
                if repeats > 1 and "success" in case:
                    log(f"{state:6} {case:24}  run {len(runs)}: {result['rps']:.0f} req/s = "
                        f"{result['ratio_to_adjacent_reference']:.2f} of the runs around it ({before:.0f}, {after:.0f})"
                        + (f"; steal {result['steal_ms']} ms" if result.get("steal_ms") else ""))
                before = after
            result = sorted(runs, key=lambda run: run["ratio_to_adjacent_reference"])[(len(runs) - 1) // 2]  # the lower of two
            if len(runs) > 1:
                result["runs"] = [{key: run[key] for key in ("rps", "adjacent_reference_rps", "ratio_to_adjacent_reference",
                                                             "p999_ms", "steal_ms")}
                                  for run in runs]
            result["ratio_to_reference"] = result["rps"] / ceiling
            RESULTS[f"throughput {state} {case}"] = result
            around = result["adjacent_reference_rps"]
            log(f"{state:6} {case:24}: {figures(result)}  = {result['ratio_to_reference']:.2f} of the reference, "
                f"{result['ratio_to_adjacent_reference']:.2f} of the runs around it ({around[0]:.0f}, {around[1]:.0f})"
                + (f", the median of {len(runs)} runs" if len(runs) > 1 else ""))
    RESULTS["reference"]["adjacent_runs_rps"] = sorted(set(adjacent))
    log(f"reference, the runs between cases: {min(adjacent):.0f} to {max(adjacent):.0f} req/s")


def https(binary, work, seconds, repeats):
    """Signed V1 CreateBackup that succeed, over the HTTPS port and over the plain port of servers started alike
    (`--https-port 0`, a generated certificate: P-256, TLS 1.3 as wrk negotiates it), each run on a fresh server
    (the daily quota allows 600,000 successes a server). wrk keeps its 32 connections alive, so the handshakes are
    a small part of a run: what is measured is the cost of encrypting the requests and replies. The pairs
    alternate which port goes first; the pair whose ratio is the median is kept."""
    instances = 30_000
    folder = fixtures_with(instances, work / "f30k")
    tls = work / "tls"

    def run(secure):
        server = emulator(binary, "--fixtures", str(folder), "--backup-duration", "0", "--https-port", "0",
                          "--tls-dir", str(tls))
        config = server.control("GET", "/_emulator/config")
        now = server.control("GET", "/_emulator/clock")["now"]
        endpoint = f"127.0.0.1:{config['httpsPort']}" if secure else server.endpoint
        write_requests((v1_line(f"rm-bench-{i % instances:05d}", now) for i in range(600_000)), work / "https.txt",
                       endpoint)
        cpu_before, began = server.cpu_seconds(), time.monotonic()
        result = wrk(endpoint, work / "https.txt", seconds, scheme="https" if secure else "http")
        result["server_cpu_share"] = (server.cpu_seconds() - cpu_before) / (time.monotonic() - began)
        server.stop()
        return result

    pairs = []
    for number in range(repeats):
        order = [False, True] if number % 2 == 0 else [True, False]
        results = {secure: run(secure) for secure in order}
        pair = {"http": results[False], "https": results[True], "ratio": results[True]["rps"] / results[False]["rps"]}
        pairs.append(pair)
        log(f"https pair {number + 1}: HTTP {results[False]['rps']:.0f} req/s, HTTPS {results[True]['rps']:.0f} req/s "
            f"= {pair['ratio']:.2f}")
    kept = sorted(pairs, key=lambda pair: pair["ratio"])[(len(pairs) - 1) // 2]
    RESULTS["https"] = {"http": kept["http"], "https": kept["https"], "ratio": kept["ratio"],
                        "pairs_ratio": [pair["ratio"] for pair in pairs]}
    log(f"plain HTTP, V1 success:  {figures(kept['http'])}  server CPU {kept['http']['server_cpu_share'] * 100:.0f}%")
    log(f"HTTPS,      V1 success:  {figures(kept['https'])}  server CPU {kept['https']['server_cpu_share'] * 100:.0f}%")
    log(f"https: HTTPS / HTTP = {kept['ratio']:.2f} (target at least 0.7), the median of {len(pairs)} pairs")


NONCE_HOLD = 15 * 60 + 30  # seconds: the 15-minute window a nonce is kept for in real time, and its slot's width


def memory(binary, work, phase, batch):
    """Resident size idle, after one phase of `phase` signed requests and after a second one, each with a nonce of
    its own. Memory that grows from the first mark to the second is memory kept per request beyond the window that
    nonces are kept for (request ids, logs, nonces never forgotten), which must not exist.

    Nonces are kept 15 minutes of real time, whatever the emulator's clock says (moving the clock frees none), so
    the second phase starts once the first phase's nonces have expired: both phases then hold the same number at
    their end. A generator: the first step runs the first phase, the second waits out the rest of those minutes
    and runs the second phase, so that other sections can run in between (main does).

    wrk takes a duration, not a count, so a phase is `phase // batch` batches of `batch` unique requests, each run
    for longer than the batch takes: a thread that reaches the end of its requests starts them again, and those
    replays are refused for their nonce and hold nothing. Until the ninth session the phases were counted in
    requests sent, replays included, so the second could hold a batch more than the first (2,289,761 requests
    sent against 1,006,770 held 1.28M nonces against 1.0M: 80.1 MB against 70.1 MB)."""
    folder = fixtures_with(10_000, work / "f10k")
    server = emulator(binary, "--fixtures", str(folder), "--rds-daily-quota", "0")
    time.sleep(1)
    idle = server.rss_mb()
    log(f"memory: idle {idle:.1f} MB")
    marks = {"idle_mb": idle}

    def send(count, seconds):
        now = server.control("GET", "/_emulator/clock")["now"]
        write_requests((v1_line(f"rm-bench-{i % 10_000:05d}", now) for i in range(count)), work / "memory.txt",
                       server.endpoint)
        return wrk(server.endpoint, work / "memory.txt", seconds)

    # The rate on this machine now, from a short first run (its few nonces are held in the first phase only).
    rate = send(min(batch, 20_000), 1)["rps"]
    sent = 0
    for number, mark in [(1, "after_1m_mb"), (2, "after_2m_mb")]:
        if number == 2:
            yield
            remaining = NONCE_HOLD - (time.monotonic() - first_phase_end)
            if remaining > 0:
                log(f"memory: waiting {remaining:.0f} s for the first phase's nonces to expire")
                time.sleep(remaining)
        for _ in range(phase // batch):
            sent += send(batch, max(2, math.ceil(batch / rate * 1.4)))["requests"]
        first_phase_end = time.monotonic()
        marks[mark] = server.rss_mb()
        log(f"memory: after {number * phase:,} unique requests ({sent:,} sent, replays included): {marks[mark]:.1f} MB")
    marks["unique_requests"] = 2 * phase
    marks["requests_sent"] = sent
    log(f"memory: from phase 1 to phase 2 {marks['after_2m_mb'] - marks['after_1m_mb']:+.1f} MB")
    server.stop()
    RESULTS["memory"] = marks


def one_at_a_time(server, now, action, extra, path, seconds):
    """Latency of `action` on the seed instance, one request at a time (one connection), each signed at `now`."""
    write_requests((v1_line("rm-uf6wjk5xxxxxxx", now, action=action, extra=extra) for _ in range(200_000)),
                   path, server.endpoint, threads=1)
    return wrk(server.endpoint, path, seconds, connections=1, threads=1)


def scale(binary, work, seconds):
    for sets in [1_000, 1_000_000]:
        state = work / f"scale-{sets}.db"
        seed = emulator(binary, "--state", str(state))
        seed.stop()
        with sqlite3.connect(state) as db:
            now_ms = int(time.time() * 1000)
            day = 86_400_000
            # One a minute back from a day ago, each kept the default policy's 7 days: of a million, all but the
            # newest 8,640 have expired, so a listing's count and its first page must not walk through them.
            rows = ((("rds", "rm-uf6wjk5xxxxxxx", "default", "Physical", "Auto", now_ms - day - i * 60_000,
                      now_ms - day - i * 60_000 + 5_000, 5_000, now_ms - day - i * 60_000 + 5_000 + 7 * day))
                    for i in range(sets))
            db.executemany("INSERT INTO backups (product, instance_id, account_id, method, backup_type, started_at, "
                           "finishes_at, duration, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            # Written behind the emulator's back, so its per-instance totals are brought up to date too, the sets
            # expired by now counted (as reads count them while they expire; else the first read counts them all).
            db.execute("INSERT OR REPLACE INTO backup_totals (instance_id, undeleted, longest, day, accepted, expired, "
                       "expired_by) SELECT instance_id, count(*), max(finishes_at - started_at), NULL, 0, "
                       "count(*) FILTER (WHERE expires_at <= ?1), ?1 FROM backups WHERE deleted_at IS NULL "
                       "GROUP BY instance_id", (now_ms,))
        server = emulator(binary, "--state", str(state), "--backup-duration", "0", "--rds-daily-quota", "100000000")
        now = server.control("GET", "/_emulator/clock")["now"]
        for action in ["DescribeBackups", "CreateBackup"]:
            result = one_at_a_time(server, now, action, (), work / "scale.txt", seconds)
            RESULTS[f"scale {action} {sets}"] = result
            log(f"scale: {action:16} with {sets:>9,} sets: {figures(result)}")
        server.stop()
    for action in ["DescribeBackups", "CreateBackup"]:
        small, large = RESULTS[f"scale {action} 1000"], RESULTS[f"scale {action} 1000000"]
        log(f"scale: {action} p50 grows {large['p50_ms'] / small['p50_ms']:.2f}x from 1,000 to 1,000,000 sets")


def automatic(binary, work, seconds):
    """Automatic backups are computed from the policy, never stored: a call must cost no more on an instance a
    virtual year old, backing up every 15 minutes, than on a new one (issue #21: within 2x). The new one is 32 days
    old, so that both return full pages (page 100 included): an empty page would make the new one look cheap."""
    cases = [("DescribeBackups", ()), ("DescribeBackups page 100", (("PageNumber", "100"),)), ("CreateBackup", ())]
    for age in ["fresh", "year"]:
        server = emulator(binary, "--backup-duration", "0", "--rds-daily-quota", "100000000")
        server.control("POST", "/_emulator/clock", {"freeze": True})
        server.control("PATCH", "/_emulator/instances/rm-uf6wjk5xxxxxxx", {"BackupPolicy": {
            "PreferredBackupPeriod": "Monday,Tuesday,Wednesday,Thursday,Friday,Saturday,Sunday",
            "BackupInterval": "15", "BackupRetentionPeriod": 730}})
        server.control("POST", "/_emulator/clock", {"advance": "365d" if age == "year" else "32d"})
        now = server.control("GET", "/_emulator/clock")["now"]
        for case, extra in cases:
            result = one_at_a_time(server, now, case.split()[0], extra, work / "automatic.txt", seconds)
            RESULTS[f"automatic {case} {age}"] = result
            log(f"automatic: {case:25} {age:5}: {figures(result)}")
        server.stop()
    for case, _ in cases:
        fresh, year = RESULTS[f"automatic {case} fresh"], RESULTS[f"automatic {case} year"]
        log(f"automatic: {case} p50 {year['p50_ms'] / fresh['p50_ms']:.2f}x a year old against fresh")


def oneinstance(binary, work, window):
    """One instance takes every CreateBackup (signatures off, no quota to speak of, tasks that end at once), in three
    consecutive runs of `window` seconds on the same server: each run starts with the backups of the runs before
    it, so a check whose cost grows with the day's (or the instance's) backups shows as a falling rate."""
    server = emulator(binary, "--signature", "off", "--rds-daily-quota", "1000000000", "--backup-duration", "0")
    query = urllib.parse.urlencode([("Action", "CreateBackup"), ("Version", "2014-08-15"),
                                    ("DBInstanceId", "rm-uf6wjk5xxxxxxx"), ("Format", "JSON")])
    write_requests([f"GET\t/?{query}"] * 1_000, work / "oneinstance.txt", server.endpoint)
    windows = []
    for index in range(3):
        result = wrk(server.endpoint, work / "oneinstance.txt", window)
        windows.append(result)
        log(f"oneinstance: window {index + 1} ({window} s): {figures(result)}")
    server.stop()
    ratio = windows[2]["rps"] / windows[0]["rps"] if windows[0]["rps"] else 0
    RESULTS["oneinstance"] = {"window_seconds": window, "windows": windows, "third_over_first": ratio}
    log(f"oneinstance: the third window's rate is {ratio:.2f} of the first's (target 0.8 or more)")


def moto(work, seconds, emulator_rps):
    venv = work / "moto-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "moto[server]"], check=True)
    # moto_server announces itself on standard error in werkzeug's words: give it a free port instead.
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([str(venv / "bin" / "moto_server"), "-p", str(port)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env={**os.environ, "MOTO_RDS_SNAPSHOT_LIMIT": "100000000"})
    endpoint = f"127.0.0.1:{port}"
    host = "rds.us-east-1.amazonaws.com"
    form = {"Content-Type": "application/x-www-form-urlencoded", "Host": host}
    for _ in range(100):
        try:
            body = urllib.parse.urlencode({"Action": "CreateDBInstance", "Version": "2014-10-31",
                                           "DBInstanceIdentifier": "db1", "Engine": "mysql",
                                           "DBInstanceClass": "db.t3.micro", "AllocatedStorage": "20",
                                           "MasterUsername": "admin", "MasterUserPassword": "password1"}).encode()
            urllib.request.urlopen(urllib.request.Request(f"http://{endpoint}/", data=body, headers=form), timeout=30).read()
            break
        except OSError:
            time.sleep(0.2)
    lines = (f"POST\t/?Action=CreateDBSnapshot&Version=2014-10-31&DBInstanceIdentifier=db1&DBSnapshotIdentifier=s{i}"
             f"\tHost: {host}" for i in range(100_000))
    write_requests(lines, work / "moto.txt", endpoint)
    result = wrk(endpoint, work / "moto.txt", seconds)
    process.terminate()
    process.wait()
    result["emulator_ratio"] = emulator_rps / result["rps"] if result["rps"] else None
    RESULTS["moto CreateDBSnapshot"] = result
    log(f"moto server, CreateDBSnapshot:          {figures(result)}")
    log(f"the emulator's signed V1 CreateBackup in memory does {result['emulator_ratio']:.1f}x moto's requests per second")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short runs, to check the suite itself")
    parser.add_argument("--only", default="startup,reference,throughput,https,memory,scale,automatic,moto,oneinstance")
    parser.add_argument("--repeats", type=int,
                        help="runs of each throughput case with a target, and HTTPS/HTTP pairs (default 3; 1 with --quick)")
    options = parser.parse_args()
    sections = options.only.split(",")
    seconds = 3 if options.quick else 10
    if shutil.which("wrk") is None:
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    # The binary as it ships (scripts/build-release.sh: static runtime, not position-independent).
    binary = subprocess.run([str(ROOT / "scripts" / "build-release.sh")], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.strip()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        ceiling = reference_server = None
        if "startup" in sections:
            startup(binary, work, 5 if options.quick else 20)
        # The memory section's first phase, then the sections that fill the minutes its nonces are kept for.
        memory_steps = None
        if "memory" in sections:
            memory_steps = memory(binary, work, 100_000 if options.quick else 1_000_000,
                                  50_000 if options.quick else 250_000)
            next(memory_steps)
        if {"reference", "throughput", "moto"} & set(sections):
            reference_server = Reference(work)
            ceiling = reference(reference_server, seconds)
        if "throughput" in sections:
            repeats = options.repeats or (1 if options.quick else 3)
            throughput(binary, work, seconds, ceiling, reference_server, repeats)
        if reference_server:
            reference_server.stop()
        if "https" in sections:
            https(binary, work, seconds, options.repeats or (1 if options.quick else 3))
        if memory_steps:
            next(memory_steps, None)
        if "scale" in sections:
            scale(binary, work, seconds)
        if "automatic" in sections:
            automatic(binary, work, seconds)
        if "oneinstance" in sections:
            oneinstance(binary, work, 2 if options.quick else 5)
        if "moto" in sections:
            emulator_rps = RESULTS.get("throughput memory V1 success", {}).get("rps", 0)
            moto(work, seconds, emulator_rps)
    # The emulator runs with its default --workers: one per processor, at most 4.
    RESULTS["machine"] = {"cores": os.cpu_count(), "date": datetime.date.today().isoformat(),
                          "emulator_workers": min(4, os.cpu_count())}
    if not options.quick:
        # A run of some sections replaces those sections' figures and keeps the others.
        latest = ROOT / "docs" / "benchmarks-latest.json"
        merged = json.loads(latest.read_text()) if latest.exists() else {}
        merged.update(RESULTS)
        latest.write_text(json.dumps(merged, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
