"""The Casper's Kitchens bundle carries the facts of the catalogue (caspers-stages.md §1),
with parameters derived from what each target's stages read.

The facts pin the catalogue's own stages exactly. A stage a user adds (README, "Add a stage") is
not a fact of the catalogue: its task and parameters are expected where the spec puts them, so
adding one leaves these tests green (test_the_readme_example_keeps_the_facts_green does exactly that)."""

from __future__ import annotations

import pytest

from .bundle_io import load_bundle, target_job, tasks_by_key
from .conftest import run_compiler

# §1.4: task -> (notebook stage, depends_on) per target
DEFAULT = {
    "Canonical_Data": ("canonical_data", []),
    "Spark_Declarative_Pipeline": ("lakeflow", ["Canonical_Data"]),
    "Refund_Recommender_Agent": ("refunder_agent", ["Spark_Declarative_Pipeline"]),
    # The original lets the stream start before the agent it calls exists (§4.3); the spec orders them.
    "Refund_Recommender_Stream": ("refunder_stream", ["Spark_Declarative_Pipeline", "Refund_Recommender_Agent"]),
    "Lakebase_Reverse_ETL": ("lakebase", ["Refund_Recommender_Stream"]),
    "Databricks_App_Refund_Manager": ("apps", ["Lakebase_Reverse_ETL"]),
}
COMPLAINTS = {
    "Canonical_Data": ("canonical_data", []),
    "Spark_Declarative_Pipeline": ("lakeflow", ["Canonical_Data"]),
    "Complaint_Agent": ("complaint_agent", ["Spark_Declarative_Pipeline"]),
    "Complaint_Generator_Stream": ("complaint_generator_stream", ["Spark_Declarative_Pipeline"]),
    "Complaint_Agent_Stream": ("complaint_agent_stream", ["Complaint_Agent", "Complaint_Generator_Stream"]),
    "Complaint_Lakebase": ("complaint_lakebase", ["Complaint_Agent_Stream"]),
}
FREE = {
    "Canonical_Data": ("canonical_data", []),
    "Spark_Declarative_Pipeline": ("lakeflow", ["Canonical_Data"]),
}
MENUS = {
    "Canonical_Data": ("canonical_data", []),
    "Menu_Data": ("menu_data", ["Canonical_Data"]),
    "Inspection_Data": ("inspection_data", ["Canonical_Data"]),
    "Menu_Pipeline": ("menu_pipeline", ["Menu_Data", "Inspection_Data"]),
    "Menu_Genie": ("menu_genie", ["Menu_Pipeline"]),
    # the assistant reads the menu volume only, so it need not wait for the pipeline (the original did)
    "Menu_Knowledge_Agent": ("menu_knowledge_agent", ["Menu_Data"]),
    "Inspection_Knowledge_Agent": ("inspection_knowledge_agent", ["Inspection_Data"]),
    "Menu_Supervisor": ("menu_supervisor", ["Menu_Genie", "Menu_Knowledge_Agent", "Inspection_Knowledge_Agent"]),
}
SUPPORT = {
    "Canonical_Data": ("canonical_data", []),
    "Spark_Declarative_Pipeline": ("lakeflow", ["Canonical_Data"]),
    "Support_Request_Generator_Stream": ("support_request_generator_stream", ["Spark_Declarative_Pipeline"]),
    # The agent reads the generator's table and makes the reports table; the stream calls the agent's
    # endpoint (the original ordered neither: §4.3).
    "Support_Request_Agent": ("support_request_agent", ["Spark_Declarative_Pipeline", "Support_Request_Generator_Stream"]),
    "Support_Request_Agent_Stream": ("support_request_agent_stream", ["Support_Request_Agent"]),
    "Support_Lakebase_And_App": ("support_lakebase", ["Support_Request_Agent_Stream"]),
}
ALL = {**DEFAULT, **COMPLAINTS, **MENUS, **SUPPORT}  # support joined once its name collisions were gone
CATALOGUE_ORDER = [  # §1.3 row order
    "CATALOG", "EVENTS_VOLUME", "LLM_MODEL", "REFUND_AGENT_ENDPOINT_NAME", "COMPLAINT_AGENT_ENDPOINT_NAME",
    "COMPLAINT_RATE", "SUPPORT_AGENT_ENDPOINT_NAME", "SUPPORT_RATE", "SIMULATOR_SCHEMA",
    "START_DAY", "SPEED_MULTIPLIER", "SCHEDULE_MINUTES", "PIPELINE_SCHEDULE_MINUTES",
]
EXPECTED_TASKS = {"default": DEFAULT, "complaints": COMPLAINTS, "free": FREE, "menus": MENUS,
                  "support": SUPPORT, "all": ALL}

