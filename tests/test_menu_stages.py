"""The seven menu stages as they run on a workspace (Spark present), against the stand-in through
the real SDK: documents uploaded through the Files API (exactly the generated set, stale files
removed) and the metadata tables loaded; one catalog-scoped pipeline per catalog, updated and run
with a bounded wait; the Genie space and the assistants found by name and brought back in line on a
rerun; the supervisor wired to its inputs by name, with exactly its three tools. Reruns create
nothing."""

from __future__ import annotations

import io
import shutil
import sys

import pytest

from .conftest import ROOT, generated_documents
from .fake_env import configure, fake, objects, runtime  # noqa: F401  (fixtures)
from .test_refund_lakebase import stage, workspace_ctx

sys.path.insert(0, str(ROOT / "src"))
CAT = {"CATALOG": "My_Cat"}


class FrameSpark:
    """Stands in for a SparkSession where stages write DataFrames: records each table's rows."""

    def __init__(self):
        self.tables: dict[str, list] = {}

    def createDataFrame(self, rows, schema):  # noqa: N802 - Spark's name
        spark = self

        class Writer:
            def mode(self, mode):
                assert mode == "overwrite"
                return self

            def option(self, key, value):
                return self

            def saveAsTable(self, name):  # noqa: N802
                spark.tables[name.replace("`", "")] = (list(rows), schema)

        class Frame:
            write = Writer()

        return Frame()


@pytest.fixture(autouse=True)
def scripted_pipeline_updates(fake):  # noqa: F811
    """These tests check the stages' orchestration (create, update, wait); the menu pipeline's data is
    tests/test_menu_pipeline.py's, run by the real runner there."""
    fake.store.config["execute_pipelines"] = False


@pytest.fixture
def bundle(tmp_path, monkeypatch, runtime, fake):  # noqa: F811
    """A bundle root holding what `make data` writes; notebooks run from its stages/ folder."""
    root = tmp_path / "bundle"
    shutil.copytree(generated_documents(), root / "data" / "documents" / "generated")
    (root / "stages").mkdir()
    monkeypatch.chdir(root / "stages")
    return root


def _run(runtime, tmp_path, name, params=CAT, spark=None):  # noqa: F811
    ctx = workspace_ctx(runtime, tmp_path, name, params, spark or FrameSpark())
    stage(name).run(ctx)
    ctx.close()
    return ctx


def _w():
    from databricks.sdk import WorkspaceClient

    return WorkspaceClient()


def _all_stages(runtime, tmp_path, catalog="My_Cat"):  # noqa: F811
    for name in ("menu_data", "inspection_data", "menu_pipeline", "menu_genie", "menu_knowledge_agent",
                 "inspection_knowledge_agent", "menu_supervisor"):
        _run(runtime, tmp_path, name, {"CATALOG": catalog})


def test_data_stages_upload_exactly_the_documents_and_load_the_tables(bundle, fake, runtime, tmp_path):  # noqa: F811
    w = _w()
    spark = FrameSpark()
    _run(runtime, tmp_path, "menu_data", spark=spark)
    w.files.upload("/Volumes/My_Cat/menu_documents/menus/menu_retired_brand.pdf", io.BytesIO(b"%PDF old"),
                   overwrite=True)
    _run(runtime, tmp_path, "menu_data", spark=spark)
    _run(runtime, tmp_path, "inspection_data", spark=spark)
    menus = sorted(p.name for p in (generated_documents() / "menus").glob("*.pdf"))
    listed = sorted(e.name for e in w.files.list_directory_contents("/Volumes/My_Cat/menu_documents/menus"))
    assert listed == menus  # the stale file is gone, nothing else was touched
    reports = sorted(e.name for e in w.files.list_directory_contents("/Volumes/My_Cat/food_safety/reports"))
    assert reports == sorted(p.name for p in (generated_documents() / "inspections").glob("*.pdf"))
    sample = (generated_documents() / "menus" / menus[0]).read_bytes()
    assert w.files.download(f"/Volumes/My_Cat/menu_documents/menus/{menus[0]}").contents.read() == sample
    counts = {name: len(rows) for name, (rows, _) in spark.tables.items()}
    assert counts == {"My_Cat.menu_documents.brands_metadata": 136, "My_Cat.food_safety.inspections": 12,
                      "My_Cat.food_safety.violations": 30}
    live = objects(fake)
    assert sorted(live["volumes"]) == ["My_Cat.food_safety.reports", "My_Cat.menu_documents.menus"]


