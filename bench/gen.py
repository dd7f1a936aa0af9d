"""Generate a synthetic project (spec/ + src/) of N stages for the benchmark.

10 targets (t0 is the default; `all` selects every stage), a random DAG with a fixed seed (each
stage depends on up to 3 of the 50 stages before it), 1-5 parameters per stage from a catalogue of
50, each stage producing one table and consuming what some of its dependencies produce, target
memberships closed under dependencies, and descriptions of a few realistic sentences.

    python bench/gen.py 1000 /tmp/bench-1000
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

N_PARAMS = 50
TARGETS = [f"t{i}" for i in range(9)] + ["all"]
WORDS = ("loads the raw order events, deduplicates them by event id and writes the silver table; "
         "joins the kitchen locations with the brand catalogue and computes hourly revenue per location; "
         "refreshes the feature table used by the refund agent and registers the new model version; "
         "starts the scheduled replay job and waits for its first output file before returning").split("; ")


def generate(n: int, root: Path, seed: int = 42) -> None:
    rng = random.Random(seed)
    (root / "spec" / "stages").mkdir(parents=True, exist_ok=True)
    (root / "spec" / "targets").mkdir(parents=True, exist_ok=True)
    (root / "src" / "stages").mkdir(parents=True, exist_ok=True)
    params = [f"PARAM_{i:02d}" for i in range(N_PARAMS)]
    lines = ["name: bench", "variables:", "  catalog:", "    description: Catalog", "    default: benchdev",
             "workspace:", "  root_path: /Workspace/Users/${workspace.current_user.userName}/bench",
             "requirements:", "  - databricks-sdk==0.162.0", "job:", "  key: main", "  name: Bench Initializer",
             "  queue:", "    enabled: true", "  performance_target: PERFORMANCE_OPTIMIZED", "state:",
             "  catalog_parameter: PARAM_00", "parameters:"]
    for i, p in enumerate(params):
        default = "${var.catalog}" if i == 0 else f"value-{i}"
        lines += [f"  {p}:", f"    default: \"{default}\"", f"    description: Synthetic parameter number {i}."]
    (root / "spec" / "bundle.yaml").write_text("\n".join(lines) + "\n")
    for t in TARGETS:
        body = [f"description: Synthetic target {t}."]
        if t == "t0":
            body.append("default: true")
        if t == "all":
            body.append('select: "*"')
        if t == "t1":
            body += ["parameters:", "  PARAM_01: \"overridden\""]
        (root / "spec" / "targets" / f"{t}.yaml").write_text("\n".join(body) + "\n")

    names = [f"s{i:05d}" for i in range(n)]
    deps = [sorted(rng.sample(names[max(0, i - 50):i], min(i, rng.randint(0, 3)))) for i in range(n)]
    members = [set(rng.sample(TARGETS[:9], rng.randint(1, 3))) for _ in range(n)]
    for i in reversed(range(n)):  # close memberships under dependencies
        for dep in deps[i]:
            members[int(dep[1:])] |= members[i]
    for i, name in enumerate(names):
        chosen = ["PARAM_00"] + rng.sample(params[1:], rng.randint(0, 4))
        consumes = [f"{{PARAM_00}}.schema_{d}.table_{d}" for d in deps[i] if rng.random() < 0.5]
        description = " ".join(rng.sample(WORDS, 2)).capitalize() + "."
        body = [f"task_key: Task_{name}", "description: >-", f"  {description}"]
        if deps[i]:
            body.append(f"depends_on: [{', '.join(deps[i])}]")
        body.append(f"parameters: [{', '.join(chosen)}]")
        body.append(f"targets: [{', '.join(sorted(members[i]))}]")
        body += ["produces:", f"  - \"{{PARAM_00}}.schema_{name}.table_{name}\""]
        if consumes:
            body += ["consumes:"] + [f"  - \"{c}\"" for c in consumes]
        body.append(f"tags: [{rng.choice(['ingest', 'model', 'serve'])}, {rng.choice(['daily', 'hourly'])}]")
        (root / "spec" / "stages" / f"{name}.yaml").write_text("\n".join(body) + "\n")
        reads = "\n".join(f"    {p.lower()} = ctx.params[\"{p}\"]" for p in chosen)
        (root / "src" / "stages" / f"{name}.py").write_text(
            f'"""Synthetic stage {name}."""\n\n\ndef run(ctx):\n{reads}\n    return {chosen[0].lower()}\n')


if __name__ == "__main__":
    generate(int(sys.argv[1]), Path(sys.argv[2]))
