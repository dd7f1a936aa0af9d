"""Property-based tests (hypothesis): random specs never crash the compiler.

Random DAGs (sometimes with cycles), random targets and memberships, random parameter catalogues
and overrides, random stage sources, and strings from a hostile alphabet. For every input the
compiler either builds a bundle that passes the output checks (YAML reads back to the exact values,
every notebook compiles and keeps its shape), or returns error diagnostics; never an exception.
The same input always gives the same output.

CI runs the `ci` profile (500 examples); `--hypothesis-profile thorough` runs 5,000.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from compiler.diagnostics import ERROR
from compiler.pipeline import build, compile_spec

from .notebook_shape import notebook_shape

HOSTILE_PIECES = ["'", '"', "\\", "\n", "\r\n", "\t", '"""', "'''", "${var.catalog}", "{{ '{{' }}", "{ {",
                  "} }", "%", "#", ": ", " - ", "*", "&", "!", "|", ">", "`", "日本語", "é", "✓", "\u2028",
                  "\x85", "\x7f", "\ufeff", "# COMMAND ----------", "\nimport os\n", "');", "\")"]
JINJA_PIECES = ["{#", "}}", "{{ target.name }}", "{{ nope }}", "{% if %}", "{{ ''.__class__ }}"]
piece = st.one_of(st.sampled_from(HOSTILE_PIECES), st.text(min_size=1, max_size=4))
hostile_text = st.lists(piece, max_size=6).map("".join)
maybe_jinja = st.one_of(hostile_text, st.lists(st.one_of(piece, st.sampled_from(JINJA_PIECES)), min_size=1,
                                               max_size=4).map("".join))
# Rare events are drawn as "x == 7": hypothesis favours 0 and the first option, which are the common case.
RARE = st.integers(0, 9).map(lambda x: x == 7)
# Not "delta": a stage named like a package the stages import is refused (E515, its own golden case).
NAMES = ["alpha", "beta", "gamma", "iota", "eps", "zeta", "eta", "theta"]
PARAMS = ["CATALOG", "SCHEMA", "RATE", "MODEL", "DAYS"]
TARGETS = ["dev", "prod", "qa", "all"]


@st.composite
def projects(draw):
    n = draw(st.integers(1, len(NAMES)))
    stages = NAMES[:n]
    targets = draw(st.lists(st.sampled_from(TARGETS), min_size=1, max_size=4, unique=True))
    catalogue = draw(st.lists(st.sampled_from(PARAMS), min_size=1, max_size=5, unique=True))
    defaults = {p: (None if draw(RARE) else draw(hostile_text)) for p in catalogue}
    n_defaults = draw(st.sampled_from([0] + [1] * 18 + [2]))
    target_files = {}
    for i, t in enumerate(targets):
        body = {"description": draw(hostile_text) or "t"}
        if i < n_defaults:
            body["default"] = True
        overrides = draw(st.dictionaries(st.sampled_from(catalogue), hostile_text, max_size=2))
        if overrides:
            body["parameters"] = overrides
        if t == "all" and draw(st.booleans()):
            body["select"] = draw(st.sampled_from(["*", "*", "tag:x", "+" + stages[-1], stages[0] + "+", "nosuch"]))
        target_files[t] = body
    stage_files, sources, produced = {}, {}, {}
    for i, name in enumerate(stages):
        earlier = stages[:i]
        deps = draw(st.lists(st.sampled_from(earlier), unique=True, max_size=3)) if earlier else []
        if draw(RARE):  # occasionally a back edge: maybe a cycle, maybe a self-dependency
            deps.append(draw(st.sampled_from(stages)))
            deps = list(dict.fromkeys(deps))
        declared = draw(st.lists(st.sampled_from(catalogue), unique=True, max_size=3))
        member_of = draw(st.lists(st.sampled_from(targets), unique=True, max_size=len(targets)))
        body = {"task_key": name.title(), "description": draw(maybe_jinja if i == 0 else hostile_text) or "s", "depends_on": deps,
                "parameters": declared, "targets": member_of, "tags": draw(st.lists(st.sampled_from(["x", "y"]), unique=True))}
        if draw(st.booleans()):
            body["targets"] = {t: ({"max_retries": draw(st.integers(-1, 3))} if draw(st.booleans()) else None)
                               for t in member_of}
        # Mostly consume what a dependency produces, sometimes anything (then the data-flow check speaks).
        from_deps = sorted({obj for dep in deps if dep in produced for obj in produced[dep]})
        p0 = "{" + catalogue[0] + "}"
        pool = from_deps if from_deps and not draw(RARE) else [f"{p0}.a", "{CATALOG}.b", "c"]
        body["consumes"] = draw(st.lists(st.sampled_from(pool), unique=True, max_size=2))
        body["produces"] = draw(st.lists(st.sampled_from([f"{p0}.{name}", f"{name}_{p0}", "c"]),
                                         unique=True, max_size=2))
        produced[name] = body["produces"]
        stage_files[name] = body
        reads = list(declared)
        if draw(RARE):
            reads.append(draw(st.sampled_from(PARAMS)))
        lines = ["def run(ctx):"] + [f"    ctx.params[{p!r}]" for p in reads] + ["    return None"]
        sources[name] = "\n".join(lines) + "\n"
    if not draw(RARE):  # usually close memberships under dependencies (else: E403)
        for name in reversed(stages):
            body = stage_files[name]
            for dep in body["depends_on"]:
                if dep != name and dep in stage_files:
                    _add_targets(stage_files[dep], list(body["targets"]))
    bundle = {"name": "prop", "variables": {"catalog": {"description": "c", "default": draw(hostile_text)}},
              "workspace": {"root_path": "/Workspace/x"}, "job": {"key": "main", "name": draw(hostile_text) or "j"},
              "parameters": {p: ({"default": d} if d is not None else {}) | {"description": "d"} for p, d in defaults.items()}}
    broken = draw(st.sampled_from([None] * 18 + ["garbage", "wrong_type"]))
    return {"bundle": bundle, "stages": stage_files, "targets": target_files, "sources": sources, "broken": broken}


def _add_targets(body: dict, names: list[str]) -> None:
    if isinstance(body["targets"], dict):
        for t in names:
            body["targets"].setdefault(t, None)
    else:
        body["targets"] = list(dict.fromkeys(body["targets"] + names))


def write_project(root: Path, project: dict) -> None:
    (root / "spec" / "stages").mkdir(parents=True)
    (root / "spec" / "targets").mkdir()
    (root / "src" / "stages").mkdir(parents=True)
    dump = lambda data: yaml.safe_dump(data, allow_unicode=True, sort_keys=False)  # noqa: E731
    (root / "spec" / "bundle.yaml").write_text(dump(project["bundle"]), encoding="utf-8")
    for name, body in project["stages"].items():
        (root / "spec" / "stages" / f"{name}.yaml").write_text(dump(body), encoding="utf-8")
        (root / "src" / "stages" / f"{name}.py").write_text(project["sources"][name], encoding="utf-8")
    for name, body in project["targets"].items():
        (root / "spec" / "targets" / f"{name}.yaml").write_text(dump(body), encoding="utf-8")
    first = root / "spec" / "stages" / f"{next(iter(project['stages']))}.yaml"
    if project["broken"] == "garbage":
        first.write_text("task_key: [unclosed\n\t- {{\n", encoding="utf-8")
    elif project["broken"] == "wrong_type":
        first.write_text("task_key: 12\ndescription: []\ntargets: yes\n", encoding="utf-8")


def check_bundle(root: Path, files: dict[str, bytes]) -> None:
    """The output checks: YAML reads back to the spec's exact values; notebooks compile and
    contain exactly the template's statements."""
    # Expected values are what the spec files say (read back, since PyYAML's dumper that wrote
    # them is itself lossy for a few characters such as NEL).
    project = {"bundle": yaml.safe_load((root / "spec" / "bundle.yaml").read_text(encoding="utf-8")),
               "targets": {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
                           for p in (root / "spec" / "targets").glob("*.yaml")}}
    docs = {rel: yaml.safe_load(data.decode("utf-8")) for rel, data in files.items() if rel.endswith(".yml")}
    variables = docs["databricks.yml"]["variables"]
    assert variables["catalog"]["default"] == project["bundle"]["variables"]["catalog"]["default"]
    for rel, doc in docs.items():
        if not rel.startswith("targets/"):
            continue
        (name, body), = doc["targets"].items()
        job = body["resources"]["jobs"]["main"]
        spec_target = project["targets"][name]
        for p in job.get("parameters", []):
            override = spec_target.get("parameters", {}).get(p["name"])
            expected = override if override is not None else project["bundle"]["parameters"][p["name"]].get("default")
            if "{{" not in expected and "{%" not in expected and "{#" not in expected:
                assert p["default"] == expected
    shapes = {notebook_shape(data.decode("utf-8")) for rel, data in files.items() if rel.startswith("stages/")}
    assert len(shapes) == 1, "a value changed the statements of a generated notebook"


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], deadline=None)
@given(projects())
def test_random_specs_build_or_fail_cleanly(project):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_project(root, project)
        first = compile_spec(str(root / "spec"))
        event("built" if first.ok else "stopped at " + first.stopped_at + " " + ",".join(sorted({d.code for d in first.diagnostics if d.severity == ERROR})))
        if first.ok:
            assert first.files is not None
            check_bundle(root, first.files)
            second = compile_spec(str(root / "spec"))
            assert second.files == first.files
            result, written = build(str(root / "spec"), str(root / "build"))
            assert result.ok and written is not None
        else:
            errors = [d for d in first.diagnostics if d.severity == ERROR]
            assert errors and all(d.file and d.message for d in errors)
            result, written = build(str(root / "spec"), str(root / "build"))
            assert written is None and not (root / "build").exists()
        assert [d.render() for d in compile_spec(str(root / "spec")).diagnostics] == \
            [d.render() for d in first.diagnostics]
        shutil.rmtree(root / "build", ignore_errors=True)