def test_missing_documents_say_how_to_make_them(tmp_path, monkeypatch, runtime, fake):  # noqa: F811
    (tmp_path / "empty" / "stages").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "empty" / "stages")
    with pytest.raises(FileNotFoundError, match=r"run `make data`"):
        _run(runtime, tmp_path, "inspection_data")
    assert objects(fake) == {}  # refused before creating anything


def test_the_pipeline_is_catalog_scoped_updated_and_waited_for(bundle, fake, runtime, tmp_path):  # noqa: F811
    from stage_runtime.waits import PipelineUpdateFailed

    w = _w()
    for catalog in ("My_Cat", "Other"):
        w.catalogs.create(name=catalog)  # what menu_data makes first
    for catalog in ("My_Cat", "Other", "My_Cat"):
        _run(runtime, tmp_path, "menu_pipeline", {"CATALOG": catalog})
    pipelines = {p.name: p.pipeline_id for p in w.pipelines.list_pipelines()}
    assert sorted(pipelines) == ["Menu Document Processing Pipeline (My_Cat)", "Menu Document Processing Pipeline (Other)"]
    spec = w.pipelines.get(pipelines["Menu Document Processing Pipeline (My_Cat)"]).spec
    assert (spec.catalog, spec.schema, spec.continuous, spec.configuration) == ("My_Cat", "menu_documents", False,
                                                                                 {"MENU_CATALOG": "My_Cat"})
    assert spec.libraries[0].glob.include.endswith("/pipelines/menu_documents/transformations/**")
    stored = fake.store.get("pipelines", pipelines["Menu Document Processing Pipeline (My_Cat)"])
    assert [u["state"] for u in stored["_updates"].values()] == ["COMPLETED", "COMPLETED"]  # one update per run

    running = w.pipelines.start_update(pipeline_id=stored["pipeline_id"]).update_id  # someone started one
    _run(runtime, tmp_path, "menu_pipeline")
    assert list(stored["_updates"])[-1] == running and len(stored["_updates"]) == 3  # waited for, not refused

    configure(fake, pipeline_update_fails=True)
    with pytest.raises(PipelineUpdateFailed, match="FAILED; open the pipeline's event log"):
        _run(runtime, tmp_path, "menu_pipeline")


def test_the_genie_space_is_found_by_title_and_updated(bundle, fake, runtime, tmp_path):  # noqa: F811
    import json

    w = _w()
    warehouse = w.warehouses.create(name="someone-else").result().id
    for n in range(25):  # more than a page of other spaces before ours
        w.genie.create_space(warehouse_id=warehouse, title=f"space {n}",
                             serialized_space=json.dumps({"version": 2, "data_sources": {"tables": [{"identifier": "a.b.c"}]}}))
    _run(runtime, tmp_path, "menu_genie")
    title = "Caspers Menu and Safety Intelligence (My_Cat)"
    ours = [s for s in fake.store.all("genie_spaces") if s.get("title") == title]
    assert len(ours) == 1
    w.genie.update_space(ours[0]["space_id"], description="stale", serialized_space=json.dumps(
        {"version": 2, "data_sources": {"tables": [{"identifier": "My_Cat.menu_documents.menu_items"}]}}))
    _run(runtime, tmp_path, "menu_genie")
    ours = [s for s in fake.store.all("genie_spaces") if s.get("title") == title]
    assert len(ours) == 1 and ours[0]["description"] != "stale"
    definition = json.loads(ours[0]["serialized_space"])
    assert [t["identifier"] for t in definition["data_sources"]["tables"]] == sorted(
        f"My_Cat.menu_documents.{t}" for t in stage("menu_genie").TABLES)
    assert len(definition["config"]["sample_questions"]) == 10
    warehouses = [x["name"] for x in fake.store.all("warehouses")]
    assert sorted(warehouses) == ["My_Cat-menu-warehouse", "someone-else"]
    assert ours[0]["warehouse_id"] == next(x["id"] for x in fake.store.all("warehouses") if x["name"] != "someone-else")