# §1.3, minus the three parameters no stage of `menus` reads (LLM_MODEL, REFUND_AGENT_ENDPOINT_NAME,
# PIPELINE_SCHEDULE_MINUTES).
BASE = {"CATALOG": "${var.catalog}", "EVENTS_VOLUME": "events"}
SIM = {"SIMULATOR_SCHEMA": "simulator", "START_DAY": "70", "SPEED_MULTIPLIER": "60.0", "SCHEDULE_MINUTES": "3"}
LLM = {"LLM_MODEL": "databricks-meta-llama-3-3-70b-instruct"}
EXPECTED_PARAMETERS = {
    # LAKEBASE_CAPACITY: the instance's capacity, hard-coded CU_1 in the original, is a parameter now.
    "default": {**BASE, **LLM, "REFUND_AGENT_ENDPOINT_NAME": "${var.catalog}_refund_agent", **SIM,
                "PIPELINE_SCHEDULE_MINUTES": "0", "LAKEBASE_CAPACITY": "CU_1"},
    "complaints": {**BASE, **LLM, "COMPLAINT_AGENT_ENDPOINT_NAME": "${var.catalog}_complaint_agent",
                   "COMPLAINT_RATE": "0.15", **SIM, "PIPELINE_SCHEDULE_MINUTES": "0", "LAKEBASE_CAPACITY": "CU_1"},
    "free": {**BASE, **SIM, "PIPELINE_SCHEDULE_MINUTES": "3"},
    # The three endpoint-name parameters are gone: the Agent Bricks API names an assistant's and a
    # supervisor's endpoint itself (endpoint_name is output only), so no parameter could choose it.
    "menus": {**BASE, **SIM},
    "support": {**BASE, **LLM, "SUPPORT_AGENT_ENDPOINT_NAME": "${var.catalog}_support_agent", "LAKEBASE_CAPACITY": "CU_1",
                "SUPPORT_RATE": "0.18", **SIM, "PIPELINE_SCHEDULE_MINUTES": "0"},
    "all": {**BASE, **LLM, "REFUND_AGENT_ENDPOINT_NAME": "${var.catalog}_refund_agent",
            "COMPLAINT_AGENT_ENDPOINT_NAME": "${var.catalog}_complaint_agent", "COMPLAINT_RATE": "0.15",
            **SIM,
            "PIPELINE_SCHEDULE_MINUTES": "0", "LAKEBASE_CAPACITY": "CU_1",
            "SUPPORT_AGENT_ENDPOINT_NAME": "${var.catalog}_support_agent", "SUPPORT_RATE": "0.18"},
}


KNOWN_STAGES = {stage for target in EXPECTED_TASKS.values() for stage, _ in target.values()}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> dict:
    from .conftest import ROOT

    out = tmp_path_factory.mktemp("caspers") / "build"
    run = run_compiler("build", "--out", str(out), cwd=ROOT)
    assert run.code == 0, run.err
    return load_bundle(out)


@pytest.fixture(scope="module")
def spec():
    from compiler.pipeline import compile_spec

    from .conftest import ROOT

    return compile_spec(str(ROOT / "spec"), through="resolve")


def added_tasks(spec, target: str) -> dict[str, str]:
    """Task key -> stage, for stages beyond the catalogue that the spec puts in `target`."""
    members = spec.resolved.targets[target].members
    return {spec.spec.stages[name].task_key: name for name in members if name not in KNOWN_STAGES}


def added_parameters(spec, target: str) -> set[str]:
    return {p for task, name in added_tasks(spec, target).items() for p in spec.spec.stages[name].parameters}


def test_bundle_level_settings(bundle):
    assert bundle["bundle"] == {"name": "caspers-kitchens"}
    assert bundle["variables"] == {"catalog": {"description": "UC catalog for this bundle/target", "default": "caspersdev"}}
    assert bundle["workspace"]["root_path"] == "/Workspace/Users/${workspace.current_user.userName}/caspers-kitchens-demo"
    assert ".git/**" in bundle["sync"]["exclude"] and "apps/supportconsolek/**/dist/**" in bundle["sync"]["exclude"]
    assert set(bundle["targets"]) == set(EXPECTED_TASKS)
    assert [t for t, body in bundle["targets"].items() if body.get("default")] == ["default"]


@pytest.mark.parametrize("target", sorted(EXPECTED_TASKS))
def test_job_settings(bundle, target):
    job = target_job(bundle, target)
    assert job["name"] == "Casper's Initializer"
    assert job["queue"] == {"enabled": True}
    assert job["performance_target"] == "PERFORMANCE_OPTIMIZED"
    assert set(bundle["targets"][target]["resources"]["jobs"]) == {"caspers", "cleanup"}


@pytest.mark.parametrize("target", sorted(EXPECTED_TASKS))
def test_cleanup_job(bundle, target):
    job = bundle["targets"][target]["resources"]["jobs"]["cleanup"]
    assert job["name"] == "Casper's Initializer: cleanup"
    assert job["parameters"] == [{"name": "CATALOG", "default": "${var.catalog}"}, {"name": "DRY_RUN", "default": "false"},
                                 {"name": "DELETE_ADOPTED", "default": ""}]
    assert job["tasks"] == [{"task_key": "cleanup", "notebook_task": {"notebook_path": "../cleanup.py"}, "max_retries": 0}]


