#!/usr/bin/env python3
"""Start-up benchmark: from exec to the first 200 on /_emulator/health, and idle RSS.

Usage: bench/startup.py [BINARY] [ROUNDS]   (default: the release build, 20 rounds)
Prints figures; asserts nothing.
"""
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

root = Path(__file__).resolve().parents[1]
binary = sys.argv[1] if len(sys.argv) > 1 else str(root / ".build" / "release" / "aliyun-db-emulator")
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 20
times, rss = [], []
for _ in range(rounds):
    start = time.perf_counter()
    process = subprocess.Popen([binary, "--port", "0"], stdout=subprocess.PIPE, text=True)
    port = process.stdout.readline().rsplit(":", 1)[1].strip()
    urllib.request.urlopen(f"http://127.0.0.1:{port}/_emulator/health").read()
    times.append((time.perf_counter() - start) * 1000)
    status = Path(f"/proc/{process.pid}/status").read_text()
    rss.append(int(status.split("VmRSS:")[1].split()[0]) / 1024)
    process.terminate()
    process.wait()
print(f"start-up, exec to first 200 on /_emulator/health ({rounds} rounds): "
      f"median {statistics.median(times):.1f} ms, min {min(times):.1f}, max {max(times):.1f}")
print(f"RSS right after the first 200: median {statistics.median(rss):.1f} MB")
