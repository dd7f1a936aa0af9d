"""The README is a newcomer's first screen, and what it shows works: its order and length, every
command it (and the command reference) shows, its picture of the demo's graph, its error example,
its links, and its "Add a stage" example followed to the letter on a copy of the project."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, catalogue_stages, copy_project, run_compiler

README = (ROOT / "README.md").read_text()
SHOWN_IN = [ROOT / "README.md", ROOT / "docs" / "commands.md", ROOT / "docs" / "troubleshooting.md"]
# What the README may show besides the project's own commands: setting the environment, and the
# Databricks CLI's login (the operator commands call the CLI; they never are it).
OUTSIDE_COMMANDS = {("export",), ("databricks", "auth", "login"), ("sudo", "apt-get", "install"), ("curl",),
                    ("databricks", "bundle", "run")}


def _headings(text: str) -> list[str]:
    return re.findall(r"^## (.+)$", text, flags=re.M)


def test_the_readme_says_what_a_newcomer_needs_in_that_order_on_few_lines():
    assert len(README.splitlines()) <= 300
    headings = _headings(README)
    order = ["Set up", "Try it locally", "Add a stage", "Deploy to a workspace"]
    assert [h for h in headings if h in order] == order
    intro = README.split("\n## ", 1)[0]
    before_picture = [chunk for chunk in intro.split("```mermaid")[0].split("\n\n") if chunk.strip()]
    assert "```mermaid" in intro and len(before_picture) <= 3  # the title, one paragraph, the picture's caption
    contents = README.split("## Contents", 1)[1].split("\n## ", 1)[0].strip().splitlines()
    assert len(contents) <= 10 and len(headings) <= 12  # the table of contents fits on one screen
    setup = README.split("## Set up", 1)[1].split("\n## ", 1)[0]
    assert _commands(setup) == [["make", "build"], ["make", "test"]]
    local = README.split("## Try it locally", 1)[1].split("\n## ", 1)[0]
    shown = _commands(local.split("What you will see")[0])
    assert shown[0] == ["make", "demo"] and len(shown) == 1 + 5  # the whole demo first, then step by step


def _commands(text: str) -> list[list[str]]:
    """The command lines of the ```sh blocks (comments dropped, `&` and line continuations handled)."""
    found = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip().rstrip("&").strip()
            for part in line.split("&&"):
                if part.strip() and not part.strip().startswith("#"):
                    found.append(shlex.split(part))
    return found


def _inline_make_commands(text: str) -> list[list[str]]:
    return [shlex.split(span) for span in re.findall(r"`(make [^`]+)`", text)]


def _make_targets() -> set[str]:
    return set(re.findall(r"^([a-z][\w-]*):", (ROOT / "Makefile").read_text(), flags=re.M))


def _known_variable(name: str) -> bool:
    """A make variable the Makefile reads (its own, or one of USER_VARIABLES, which reach the programs
    as MAKEVAR_<name>), or an environment variable the project's code reads."""
    makefile = (ROOT / "Makefile").read_text()
    user = re.search(r"^USER_VARIABLES := ((?:.*\\\n)*.*)$", makefile, re.M)
    if f"$({name})" in makefile or (user and name in user.group(1).replace("\\", " ").split()):
        return True
    sources = [p.read_text() for p in (ROOT / "compiler").rglob("*.py")]
    return any(f'"{name}"' in text or f"'{name}'" in text or f"= \"{name}\"" in text for text in sources)


def _check_make(words: list[str], where: str) -> None:
    targets = _make_targets()
    goals = [w for w in words[1:] if "=" not in w and not w.startswith(("-", "[")) and w != "&"]
    assert goals and all(g in targets for g in goals), (where, words, "no such make target")
    for word in words[1:]:
        name = word.strip("[]").split("=", 1)[0] if "=" in word else None
        if name:
            assert _known_variable(name), (where, words, f"{name}= is read by nothing")


def _check_cli(words: list[str], where: str) -> None:
    from compiler.cli import main

    if words[2] == "compiler":
        assert words[3] in main.commands or words[3] == "--help", (where, words, "no such compiler command")
        if len(words) > 4:
            options = {p for param in main.commands[words[3]].params for p in param.opts}
            for word in words[4:]:
                assert not word.startswith("-") or word in options, (where, words, f"{word} is no option")
    elif words[2] == "local_workspace":
        shown = subprocess.run([sys.executable, "-m", "local_workspace", "--help"], cwd=ROOT,
                               capture_output=True, text=True, timeout=120).stdout
        assert all(word in shown for word in words[3:] if word.startswith("-")), (where, words)
    else:
        raise AssertionError((where, words, "a module the project does not have"))


@pytest.mark.parametrize("doc", SHOWN_IN, ids=lambda p: p.name)
def test_every_command_shown_exists(doc):
    text = doc.read_text()
    commands = _commands(text) + _inline_make_commands(text)
    assert commands
    for words in commands:
        if words[0] == "make":
            _check_make(words, doc.name)
        elif words[0] == ".venv/bin/python" and words[1] == "-m":
            _check_cli(words, doc.name)
        else:
            assert any(tuple(words[:len(o)]) == o for o in OUTSIDE_COMMANDS), (doc.name, words, "unknown command")


def test_the_command_check_catches_what_does_not_exist():
    """Control: the checks above fail on a target, a variable and a subcommand that do not exist."""
    for bad in (["make", "run-locally"], ["make", "run-local", "TARGT=free"]):
        with pytest.raises(AssertionError):
            _check_make(bad, "control")
    with pytest.raises(AssertionError):
        _check_cli([".venv/bin/python", "-m", "compiler", "run-locally"], "control")


def test_every_link_of_the_readme_and_the_docs_leads_somewhere():
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)\s]+)\)", doc.read_text()):
            if target.startswith(("http://", "https://")):
                continue
            path, _, anchor = target.partition("#")
            file = (doc.parent / path) if path else doc
            assert file.exists(), (doc.name, target)
            if anchor and file.suffix == ".md":
                slugs = {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-")
                         for h in re.findall(r"^#+ (.+)$", file.read_text(), flags=re.M)}
                assert anchor in slugs, (doc.name, target)


