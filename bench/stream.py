"""`make bench-stream`: the refund stream's throughput against an agent endpoint with latency.

500 delivered orders are scored through `jobs.refund_stream.run` (bounded concurrency, backoff,
merge in chunks) against the workspace stand-in, whose agent endpoint answers a scripted refund
decision after 200 ms, with 10% of calls refused with 429; side by side in the same process, a
serial loop like the original's: one call at a time, each answer written on its own (the same code
with concurrency 1 and chunks of 1, so both retry alike). Both write to the in-memory sink; every
run is checked for lost and duplicated orders. Prints a Markdown table (medians) and the ratio.

    python bench/stream.py                        # as `make bench-stream`
    python bench/stream.py --orders 100 --runs 1  # quicker
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

ENDPOINT = "bench_refund_agent"


def post(url: str, body: dict) -> None:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"},
                                     method="POST")
    urllib.request.urlopen(request).read()


def measure(ask, orders: int, settings, runs: int) -> dict:
    from jobs import refund_stream as rs

    seconds, calls, retries = [], [], []
    for _ in range(runs):
        sink = rs.MemorySink([rs.Order(f"B{i:05d}", None, f"2024-01-01 {i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}")
                              for i in range(orders)])
        started, passes = time.perf_counter(), 0
        while True:  # what a run defers (429s beyond the attempts) waits for the next run
            summary = rs.run(sink, ask, settings, say=lambda text: None)
            passes += 1
            calls.append(summary.calls)
            retries.append(summary.retries)
            if not summary.pending or passes == 10:
                break
        seconds.append(time.perf_counter() - started)
        lost = orders - len(sink.rows)
        if lost or sink.duplicates:
            raise SystemExit(f"stream benchmark: {lost} order(s) lost, {sink.duplicates} duplicated")
    median = statistics.median(seconds)
    return {"seconds": median, "orders_per_s": orders / median, "runs": runs, "calls": sum(calls) // runs,
            "retries": sum(retries) // runs, "lost": 0, "duplicated": 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--latency-ms", type=float, default=200)
    parser.add_argument("--throttled", type=float, default=0.10, help="fraction of calls answered 429")
    parser.add_argument("--concurrency", type=int, default=None, help="default: the stream's own setting")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of the stream (median)")
    parser.add_argument("--serial-runs", type=int, default=1, help="timed runs of the serial loop (~2 min each)")
    args = parser.parse_args()

    from tests.fake_env import sdk_env
    from tests.workspace_fake import FakeWorkspace

    from agents.common.clients import openai_client
    from jobs import refund_stream as rs

    server = FakeWorkspace().start()
    os.environ.update(sdk_env(server.url, Path(tempfile.mkdtemp(prefix="bench-stream-"))))
    post(server.url + "/_fake/config", {"scripted_agents": [ENDPOINT]})
    post(server.url + "/_fake/faults", {"kind": "serving_invocations", "op": "invoke", "mode": "429",
                                        "fraction": args.throttled, "seed": 7})
    post(server.url + "/_fake/faults", {"kind": "serving_invocations", "op": "invoke", "mode": "slow",
                                        "seconds": args.latency_ms / 1000})
    from databricks.sdk import WorkspaceClient

    ask = rs.endpoint_asker(openai_client(WorkspaceClient()), ENDPOINT)
    base = rs.Settings(cap=args.orders, backoff_s=0.2, max_backoff_s=2.0)
    stream = rs.Settings(**{**base.__dict__, "concurrency": args.concurrency or base.concurrency})
    serial = rs.Settings(**{**base.__dict__, "concurrency": 1, "chunk": 1})
    try:
        fast = measure(ask, args.orders, stream, args.runs)
        slow = measure(ask, args.orders, serial, args.serial_runs)
    finally:
        server.stop()
    print(f"{args.orders} orders, {args.latency_ms:g} ms per call, {args.throttled:.0%} of calls answered 429\n")
    print("| loop | runs | median s | orders/s | calls | retries | lost | duplicated |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, row in ((f"stream ({stream.concurrency} at a time, merged by {stream.chunk})", fast),
                       ("serial (one call at a time, one write per answer)", slow)):
        print(f"| {label} | {row['runs']} | {row['seconds']:.1f} | {row['orders_per_s']:.1f} | {row['calls']} | "
              f"{row['retries']} | {row['lost']} | {row['duplicated']} |")
    print(f"\nthroughput ratio: {fast['orders_per_s'] / slow['orders_per_s']:.1f}x the serial loop")
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "stream.json").write_text(json.dumps({"stream": fast, "serial": slow, "settings": vars(args)}, indent=2))


if __name__ == "__main__":
    main()
