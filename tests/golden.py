"""Golden example folders: tests/examples/{good,bad}/<case>/.

A case is an overlay on tests/examples/base/: its files replace or add to the base project's,
`_delete.txt` lists base paths to remove (one per line), `_args.txt` replaces the build's
arguments (`--out build`, one per line), `_git_repository.txt` makes the project a git worktree
(an empty `.git` folder, so its `.gitignore` decides what deploys), `_special.txt` adds what git cannot
hold (`link <path> <target>`, `fifo <path>`), and `expected.txt` holds the
exact stderr of `python -m compiler build` run in the case's project folder. A good case also
pins what it builds in `expected_jobs.yaml` (`summarise`: per target, the job's name, parameters
and tasks with their dependencies and settings; per stage, the notebook's `%` commands). `python -m tests.golden
CASE...` prints what a case gives today, for writing a new case (review it before saving it).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from .conftest import EXAMPLES, Run, copy_project, run_compiler

CONTROL_FILES = {"expected.txt", "expected_jobs.yaml", "_delete.txt", "_args.txt", "_git_repository.txt", "README.md",
                 "_special.txt"}


def case_dirs(kind: str) -> list[Path]:
    folder = EXAMPLES / kind
    return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.exists() else []


def materialise(case: Path, dest: Path) -> Path:
    project = copy_project(EXAMPLES / "base", dest)
    delete = case / "_delete.txt"
    if delete.exists():
        for line in delete.read_text().splitlines():
            if line.strip():
                target = project / line.strip()
                shutil.rmtree(target) if target.is_dir() else target.unlink()
    for path in sorted(case.rglob("*")):
        rel = path.relative_to(case)
        if path.is_file() and rel.as_posix() not in CONTROL_FILES:
            (project / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, project / rel)
    if (case / "_git_repository.txt").exists():
        (project / ".git").mkdir(exist_ok=True)
    special = case / "_special.txt"
    for line in special.read_text().splitlines() if special.exists() else []:
        make_special(project, *line.split())
    return project


def make_special(project: Path, kind: str, rel: str, target: str = "") -> None:
    """What git cannot hold: `link <path> <target>` (a symbolic link), `fifo <path>`."""
    import os

    path = project / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "link":
        os.symlink(target, path)
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        raise ValueError(f"unknown special entry {kind!r}")


def run_case(case: Path, workdir: Path) -> Run:
    project = materialise(case, workdir / "project")
    return run_compiler("build", *build_args(case), cwd=project)


def build_args(case: Path) -> list[str]:
    args = case / "_args.txt"
    return [line.strip() for line in args.read_text().splitlines() if line.strip()] if args.exists() else ["--out", "build"]


def summarise(build: Path, job_key: str = "main") -> dict:
    """What a build made, as a reviewer would check it: each target's job and each notebook's
    `%` commands (what it installs)."""
    import yaml

    from .bundle_io import load_bundle

    bundle = load_bundle(build)
    summary: dict = {}
    for target, body in sorted(bundle["targets"].items()):
        job = body["resources"]["jobs"][job_key]
        tasks = []
        for task in job["tasks"]:
            entry = {k: v for k, v in task.items() if k not in ("task_key", "notebook_task")}
            if "depends_on" in entry:
                entry["depends_on"] = [d["task_key"] for d in entry["depends_on"]]
            tasks.append({task["task_key"]: entry})
        summary[target] = {"name": job["name"], **({"description": job["description"]} if "description" in job else {}),
                           "parameters": {p["name"]: p["default"] for p in job.get("parameters", [])}, "tasks": tasks}
    summary["notebooks"] = {path.stem: [line[len("# MAGIC "):] for line in path.read_text().splitlines()
                                        if line.startswith("# MAGIC %") and not line.startswith("# MAGIC %md")]
                            for path in sorted((build / "stages").glob("*.py"))}
    return yaml.safe_load(yaml.safe_dump(summary, sort_keys=False))  # plain data, as the expected file reads back


def dump_summary(summary: dict) -> str:
    import yaml

    return yaml.safe_dump(summary, sort_keys=False, allow_unicode=True, width=100)


if __name__ == "__main__":
    jobs = "--jobs" in sys.argv
    for name in [a for a in sys.argv[1:] if a != "--jobs"]:
        case = next(p for kind in ("bad", "good") for p in case_dirs(kind) if p.name == name)
        with tempfile.TemporaryDirectory() as tmp:
            result = run_case(case, Path(tmp))
            if jobs:  # what expected_jobs.yaml should say; review before saving it
                print(dump_summary(summarise(Path(tmp) / "project" / "build")), end="")
                continue
        print(f"== {name}: exit {result.code}")
        print(result.err, end="")
