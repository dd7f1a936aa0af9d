"""`make bench`: measure the compiler as whole processes, beside the floor program, same machine,
same run.

For each size (default 100, 1,000 and 10,000 stages; 10 targets) it generates a synthetic project
(bench/gen.py, fixed seed), then takes the median of --runs runs after one warm-up of:
  cold build into an empty build/ | no-op rebuild | rebuild after editing one stage's description, and
  after editing its code (both beside the no-op: the larger over the no-op) | validate only
  | the floor (bench/floor.py) cold | the floor with --skip-unchanged, on its own output
and the peak RSS of the cold builds. Also the Casper's spec (cold and no-op).

Results go to bench/out/ (not tracked): results.json (one entry per commit, for comparison across
commits) and table.md, the Markdown table also printed here. docs/performance.md's table (between the bench
markers) is replaced only by a full run (every size, 5 runs or more) given --update-readme.

    python bench/run.py [--sizes 100,1000,10000] [--runs 5] [--no-readme]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import gen  # noqa: E402

DBT_PARSE = {100: 3.6, 1000: 6.7, 10000: 44.0}  # dbt-core 1.11 `parse --no-partial-parse`, from issue 7
TARGETS = {"casper_noop": 0.3, "casper_cold": 0.5, "1000_cold": 0.9, "1000_noop": 0.3, "10000_cold": 7.5,
           "10000_rss_mb": 250, "edit_ratio": 1.5}


def timed(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one whole process."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="", PYTHONPATH=str(ROOT))
    started = datetime.datetime.now().timestamp()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = datetime.datetime.now().timestamp() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd}:\n{proc.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024


def median_of(runs: int, action) -> tuple[float, float]:
    action()  # warm-up
    samples = [action() for _ in range(runs)]
    return statistics.median(s[0] for s in samples), max(s[1] for s in samples)


def measure_project(project: Path, runs: int, with_floor: bool) -> dict:
    py = sys.executable
    build = [py, "-m", "compiler", "build", "--spec", "spec", "--out", "build"]
    out = project / "build"

    def cold():
        shutil.rmtree(out, ignore_errors=True)
        return timed(build, project)

    result = {}
    result["cold"], result["rss_mb"] = median_of(runs, cold)
    result["noop"], _ = median_of(runs, lambda: timed(build, project))
    stage = sorted((project / "spec" / "stages").glob("*.yaml"))[len(list((project / "spec" / "stages").glob("*.yaml"))) // 2]
    original = stage.read_text()
    flip = [0]

    assert "description: >-\n  " in original, f"{stage}: the edit needs a folded description"

    def touched():
        flip[0] += 1
        stage.write_text(original.replace("description: >-\n  ", f"description: >-\n  Edit {flip[0]}. ", 1))
        return timed(build, project)

    result["touch_one"], _ = median_of(runs, touched)
    stage.write_text(original)
    timed(build, project)
    source = project / "src" / "stages" / f"{stage.stem}.py"
    code = source.read_text()

    def coded():
        flip[0] += 1
        source.write_text(code + f"\n# edit {flip[0]}\n")
        return timed(build, project)

    result["touch_code"], _ = median_of(runs, coded)
    source.write_text(code)
    timed(build, project)
    result["edit_ratio"] = max(result["touch_one"], result["touch_code"]) / result["noop"]
    result["validate"], _ = median_of(runs, lambda: timed([py, "-m", "compiler", "validate", "--spec", "spec"], project))
    if with_floor:
        floor = [py, str(ROOT / "bench" / "floor.py"), "spec", "floor-out"]

        def floor_cold():
            shutil.rmtree(project / "floor-out", ignore_errors=True)
            return timed(floor, project)

        result["floor_cold"], result["floor_rss_mb"] = median_of(runs, floor_cold)
        result["floor_noop"], _ = median_of(runs, lambda: timed(floor + ["--skip-unchanged"], project))
        result["ratio_cold"] = result["cold"] / result["floor_cold"]
    return {k: round(v, 4) for k, v in result.items()}


def machine() -> dict:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()}


def markdown(entry: dict) -> str:
    rows = ["| stages | cold build | no-op | one stage: description edited | one stage: code edited | edit / no-op | "
            "validate | floor cold | floor no-op | cold / floor | peak RSS | dbt parse (issue 7) |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for size, r in entry["sizes"].items():
        dbt = DBT_PARSE.get(int(size))
        rows.append(f"| {int(size):,} | {r['cold']:.2f} s | {r['noop']:.3f} s | {r['touch_one']:.3f} s | "
                    f"{r['touch_code']:.3f} s | {r['edit_ratio']:.2f}x | "
                    f"{r['validate']:.2f} s | {r['floor_cold']:.2f} s | {r['floor_noop']:.2f} s | "
                    f"{r['ratio_cold']:.2f}x | {r['rss_mb']:.0f} MB | {f'{dbt} s' if dbt else '-'} |")
    c = entry["caspers"]
    rows.append(f"| Casper's ({c['stages']} stages) | {c['cold']:.2f} s | {c['noop']:.3f} s | {c['touch_one']:.3f} s | "
                f"{c['touch_code']:.3f} s | {c['edit_ratio']:.2f}x | "
                f"{c['validate']:.2f} s | - | - | - | {c['rss_mb']:.0f} MB | - |")
    sizes = entry["sizes"]
    if "1000" in sizes and "10000" in sizes:
        rows.append("")
        rows.append(f"Scaling: 10,000 / 1,000 cold = {sizes['10000']['cold'] / sizes['1000']['cold']:.1f} "
                    f"(linear would be 10).")
    ratios = [f"Casper's {c['edit_ratio']:.2f}x"] + [f"{int(size):,} stages {r['edit_ratio']:.2f}x"
                                                      for size, r in entry["sizes"].items()]
    rows.append("")
    rows.append(f"One-stage edit over the no-op (the slower of the two edits): {', '.join(ratios)} "
                f"(target: {TARGETS['edit_ratio']}x at most).")
    m = entry["machine"]
    rows.append("")
    rows.append(f"Measured {entry['date']} at {entry['commit']} on {m['cores']} cores ({m['cpu'] or 'unknown CPU'}), "
                f"Python {m['python']}; medians of {entry['runs']} whole-process runs after a warm-up.")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--update-readme", action="store_true",
                        help="replace docs/performance.md's table (only with a full run: every size, 5 runs or more)")
    # `make bench BENCH_ARGS="..."` passes its arguments through the environment (Makefile, compiler/make.py).
    import shlex

    args = parser.parse_args(sys.argv[1:] or shlex.split(os.environ.get("MAKEVAR_BENCH_ARGS", "")))
    full = args.sizes == "100,1000,10000" and args.runs >= 5
    if args.update_readme and not full:
        parser.error("--update-readme needs a full run: the default --sizes and --runs 5 or more")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    entry = {"commit": commit or "unknown", "date": datetime.date.today().isoformat(), "runs": args.runs,
             "machine": machine(), "sizes": {}}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        for size in [int(s) for s in args.sizes.split(",")]:
            project = Path(tmp) / f"p{size}"
            gen.generate(size, project)
            print(f"measuring {size} stages ...", flush=True)
            entry["sizes"][str(size)] = measure_project(project, args.runs, with_floor=True)
            print(json.dumps(entry["sizes"][str(size)]), flush=True)
        caspers = Path(tmp) / "caspers"
        for part in ("spec", "src"):
            shutil.copytree(ROOT / part, caspers / part, ignore=shutil.ignore_patterns("__pycache__"))
        print("measuring Casper's ...", flush=True)
        entry["caspers"] = measure_project(caspers, args.runs, with_floor=False)
        entry["caspers"]["stages"] = len(list((caspers / "spec" / "stages").glob("*.yaml")))
    table = markdown(entry)
    print(table)
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    results = out / "results.json"
    history = json.loads(results.read_text()) if results.exists() else []
    history = [h for h in history if h.get("commit") != entry["commit"]] + [entry]
    results.write_text(json.dumps(history, indent=1) + "\n")
    (out / "table.md").write_text(table + "\n")
    print(f"results: {results}, {out / 'table.md'}" + ("" if args.update_readme else
                                                       " (docs/performance.md unchanged: pass --update-readme with a full run)"))
    if args.update_readme:
        readme = ROOT / "docs" / "performance.md"
        text = readme.read_text()
        start, end = "<!-- bench:start -->", "<!-- bench:end -->"
        if start in text and end in text:
            before, rest = text.split(start, 1)
            readme.write_text(before + start + "\n" + table + "\n" + end + rest.split(end, 1)[1])


if __name__ == "__main__":
    main()
