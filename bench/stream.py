"""`make bench-stream`: the agent streams' throughput against an agent endpoint with latency.

For each stream (the refund stream: delivered orders; the complaint stream: raw complaints), 500
items are scored through the streams' engine (`jobs/scoring.py`: bounded concurrency, backoff,
merge in chunks) against the workspace stand-in, whose agent endpoint answers a fixed, scripted answer
after 200 ms, with 10% of calls refused with 429; side by side in the same process, a serial loop
like the originals': one call at a time, each answer written on its own (the same code with
concurrency 1 and chunks of 1, so both retry alike). Both write to the in-memory sink; every run is
checked for lost and duplicated items. Prints a Markdown table (medians) and the ratios, then
whether the refund stream keeps up with what the replay delivers at the demo's defaults
(bench/arrivals.py: per 10-minute run, from the canonical dataset) with its cap and time budget.

    python bench/stream.py                        # as `make bench-stream`
    python bench/stream.py --orders 100 --runs 1  # quicker
    python bench/stream.py --streams complaint    # one stream
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


# The endpoint's answers while measuring: one fixed, valid answer per stream's question (the
# local workspace's scripted agents, llm.py's rule format). Throughput does not depend on the decision.
FIXED_ANSWERS = [
    {"match": r"\(Order ID: ([^)\s]+)\)", "replies": [{"content": json.dumps({
        "order_id": "{1}", "complaint_category": "other", "decision": "escalate", "credit_amount": None,
        "confidence": None, "priority": "standard", "rationale": "fixed answer of the benchmark"})}]},
    {"match": r"^Order id: (\S+)$", "replies": [{"content": json.dumps({
        "refund_usd": 0, "refund_class": "none", "reason": "fixed answer of the benchmark"})}]},
]


def refund_case(client):
    from jobs import refund_stream as rs

    ask = rs.endpoint_asker(client, ENDPOINT)

    def once(n, settings):
        sink = rs.MemorySink([rs.Order(f"B{i:05d}", None, _clock(i)) for i in range(n)])
        return sink, lambda: rs.run(sink, ask, settings, say=lambda text: None)

    return once


def complaint_case(client):
    from jobs import complaint_stream as cs
    from jobs import scoring

    ask = scoring.endpoint_asker(client, ENDPOINT, prompt=str)

    def once(n, settings):
        items = [cs.RawComplaint(f"c-{i:05d}", f"B{i:05d}", "My food came late and cold.", _clock(i)) for i in range(n)]
        sink = scoring.MemorySink(items, key=lambda x: x.complaint_id, order=lambda c: (c.ts, c.complaint_id))
        return sink, lambda: scoring.run(sink, ask, cs.SCORING, settings, say=lambda text: None)

    return once


def _clock(i: int) -> str:
    return f"2024-01-01 {i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}"


def measure(case, orders: int, settings, runs: int) -> dict:
    seconds, calls, retries = [], [], []
    for _ in range(runs):
        sink, run_once = case(orders, settings)
        started, passes = time.perf_counter(), 0
        while True:  # what a run defers (429s beyond the attempts) waits for the next run
            summary = run_once()
            passes += 1
            calls.append(summary.calls)
            retries.append(summary.retries)
            if not summary.pending or passes == 10:
                break
        seconds.append(time.perf_counter() - started)
        lost = orders - len(sink.rows)
        if lost or sink.duplicates:
            raise SystemExit(f"stream benchmark: {lost} item(s) lost, {sink.duplicates} duplicated")
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
    parser.add_argument("--streams", default="refund,complaint", help="which streams, comma-separated")
    # `make bench BENCH_ARGS="..."` passes its arguments through the environment (Makefile, compiler/make.py).
    import shlex

    args = parser.parse_args(sys.argv[1:] or shlex.split(os.environ.get("MAKEVAR_BENCH_ARGS", "")))

    from local_workspace import LocalWorkspace
    from local_workspace.client import client_env

    from agents.common.clients import openai_client
    from jobs import scoring

    server = LocalWorkspace().start()
    os.environ.update(client_env(server.url, Path(tempfile.mkdtemp(prefix="bench-stream-"))))
    post(server.url + "/_fake/config", {"scripted_agents": {ENDPOINT: FIXED_ANSWERS}})
    post(server.url + "/_fake/faults", {"kind": "serving_invocations", "op": "invoke", "mode": "429",
                                        "fraction": args.throttled, "seed": 7})
    post(server.url + "/_fake/faults", {"kind": "serving_invocations", "op": "invoke", "mode": "slow",
                                        "seconds": args.latency_ms / 1000})
    from databricks.sdk import WorkspaceClient

    client = openai_client(WorkspaceClient())
    cases = {"refund": refund_case(client), "complaint": complaint_case(client)}
    streams = [name.strip() for name in args.streams.split(",") if name.strip()]
    unknown = sorted(set(streams) - set(cases))
    if unknown:
        raise SystemExit(f"--streams: unknown {', '.join(unknown)}; choose from {', '.join(cases)}")
    base = scoring.Settings(cap=args.orders, backoff_s=0.2, max_backoff_s=2.0)
    # as the scheduled jobs run: in rounds, each listing the newest pending again (its wait for the
    # round's slowest call included; the in-memory sink's listing itself costs nothing here)
    stream = scoring.Settings(**{**base.__dict__, "concurrency": args.concurrency or base.concurrency,
                                 "round_size": scoring.SCHEDULED_ROUND})
    serial = scoring.Settings(**{**base.__dict__, "concurrency": 1, "chunk": 1})
    results = {}
    try:
        for name in streams:
            results[name] = {"stream": measure(cases[name], args.orders, stream, args.runs),
                             "serial": measure(cases[name], args.orders, serial, args.serial_runs)}
    finally:
        server.stop()
    print(f"{args.orders} items per stream, {args.latency_ms:g} ms per call, {args.throttled:.0%} of calls answered 429\n")
    print("| stream | loop | runs | median s | items/s | calls | retries | lost | duplicated |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, pair in results.items():
        for label, row in ((f"engine ({stream.concurrency} at a time, rounds of {stream.round_size}, merged by {stream.chunk})", pair["stream"]),
                           ("serial (one call at a time, one write per answer)", pair["serial"])):
            print(f"| {name} | {label} | {row['runs']} | {row['seconds']:.1f} | {row['orders_per_s']:.1f} | "
                  f"{row['calls']} | {row['retries']} | {row['lost']} | {row['duplicated']} |")
    for name, pair in results.items():
        print(f"\n{name}: throughput ratio {pair['stream']['orders_per_s'] / pair['serial']['orders_per_s']:.1f}x "
              "the serial loop")
    if "refund" in results:
        results["keeping_up"] = keeping_up(results["refund"]["stream"]["orders_per_s"], stream.concurrency)
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "stream.json").write_text(json.dumps({"results": results, "settings": vars(args)}, indent=2))


def keeping_up(items_per_s: float, concurrency: int) -> dict:
    """The refund stream against what arrives at the demo's defaults: each 10-minute run can score
    min(its cap, the engine's rate x its time budget) orders, newest first; a run meets the orders
    delivered in its window of the replay (bench/arrivals.py). Printed as a table, returned for the
    JSON."""
    import arrivals
    from jobs.scoring import SCHEDULED_BUDGET_S
    from stages.refunder_stream import MAX_ORDERS_PER_RUN

    met = arrivals.per_run(arrivals.default_speed())
    per_run = min(MAX_ORDERS_PER_RUN, items_per_s * SCHEDULED_BUDGET_S)
    print(f"\nKeeping up at the defaults (replay at {met['speed']:g}x, streams every "
          f"{arrivals.STREAM_INTERVAL_S // 60} minutes: a run meets the orders delivered in "
          f"{met['window_s'] / 3600:g} simulated hours; {met['windows']} windows of the 90-day cycle):\n")
    print("| delivered orders per run | mean | median | p95 | most |")
    print("|---|---:|---:|---:|---:|")
    print(f"| arriving | {met['mean']:.0f} | {met['median']:.0f} | {met['p95']:.0f} | {met['max']} |")
    print(f"| scored (min of cap {MAX_ORDERS_PER_RUN} and {items_per_s:.1f}/s x {SCHEDULED_BUDGET_S:g} s) | "
          + " | ".join(f"{per_run:.0f}" for _ in range(4)) + " |")
    print(f"| ratio | {per_run / met['mean']:.1f}x | {per_run / met['median']:.1f}x | {per_run / met['p95']:.1f}x "
          f"| {per_run / met['max']:.1f}x |")
    print(f"\nAt {concurrency} calls in flight the engine would still score {MAX_ORDERS_PER_RUN} orders in its "
          f"{SCHEDULED_BUDGET_S:g} s budget with calls of up to {concurrency * SCHEDULED_BUDGET_S / MAX_ORDERS_PER_RUN:.1f} s.")
    return {**met, "scored_per_run": per_run, "ratio_mean": per_run / met["mean"], "ratio_max": per_run / met["max"]}


if __name__ == "__main__":
    main()
