#!/usr/bin/env python3
"""Alternating runs of two (or more) emulator binaries: the signed CreateBackup success case of bench/run.py's
throughput section, each binary in turn, so that the machine's drift touches them alike. Prints figures only.

    bench/ab.py BINARY,BINARY[,...] [--rounds 3] [--seconds 8] [--signature v1|v3]

On this shared machine two runs of one binary differ by 10-15%: a change is shown by the median of several
rounds, and by whether it is ahead in each round, not by one run.
"""
import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binaries", help="comma-separated paths of emulator binaries")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--signature", default="v1", choices=["v1", "v3"])
    options = parser.parse_args()
    binaries = options.binaries.split(",")
    rates = {binary: [] for binary in binaries}
    instances = 30_000
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        fixtures = run.fixtures_with(instances, work / "fixtures")
        for round_number in range(options.rounds):
            lines = None
            for binary in binaries:
                server = run.emulator(binary, "--fixtures", str(fixtures), "--backup-duration", "0")
                now = server.control("GET", "/_emulator/clock")["now"]
                if options.signature == "v3":  # V3 signs the Host header, port included: signed for each server
                    lines = [run.v3_line(f"rm-bench-{i % instances:05d}", now, server.endpoint) for i in range(600_000)]
                elif lines is None:  # V1 requests are signed once a round: each server starts holding no nonces
                    lines = [run.v1_line(f"rm-bench-{i % instances:05d}", now) for i in range(600_000)]
                run.write_requests(lines, work / "requests.txt", server.endpoint)
                result = run.wrk(server.endpoint, work / "requests.txt", options.seconds)
                server.stop()
                if result["non2xx"] or not result["requests"]:
                    sys.exit(f"{binary}: {result['non2xx']} refusals of {result['requests']} requests: figures would mislead")
                rates[binary].append(result["rps"])
            print(f"round {round_number + 1}: " + "  ".join(f"{binary} {rates[binary][-1]:,.0f}" for binary in binaries),
                  flush=True)
    for binary in binaries:
        print(f"{binary}: median {statistics.median(rates[binary]):,.0f} req/s, runs "
              + ", ".join(f"{rate:,.0f}" for rate in rates[binary]))


if __name__ == "__main__":
    main()