def _mermaid_edges(text: str) -> set[tuple[str, str]]:
    edges = set()
    for line in text.splitlines():
        nodes = [n.strip() for n in line.split("-->")]
        edges |= {(a, b) for a, b in zip(nodes, nodes[1:]) if a and b}
    return edges


def test_the_readme_picture_is_the_demo_graph():
    """Its edges are the compiled `all` target's among the stages it shows, and it shows every one of
    the demo's stages (a stage a user adds may be missing from it)."""
    from compiler.graphs import target_edges
    from compiler.pipeline import compile_spec

    picture = _mermaid_edges(README.split("```mermaid", 1)[1].split("```", 1)[0])
    shown = {n for edge in picture for n in edge}
    assert shown >= catalogue_stages()
    compiled = compile_spec(str(ROOT / "spec"), through="check_dataflow")
    _, edges = target_edges(compiled, "all")
    assert picture == {(a, b) for a, b in edges if a in shown and b in shown}


def test_the_readme_error_example_is_what_the_build_prints(tmp_path):
    section = README.split("## Add a stage", 1)[1].split("\n## ", 1)[0]
    yaml_text, python_text = re.findall(r"```(?:yaml|python)\n(.*?)```", section, flags=re.S)[:2]
    typo = re.search(r"with `depends_on: \[(\w+)\]`", section).group(1)
    shown = re.search(r"nothing is written; with .*?\n\n```\n(.*?)```", section, flags=re.S).group(1)
    project = copy_project(ROOT, tmp_path / "p")
    name = "hello"  # in a copy: the README's example may be in the project already, and is replaced
    (project / "spec" / "stages" / f"{name}.yaml").write_text(yaml_text.replace("[lakeflow]", f"[{typo}]"))
    (project / "src" / "stages" / f"{name}.py").write_text(python_text)
    run = run_compiler("build", cwd=project)
    assert run.code == 1 and shown.strip() in run.err and not (project / "build").exists()


@pytest.mark.slow
def test_the_readme_example_followed_to_the_letter_keeps_the_suite_green(tmp_path):
    """README, "Add a stage", on a copy of the project: the two files, `make build`, then the tests
    that read the project's spec. Green but for the snapshots the README says change, which
    --snapshot-update (the README's next step) accepts: exactly those, nothing else."""
    project = _copy_of_the_repository(tmp_path / "clone")
    section = README.split("## Add a stage", 1)[1].split("\n## ", 1)[0]
    files = re.findall(r"Add `(spec/stages/\w+\.yaml)` and `(src/stages/\w+\.py)`", section)[0]
    bodies = re.findall(r"```(?:yaml|python)\n(.*?)```", section, flags=re.S)[:2]
    for rel, body in zip(files, bodies):
        (project / rel).write_text(body)
    build = subprocess.run(["make", "--no-print-directory", "build"], cwd=project, capture_output=True, text=True,
                           timeout=600)
    assert build.returncode == 0, build.stdout + build.stderr
    ops = "tests/test_ops.py::test_"
    tests = ["tests/test_build.py", "tests/test_caspers_bundle.py", "tests/test_snapshots.py", "tests/test_docs.py",
             "tests/test_readme.py", f"{ops}only_selectors_resolve_on_each_target", f"{ops}explain_answers_the_impact_questions",
             f"{ops}new_stage_scaffolds_builds_and_shows_in_the_graph", f"{ops}graph_files_parse_back_to_the_target_edges"]
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "--snapshot-update", "--snapshot-details", *tests,
                          "-k", "not followed_to_the_letter"],  # not this test again, inside itself
                         cwd=project, env=_outside_xdist({**os.environ, "PYTHONPATH": str(project)}),
                         capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    changed = {name.strip() for verb, names in re.findall(r"^(Generated|Updated|Deleted) (.+?) \(", run.stdout, flags=re.M)
               for name in names.split(",")}
    stage = Path(files[0]).stem  # a new notebook, a new task in free and all, their graphs: what the README says
    assert changed == {f"test_notebook[{stage}]", "test_target_file[free]", "test_target_file[all]",
                       "test_graphs_readme"}, run.stdout[-3000:]


def _outside_xdist(env: dict) -> dict:
    """The inner run is a run of its own: inheriting PYTEST_XDIST_WORKER from this worker makes
    syrupy take it for an xdist worker and print no snapshot report (what this test reads)."""
    return {key: value for key, value in env.items() if not key.startswith(("PYTEST_XDIST_", "PYTEST_CURRENT_TEST"))}


def _copy_of_the_repository(dest: Path) -> Path:
    """What a clone holds (the files git tracks, or the working tree without generated folders),
    sharing this checkout's .venv."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True)
    if listed.returncode == 0 and listed.stdout:
        for rel in filter(None, listed.stdout.split("\0")):
            if (ROOT / rel).is_file():
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / rel, dest / rel)
    else:
        shutil.copytree(ROOT, dest, ignore=shutil.ignore_patterns(".venv", "build", ".git", "__pycache__"))
    (dest / ".git").mkdir(exist_ok=True)
    (dest / ".venv").symlink_to(ROOT / ".venv")
    return dest