def test_the_assistants_are_found_by_name_kept_in_line_and_waited_for(bundle, fake, runtime, tmp_path):  # noqa: F811
    for _ in range(2):
        _run(runtime, tmp_path, "menu_knowledge_agent")
        _run(runtime, tmp_path, "inspection_knowledge_agent")
    assistants = {a["display_name"]: a for a in fake.store.all("knowledge_assistants")}
    assert sorted(assistants) == ["My_Cat-inspection-knowledge", "My_Cat-menu-knowledge"]
    menu = assistants["My_Cat-menu-knowledge"]
    assert [(s["display_name"], s["files"]) for s in menu["children"].values()] == [
        ("menu_pdfs", {"path": "/Volumes/My_Cat/menu_documents/menus"})]
    assert menu["synced"] == 1  # the rerun re-synced its documents
    menu["instructions"] = "changed by hand"
    _run(runtime, tmp_path, "menu_knowledge_agent")
    assert menu["instructions"] != "changed by hand"

    menu["state"], menu["error_info"] = "FAILED", "no documents could be parsed"
    with pytest.raises(RuntimeError, match="My_Cat-menu-knowledge FAILED: no documents could be parsed"):
        _run(runtime, tmp_path, "menu_knowledge_agent")


def test_the_assistant_wait_is_bounded_and_polls_until_active(fake, runtime):  # noqa: F811
    from databricks.sdk.service.knowledgeassistants import KnowledgeAssistant

    sys.path.insert(0, str(ROOT / "src"))
    from caspers.agent_bricks import wait_for_knowledge_assistant

    configure(fake, tile_ready_after=3)
    w = _w()
    made = w.knowledge_assistants.create_knowledge_assistant(KnowledgeAssistant(display_name="kb-one", description="d"))
    naps = []
    done = wait_for_knowledge_assistant(w, made.name, "kb-one", sleep=naps.append, say=lambda text: None)
    assert done.state.value == "ACTIVE" and len(naps) == 2
    configure(fake, tile_ready_after=-1)
    other = w.knowledge_assistants.create_knowledge_assistant(KnowledgeAssistant(display_name="kb-two", description="d"))
    clock = iter(range(0, 10_000, 100))
    with pytest.raises(TimeoutError, match="kb-two to be ACTIVE: nothing within 1800 s"):
        wait_for_knowledge_assistant(w, other.name, "kb-two", sleep=lambda s: None, clock=lambda: next(clock),
                                     say=lambda text: None)


def test_the_supervisor_finds_its_inputs_by_name_and_keeps_exactly_its_tools(bundle, fake, runtime, tmp_path):  # noqa: F811
    with pytest.raises(RuntimeError, match="Genie space .* not found: the menu_genie stage creates it"):
        _run(runtime, tmp_path, "menu_supervisor")
    _all_stages(runtime, tmp_path)
    before = objects(fake)
    _all_stages(runtime, tmp_path)
    assert objects(fake) == before  # a rerun creates nothing

    [supervisor] = fake.store.all("multi_agent_supervisors")
    assistants = {a["display_name"]: a for a in fake.store.all("knowledge_assistants")}
    [space] = fake.store.all("genie_spaces")
    tools = supervisor["children"]
    assert sorted(tools) == ["inspection-report-search", "menu-document-search", "menu-safety-analytics"]
    assert tools["menu-safety-analytics"]["genie_space"] == {"id": space["space_id"]}
    menu = assistants["My_Cat-menu-knowledge"]
    assert tools["menu-document-search"]["knowledge_assistant"] == {
        "knowledge_assistant_id": menu["tile_id"], "serving_endpoint_name": menu["endpoint_name"]}

    tools["menu-safety-analytics"]["description"] = "changed by hand"
    tools["web-search"] = {"tool_type": "databricks_web_search", "tool_id": "web-search"}
    _run(runtime, tmp_path, "menu_supervisor")
    assert sorted(tools) == ["inspection-report-search", "menu-document-search", "menu-safety-analytics"]
    assert tools["menu-safety-analytics"]["description"] != "changed by hand"
