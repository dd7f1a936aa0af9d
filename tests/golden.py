"""Golden example folders: tests/examples/{good,bad}/<case>/.

A case is an overlay on tests/examples/base/: its files replace or add to the base project's,
`_delete.txt` lists base paths to remove (one per line), `_args.txt` replaces the build's
arguments (`--out build`, one per line), `_git_repository.txt` makes the project a git worktree
(an empty `.git` folder, so its `.gitignore` decides what deploys), and `expected.txt` holds the
exact stderr of `python -m compiler build` run in the case's project folder. `python -m tests.golden
CASE...` prints what a case gives today, for writing a new case (review it before saving it).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from .conftest import EXAMPLES, Run, copy_project, run_compiler

CONTROL_FILES = {"expected.txt", "_delete.txt", "_args.txt", "_git_repository.txt", "README.md"}


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
    return project


def run_case(case: Path, workdir: Path) -> Run:
    project = materialise(case, workdir / "project")
    return run_compiler("build", *build_args(case), cwd=project)


def build_args(case: Path) -> list[str]:
    args = case / "_args.txt"
    return [line.strip() for line in args.read_text().splitlines() if line.strip()] if args.exists() else ["--out", "build"]


if __name__ == "__main__":
    for name in sys.argv[1:]:
        case = next(p for kind in ("bad", "good") for p in case_dirs(kind) if p.name == name)
        with tempfile.TemporaryDirectory() as tmp:
            result = run_case(case, Path(tmp))
        print(f"== {name}: exit {result.code}")
        print(result.err, end="")