# ---- specs that build, and the properties of what they build ------------------------------------
SELECTORS = ["*", "tag:x", "tag:y", "+{last}", "{first}+", "{first}", "{mid}+1", "1+{last}", "tag:x,+{last}",
             "{first} {last}"]
JINJA_VALUES = ["{{ target.name }}", "job of {{ bundle.name }}", "{% if target.default %}main{% else %}side{% endif %}"]


@st.composite
def buildable_projects(draw):
    """Mostly valid specs: an acyclic graph, one default target, a catalogue that always has the
    state parameter (CATALOG) with a default, memberships closed under dependencies, sources that
    read what they declare; Jinja in the places docs/spec.md documents. Selectors and exclusions in
    the `all`-like target; opt-outs on some stages."""
    n = draw(st.integers(1, len(NAMES)))
    stages = NAMES[:n]
    targets = draw(st.lists(st.sampled_from(["dev", "prod", "qa"]), min_size=1, max_size=3, unique=True)) + ["all"]
    catalogue = ["CATALOG"] + draw(st.lists(st.sampled_from(PARAMS[1:]), max_size=4, unique=True))
    fill = {"first": stages[0], "last": stages[-1], "mid": stages[len(stages) // 2]}
    target_files = {}
    for i, t in enumerate(targets):
        body = {"description": f"target {t}"}
        if i == 0:
            body["default"] = True
        if draw(st.booleans()):
            body["parameters"] = {draw(st.sampled_from(catalogue)): draw(st.sampled_from(["v", *JINJA_VALUES]))}
        target_files[t] = body
    all_body = target_files["all"]
    # Mostly selections closed under dependencies ("*", "+x"); the others can leave a dependency
    # out, which the model must then refuse (E403).
    all_body["select"] = draw(st.sampled_from(["*"] * 4 + ["+{last}"] * 3 + SELECTORS)).format(**fill)
    if draw(RARE) or draw(RARE):
        all_body["exclude"] = draw(st.sampled_from(["{last}", "tag:y", "{last}+"] + SELECTORS)).format(**fill)
    stage_files, sources = {}, {}
    for i, name in enumerate(stages):
        deps = draw(st.lists(st.sampled_from(stages[:i]), unique=True, max_size=3)) if i else []
        declared = draw(st.lists(st.sampled_from(catalogue), unique=True, max_size=3))
        member_of = draw(st.lists(st.sampled_from([t for t in targets if t != "all"]), unique=True))
        body = {"task_key": name.title(), "description": draw(st.sampled_from(["plain", "{{ stage.name }} ok"])),
                "depends_on": deps, "parameters": declared, "targets": member_of,
                "tags": draw(st.lists(st.sampled_from(["x", "y"]), unique=True))}
        if draw(st.booleans()):
            body["targets"] = {t: ({"max_retries": draw(st.integers(0, 3))} if draw(st.booleans()) else None)
                               for t in member_of}
        if draw(st.booleans()):
            body["task"] = {"timeout_seconds": draw(st.integers(1, 7200))}
        if i == 0:
            body["tags"] = sorted(set(body["tags"]) | {"x"})  # every tag a selector may name is in use
        if i == n - 1:
            body["tags"] = sorted(set(body["tags"]) | {"y"})
        stage_files[name] = body
        sources[name] = "def run(ctx):\n" + "".join(f"    ctx.params[{p!r}]\n" for p in declared) + "    return None\n"
    for name in reversed(stages):  # close memberships under dependencies
        for dep in stage_files[name]["depends_on"]:
            _add_targets(stage_files[dep], [t for t in stage_files[name]["targets"]])
    leaves = [s for s in stages if not any(s in b["depends_on"] for b in stage_files.values())]
    if draw(st.booleans()):  # a stage nothing depends on opts out of the selecting target
        stage_files[draw(st.sampled_from(leaves))]["opt_out"] = {"all": "not in the everything target"}
    bundle = {"name": "prop", "variables": {"catalog": {"description": "c", "default": "cat"}},
              "workspace": {"root_path": "/Workspace/x"},
              "job": {"key": "main", "name": draw(st.sampled_from(["Job", *JINJA_VALUES])),
                      "description": draw(st.sampled_from(["d", *JINJA_VALUES]))},
              "parameters": {p: {"default": draw(st.sampled_from(["v", "${var.catalog}", *JINJA_VALUES])),
                                 "description": "d"} for p in catalogue}}
    return {"bundle": bundle, "stages": stage_files, "targets": target_files, "sources": sources, "broken": None}


def _closure(edges: dict[str, list[str]], start: str, depth: int | None) -> set[str]:
    seen, frontier, level = set(), {start}, 0
    while frontier and (depth is None or level < depth):
        frontier = {n for f in frontier for n in edges.get(f, [])} - seen
        seen |= frontier
        level += 1
    return seen


def _select(project: dict, expression: str) -> set[str]:
    """An independent evaluation of the selectors the generator uses (a union of intersections)."""
    stages = project["stages"]
    up = {name: body["depends_on"] for name, body in stages.items()}
    down: dict[str, list[str]] = {}
    for name, deps in up.items():
        for dep in deps:
            down.setdefault(dep, []).append(name)
    chosen: set[str] = set()
    for term in expression.split():
        result = None
        for atom in term.split(","):
            import re

            m = re.fullmatch(r"(\d*)(\+?)([^+]+?)(\+?)(\d*)", atom)
            base = m.group(3)
            if base == "*":
                roots = set(stages)
            elif base.startswith("tag:"):
                roots = {s for s, b in stages.items() if base[4:] in b["tags"]}
            else:
                roots = {base}
            found = set(roots)
            for root in roots:
                if m.group(2):
                    found |= _closure(up, root, int(m.group(1)) if m.group(1) else None)
                if m.group(4):
                    found |= _closure(down, root, int(m.group(5)) if m.group(5) else None)
            result = found if result is None else result & found
        chosen |= result or set()
    return chosen


def _render(text: str, target: str, default: bool, extra: dict | None = None) -> str:
    import jinja2

    if "{{" not in text and "{%" not in text:
        return text
    return jinja2.Template(text).render(target={"name": target, "default": default}, bundle={"name": "prop"},
                                        **(extra or {}))


def expected_members(project: dict, target: str) -> set[str]:
    stages = project["stages"]
    named = {s for s, b in stages.items() if target in b["targets"]}
    body = project["targets"][target]
    if not body.get("select"):
        return named
    selected = _select(project, body["select"]) - (_select(project, body["exclude"]) if body.get("exclude") else set())
    return named | {s for s in selected if target not in stages[s].get("opt_out", {})}


def check_model_properties(project: dict, build: Path) -> None:
    from .golden import summarise

    summary = summarise(build)
    stages, catalogue = project["stages"], list(project["bundle"]["parameters"])
    by_key = {body["task_key"]: name for name, body in stages.items()}
    for target, body in project["targets"].items():
        members = expected_members(project, target)
        job = summary[target]
        keys = [next(iter(task)) for task in job["tasks"]]
        assert {by_key[k] for k in keys} == members  # members = named + selected - excluded - opted out
        position = {by_key[k]: i for i, k in enumerate(keys)}
        for task in job["tasks"]:
            (key, settings), = task.items()
            name = by_key[key]
            deps = [d for d in stages[name]["depends_on"] if d in members]
            assert sorted(settings.get("depends_on", [])) == sorted(stages[d]["task_key"] for d in deps)
            assert all(position[d] < position[name] for d in deps)  # topological order
            per_target = stages[name]["targets"].get(target) if isinstance(stages[name]["targets"], dict) else None
            selected_only = target not in stages[name]["targets"]
            expected_settings = dict(stages[name].get("task", {}), **({} if selected_only else (per_target or {})))
            assert {k: v for k, v in settings.items() if k != "depends_on"} == expected_settings
        read = {p for name in members for p in stages[name]["parameters"]} | ({"CATALOG"} if members else set())
        assert list(job.get("parameters", {})) == [p for p in catalogue if p in read]  # what the stages read + state
        default = bool(body.get("default"))
        for name, value in job.get("parameters", {}).items():
            raw = body.get("parameters", {}).get(name, project["bundle"]["parameters"][name]["default"])
            assert value == _render(raw, target, default, {"variables": {"catalog": "cat"}})  # Jinja rendered
        assert job["name"] == _render(project["bundle"]["job"]["name"], target, default)
        assert job["description"] == _render(project["bundle"]["job"]["description"], target, default)
    for name in stages:
        notebook = (build / "stages" / f"{name}.py").read_text()
        assert f"# MAGIC {stages[name]['description'].replace('{{ stage.name }}', name)}" in notebook


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], deadline=None)
@given(buildable_projects())
def test_buildable_specs_have_the_model_properties(project):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_project(root, project)
        result, written = build(str(root / "spec"), str(root / "build"))
        event("built" if written is not None else "refused: " + ",".join(sorted({d.code for d in result.diagnostics
                                                                                 if d.severity == ERROR})))
        if written is None:  # refused: only for the reasons the model itself predicts
            codes = {d.code for d in result.diagnostics if d.severity == ERROR}
            assert codes and codes <= {"E403", "E305"}, codes
            if "E403" in codes:  # a selected stage whose dependency the target leaves out
                assert any(dep not in members for t in project["targets"]
                           for members in [expected_members(project, t)]
                           for name in members for dep in project["stages"][name]["depends_on"])
            if "E305" in codes:  # a selector naming a tag no stage has
                tags = {tag for body in project["stages"].values() for tag in body["tags"]}
                used = " ".join(project["targets"]["all"].get(k, "") for k in ("select", "exclude"))
                assert any(f"tag:{tag}" in used for tag in {"x", "y"} - tags)
            return
        check_model_properties(project, root / "build")
