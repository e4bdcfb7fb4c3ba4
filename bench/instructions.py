#!/usr/bin/env python3
"""Instructions per request: the emulator under valgrind's callgrind, driven by wrk. Prints figures only.

    bench/instructions.py [v1|v3] [--top N] [--binary PATH] [--preload LIBRARY] [--connections N]

Counts the user-space instructions (callgrind's Ir) the emulator executes per signed CreateBackup that succeeds,
in memory, with one worker, split by library and by function. Unlike requests per second on a shared machine,
the count barely moves from run to run (about 2%), so it shows what a change to the hot path is worth. The kernel
(loopback TCP, epoll) is not counted. Under valgrind the server is about 50 times slower, so a loop turn holds
one to four requests instead of six to nine: per-turn costs (the commit) weigh more than at full speed, and how many
depends on how fast valgrind runs on the machine at the time. With --connections 1 a turn holds one request whatever
the load: the count to compare binaries measured at different times (allocators, for one).

Valgrind 3.19 cannot read this toolchain's DWARF 5, so a copy of the binary without debug information is run.
"""
import argparse
import collections
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402


def self_costs(dump):
    """Exclusive Ir per (object, function) from an uncompressed callgrind file."""
    costs = collections.Counter()
    obj = function = None
    after_call = False
    with open(dump) as lines:
        for line in lines:
            if line.startswith("ob="):
                obj = line[3:].strip()
            elif line.startswith("fn="):
                function = line[3:].strip()
            elif line.startswith("calls="):
                after_call = True  # the next cost line is the call's inclusive cost: not this function's own
            elif line[:1].isdigit() or line[:1] in "+-*":
                fields = line.split()
                if after_call:
                    after_call = False
                elif len(fields) >= 2:
                    costs[(Path(obj or "?").name, function)] += int(fields[1])
    return costs


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("signature", nargs="?", default="v1", choices=["v1", "v3"])
    parser.add_argument("--top", type=int, default=25, help="functions to list")
    parser.add_argument("--keep", metavar="FILE", help="also copy callgrind's dump here (for callgrind_annotate)")
    parser.add_argument("--binary", help="an emulator binary to measure instead of building the release binary")
    parser.add_argument("--preload", metavar="LIBRARY", help="a library for LD_PRELOAD (e.g. another malloc)")
    parser.add_argument("--connections", type=int, default=4,
                        help="wrk's connections; with 1, each loop turn holds one request whatever the machine's load")
    options = parser.parse_args()
    for tool, package in [("wrk", "wrk"), ("valgrind", "valgrind")]:
        if shutil.which(tool) is None:
            subprocess.run(["apt-get", "install", "-y", "-qq", package], check=True)
    binary = options.binary or subprocess.run([str(run.ROOT / "scripts" / "build-release.sh")], cwd=run.ROOT,
                                              capture_output=True, text=True, check=True).stdout.strip()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        stripped = work / "aliyun-db-emulator"
        subprocess.run(["strip", "-g", "-o", str(stripped), binary], check=True)
        fixtures = run.fixtures_with(20_000, work / "fixtures")
        out = work / "callgrind.out"
        server = run.Server(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "--compress-strings=no",
                             "--compress-pos=no", str(stripped), "--port", "0", "--log-level", "warning",
                             "--workers", "1", "--fixtures", str(fixtures), "--backup-duration", "0"],
                            env={"LD_PRELOAD": options.preload} if options.preload else None)
        now = server.control("GET", "/_emulator/clock")["now"]
        line = run.v1_line if options.signature == "v1" else (lambda instance, at: run.v3_line(instance, at, server.endpoint))
        # 500 instances, 16 backups each (the daily quota allows 20): the warm-up takes each instance's first
        # four, so the measured requests are the steady state, as in most of a throughput run, not an instance's
        # first backup (which also starts its total; see StoreTransaction.insert).
        lines = [line(f"rm-bench-{i % 500:05d}", now) for i in range(8_000)]
        run.write_requests(lines[:2_000], work / "warm-up.txt", server.endpoint, threads=1)
        run.write_requests(lines[2_000:], work / "measured.txt", server.endpoint, threads=1)
        # Warm up (statements prepared, caches filled), then count only the measured run.
        # One connection is slower under valgrind: a longer warm-up, so that it still takes every instance's first four.
        warm_up = 2 if options.connections >= 4 else 8
        run.wrk(server.endpoint, work / "warm-up.txt", warm_up, connections=options.connections, threads=1)
        subprocess.run(["callgrind_control", "-z", str(server.process.pid)], check=True, capture_output=True)
        result = run.wrk(server.endpoint, work / "measured.txt", 6, connections=options.connections, threads=1)
        subprocess.run(["callgrind_control", "-d", str(server.process.pid)], check=True, capture_output=True)
        time.sleep(0.5)
        server.stop()
        dumps = [path for path in glob.glob(f"{out}.*") if re.search(r"\.\d+$", path)]
        dump = max(dumps, key=os.path.getmtime)
        costs = self_costs(dump)
        if options.keep:
            shutil.copyfile(dump, options.keep)
    requests = result["requests"]
    if result["non2xx"] or not requests:
        sys.exit(f"the measured run had {result['non2xx']} refusals out of {requests} requests: figures would mislead")
    total = sum(costs.values())
    print(f"{options.signature.upper()} CreateBackup, success, in memory, 1 worker: {requests} requests, "
          f"{total / requests:,.0f} instructions per request")
    by_object = collections.Counter()
    for (obj, _), cost in costs.items():
        by_object[obj] += cost
    for obj, cost in by_object.most_common(5):
        print(f"  {cost / requests:>9,.0f}  {obj}")
    print(f"top {options.top} functions (own instructions per request):")
    for (obj, function), cost in costs.most_common(options.top):
        print(f"  {cost / requests:>9,.0f}  {obj}: {function[:110]}")


if __name__ == "__main__":
    main()
