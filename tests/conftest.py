"""Shared fixtures: copies of the Casper's project and of the example project, and a CLI runner
that runs the compiler as a real process (exit code, stdout, stderr)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "tests" / "examples"
# Where the browser tests save their screenshots: build/.local/ is the project's, never the build's
# (the compiler neither writes there nor minds it), so `make build` after the tests still works.
SCREENSHOTS = ROOT / "build" / ".local" / "screenshots"
OFFICIAL_SCHEMA = ROOT.parent / "shared" / "reference" / "databricks-bundle-schema.json"


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_compiler(*args: str, cwd: Path, env: dict | None = None, timeout: float = 120) -> Run:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("COMPILER_")}
    full_env["PYTHONPATH"] = str(ROOT)
    full_env.update(env or {})
    proc = subprocess.run([sys.executable, "-m", "compiler", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def copy_project(source: Path, dest: Path, git: bool = False) -> Path:
    """spec/ and src/ of a project; with `git`, also its .gitignore and a `.git` folder, so the copy
    is a git worktree like a clone (its git-ignored build/ then deploys by the CLI's rules)."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in ("spec", "src"):
        if (source / part).exists():
            shutil.copytree(source / part, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
    if git:
        shutil.copyfile(source / ".gitignore", dest / ".gitignore")
        (dest / ".git").mkdir(exist_ok=True)
    return dest


def catalogue_stages() -> set[str]:
    """The demo's own stages, as the facts catalogue lists them (tests/test_caspers_bundle.py)."""
    from .test_caspers_bundle import ALL

    return {stage for stage, _ in ALL.values()}


def catalogue_project(dest: Path) -> Path:
    """A copy of the project with only the catalogue's stages: what hand-computed expectations about
    the demo's graph are about. A stage a user adds (README, "Add a stage") is left out of it, so
    such expectations stay true, and the tests of the whole project expect that stage where the spec
    puts it."""
    project = copy_project(ROOT, dest)
    keep = catalogue_stages()
    for path in (project / "spec" / "stages").glob("*.yaml"):
        if path.stem not in keep:
            path.unlink()
            (project / "src" / "stages" / f"{path.stem}.py").unlink(missing_ok=True)
    return project


def unused_stage_name(project: Path, base: str) -> str:
    """`base`, or `base_2`, `base_3`...: a stage name the project does not have yet."""
    taken = {p.stem for p in (project / "spec" / "stages").glob("*.yaml")}
    return next(name for name in (base, *(f"{base}_{n}" for n in range(2, 100))) if name not in taken)


@pytest.fixture
def caspers(tmp_path: Path) -> Path:
    """A private copy of the Casper's Kitchens project (spec/, src/, .gitignore), as a git worktree,
    with a stand-in for the shipped dataset `make data` writes (deploy refuses to go without it)."""
    project = copy_project(ROOT, tmp_path / "caspers", git=True)
    fake_dataset(project / "build")
    return project


def fake_dataset(build: Path) -> None:
    """What `make data` writes: a placeholder for the canonical dataset (nothing here reads it through
    a deploy) and the real menu and inspection documents (the menus stages upload them)."""
    folder = build / "data" / "canonical" / "canonical_dataset"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "events.parquet").write_bytes(b"placeholder: tests never read the dataset through a deploy")
    shutil.copytree(generated_documents(), build / "data" / "documents" / "generated", dirs_exist_ok=True)


def local_postgres(database: str | None = None):
    """A throwaway PostgreSQL 15 server for a fixture to `yield from`: started in a folder outside
    pytest's (as root the server's own user must reach it), with `database` created, removed after."""
    import tempfile

    from compiler.ops.local_postgres import LocalPostgres

    server = LocalPostgres(tempfile.mkdtemp(prefix="caspers-pg-")).start()
    try:
        if database:
            server.create_database(database)
        yield server
    finally:
        server.remove()


_DOCUMENTS: list[Path] = []


def documents_module():
    """src/data/documents/generate.py, loaded under its own name (the canonical one is `generate` too)."""
    import importlib.util

    if "documents_generate" not in sys.modules:
        spec = importlib.util.spec_from_file_location("documents_generate", ROOT / "src/data/documents/generate.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["documents_generate"] = module
        spec.loader.exec_module(module)
    return sys.modules["documents_generate"]


def generated_documents() -> Path:
    """The documents `make data` generates, written once per test process."""
    if not _DOCUMENTS:
        import tempfile

        out = Path(tempfile.mkdtemp(prefix="documents-")) / "generated"
        documents_module().write(str(out))
        _DOCUMENTS.append(out)
    return _DOCUMENTS[0]


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A private copy of the small example project in tests/examples/base."""
    return copy_project(EXAMPLES / "base", tmp_path / "example")


def read_tree(folder: Path, skip: tuple[str, ...] = (".compiler", ".databricks")) -> dict[str, bytes]:
    files = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and not rel.startswith(skip):
            files[rel] = path.read_bytes()
    return files


def _register_hypothesis_profiles() -> None:
    from hypothesis import settings

    settings.register_profile("ci", max_examples=500, deadline=None)
    settings.register_profile("thorough", max_examples=5000, deadline=None)
    settings.load_profile("ci")


_register_hypothesis_profiles()


@pytest.fixture(autouse=True, scope="session")
def _private_stat_cache(tmp_path_factory):
    """The compiler keeps each build folder's stat cache in the user's cache folder; the suite's
    hundreds of temporary builds keep theirs in a folder of their own, not in ~/.cache."""
    os.environ["BUNDLEC_CACHE_DIR"] = str(tmp_path_factory.mktemp("bundlec-cache"))
    yield