@pytest.mark.parametrize("target", sorted(EXPECTED_TASKS))
def test_tasks_and_dependencies(bundle, spec, target):
    check_tasks(bundle, spec, target)


def check_tasks(bundle, spec, target):
    tasks = tasks_by_key(target_job(bundle, target))
    expected = EXPECTED_TASKS[target]
    assert set(tasks) == set(expected) | set(added_tasks(spec, target))
    for key, (stage, deps) in expected.items():
        task = tasks[key]
        assert task["notebook_task"] == {"notebook_path": f"../stages/{stage}.py", "base_parameters": {
            "BUNDLE_TARGET": "${bundle.target}", "JOB_RUN_ID": "{{job.run_id}}"}}
        assert sorted(d["task_key"] for d in task.get("depends_on", [])) == sorted(deps)


@pytest.mark.parametrize("target", sorted(EXPECTED_TASKS))
def test_per_target_settings(bundle, target):
    tasks = tasks_by_key(target_job(bundle, target))
    for key, task in tasks.items():
        extra = {k: v for k, v in task.items() if k not in ("task_key", "depends_on", "notebook_task")}
        menu_stage = key in MENUS and key != "Canonical_Data"
        assert extra == ({"max_retries": 0} if target == "menus" and menu_stage else {}), key


@pytest.mark.parametrize("target", sorted(EXPECTED_TASKS))
def test_parameters_are_exactly_what_stages_read(bundle, spec, target):
    check_parameters(bundle, spec, target)


def check_parameters(bundle, spec, target):
    params = {p["name"]: p["default"] for p in target_job(bundle, target)["parameters"]}
    added = added_parameters(spec, target) - set(EXPECTED_PARAMETERS[target])
    assert {k: v for k, v in params.items() if k not in added} == EXPECTED_PARAMETERS[target]
    assert set(params) == set(EXPECTED_PARAMETERS[target]) | added
    known = [name for name in params if name in CATALOGUE_ORDER]
    assert known == sorted(known, key=CATALOGUE_ORDER.index)  # catalogue order, as in the original


def test_parameter_counts(bundle, spec):
    counts = {t: len(target_job(bundle, t)["parameters"]) - len(added_parameters(spec, t) - set(EXPECTED_PARAMETERS[t]))
              for t in EXPECTED_TASKS}
    # The original had menus at 12: its three unread parameters are dropped, and so are its three
    # endpoint names (the service names Agent Bricks endpoints); default, complaints, support and all
    # gain LAKEBASE_CAPACITY (the original hard-coded CU_1); all gains the two support parameters now
    # that support is in it.
    assert counts == {"default": 10, "complaints": 11, "free": 7, "menus": 6, "support": 11, "all": 14}


def test_all_has_the_twenty_one_catalogue_tasks_and_whatever_else_the_spec_adds(bundle, spec):
    # the original's 17, and the four support tasks, which it left out for their name collisions
    assert len(target_job(bundle, "all")["tasks"]) == 21 + len(added_tasks(spec, "all"))


def test_the_readme_example_keeps_the_facts_green(tmp_path):
    """README, "Add a stage": spec/stages/hello.yaml and src/stages/hello.py, nothing else."""
    import re

    from compiler.pipeline import compile_spec

    from .conftest import ROOT, copy_project

    project = copy_project(ROOT, tmp_path / "caspers")
    readme = (ROOT / "README.md").read_text().split("## Add a stage", 1)[1]
    yaml_text, python_text = re.findall(r"```(?:yaml|python)\n(.*?)```", readme, flags=re.S)[:2]
    (project / "spec" / "stages" / "hello.yaml").write_text(yaml_text)
    (project / "src" / "stages" / "hello.py").write_text(python_text)
    out = project / "build"
    assert run_compiler("build", "--out", str(out), cwd=project).code == 0
    bundle, example = load_bundle(out), compile_spec(str(project / "spec"), through="resolve")
    assert added_tasks(example, "free") == {"Hello": "hello"} and added_tasks(example, "all") == {"Hello": "hello"}
    for target in EXPECTED_TASKS:
        check_tasks(bundle, example, target)
        check_parameters(bundle, example, target)


def test_every_stage_has_a_notebook_and_its_source(tmp_path):
    from .conftest import ROOT

    out = tmp_path / "build"
    assert run_compiler("build", "--out", str(out), cwd=ROOT).code == 0
    stages = sorted(p.stem for p in (ROOT / "spec" / "stages").glob("*.yaml"))
    assert stages == sorted(p.stem for p in (ROOT / "src" / "stages").glob("*.py"))  # one source per stage
    for name in stages:
        notebook = (out / "stages" / f"{name}.py").read_text()
        assert notebook.startswith("# Databricks notebook source\n")
        assert f"Generated from spec/stages/{name}.yaml" in notebook
        namespace: dict = {}
        exec(compile(notebook.split("# The stage contract")[0], f"stages/{name}.py", "exec"), namespace)
        assert namespace["SOURCE"] == (ROOT / "src" / "stages" / f"{name}.py").read_text()  # carried verbatim
        compile(notebook, f"stages/{name}.py", "exec")
