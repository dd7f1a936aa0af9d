"""The complaint stages as they run on a workspace (Spark present), against the stand-in: the two
stream jobs catalog-scoped, created once and reset on a rerun (the original created another job on
every run, with one global name); COMPLAINT_RATE checked; complaint_lakebase finds or creates its
instance, catalog and synced table, so a second run creates nothing (the original failed on it)."""

from __future__ import annotations

import sys

import pytest

from .conftest import ROOT
from .fake_env import fake, objects, runtime  # noqa: F401  (fixtures)
from .test_refund_lakebase import stage, workspace_ctx
from .test_runtime import RecordingSpark

sys.path.insert(0, str(ROOT / "src"))


@pytest.fixture
def prepared(runtime, fake):  # noqa: F811
    from databricks.sdk import WorkspaceClient

    w = WorkspaceClient()
    w.catalogs.create(name="My_Cat")
    w.schemas.create(name="lakeflow", catalog_name="My_Cat")
    return w


def _run(runtime, tmp_path, name, params, spark=None):  # noqa: F811
    ctx = workspace_ctx(runtime, tmp_path, name, params, spark or RecordingSpark())
    stage(name).run(ctx)
    ctx.close()
    return ctx


def test_the_stream_jobs_are_catalog_scoped_and_reset_not_duplicated(prepared, fake, runtime, tmp_path):  # noqa: F811
    generator = {"CATALOG": "My_Cat", "COMPLAINT_RATE": "0.15", "LLM_MODEL": "databricks-meta-llama-3-3-70b-instruct"}
    agent_stream = {"CATALOG": "My_Cat", "COMPLAINT_AGENT_ENDPOINT_NAME": "my_cat_complaint_agent"}
    for _ in range(2):
        _run(runtime, tmp_path, "complaint_generator_stream", generator)
        _run(runtime, tmp_path, "complaint_agent_stream", agent_stream)
    jobs = {j.settings.name: j for j in prepared.jobs.list(expand_tasks=True)}
    assert sorted(jobs) == ["Complaint Agent Stream (My_Cat)", "Complaint Generator Stream (My_Cat)"]
    task = jobs["Complaint Generator Stream (My_Cat)"].settings.tasks[0]
    assert task.notebook_task.notebook_path.endswith("/jobs/complaint_generator_stream")
    assert task.notebook_task.base_parameters == {"CATALOG": "My_Cat", "COMPLAINT_RATE": "0.15",
                                                  "LLM_MODEL": generator["LLM_MODEL"], "MAX_ORDERS_PER_RUN": "100"}
    stream = jobs["Complaint Agent Stream (My_Cat)"].settings
    assert stream.max_concurrent_runs == 1 and stream.schedule.quartz_cron_expression == "0 0/10 * * * ?"
    assert stream.tasks[0].notebook_task.base_parameters["MAX_COMPLAINTS_PER_RUN"] == "2000"  # the original had no cap; the 8-minute budget (SCHEDULED_BUDGET_S) bounds a run
    runs = [r for r in prepared.jobs.list_runs()]
    assert len(runs) == 4  # each run of a stage starts its job once


@pytest.mark.parametrize("rate", ["lots", "1.5", "-0.1"])
def test_the_generator_says_what_is_wrong_with_its_rate(prepared, runtime, tmp_path, rate):  # noqa: F811
    with pytest.raises(ValueError, match=f"COMPLAINT_RATE must be a fraction between 0 and 1 .*got '{rate}'"):
        _run(runtime, tmp_path, "complaint_generator_stream", {"CATALOG": "My_Cat", "COMPLAINT_RATE": rate,
                                                               "LLM_MODEL": "m"})


def test_complaint_lakebase_can_be_rerun_and_creates_its_source_first(prepared, fake, runtime, tmp_path):  # noqa: F811
    from jobs import complaint_delta

    prepared.schemas.create(name="complaints", catalog_name="My_Cat")

    class TheJobsDDL(RecordingSpark):  # the stand-in's catalog learns the table the DDL creates
        def sql(self, query, args=None):
            if query.startswith("CREATE TABLE IF NOT EXISTS"):
                fake.store.put("tables", "My_Cat.complaints.complaint_responses", {"full_name": "x"})
            return super().sql(query, args)

    params = {"CATALOG": "My_Cat", "LAKEBASE_CAPACITY": "CU_1"}
    spark = TheJobsDDL()
    first = _run(runtime, tmp_path, "complaint_lakebase", params, spark)
    assert spark.calls[0] == (f"CREATE TABLE IF NOT EXISTS IDENTIFIER(:table) ({complaint_delta.RESPONSE_COLUMNS}) "
                              "USING DELTA TBLPROPERTIES (delta.enableChangeDataFeed = true)",
                              {"table": "`My_Cat`.`complaints`.`complaint_responses`"})
    synced = fake.store.find("synced_tables", "My_Cat.complaints.pg_complaint_responses")
    assert synced["database_instance_name"] == "my-catcomplaintmanager"
    assert synced["logical_database_name"] == "caspers_complaints"
    assert synced["spec"]["primary_key_columns"] == ["complaint_id"]
    assert synced["spec"]["new_pipeline_spec"] == {"storage_catalog": "My_Cat", "storage_schema": "complaints"}
    assert sorted(first.registered) == [("database_catalogs", "my_catcomplaintmanager"),
                                        ("database_instances", "my-catcomplaintmanager"),
                                        ("synced_tables", "My_Cat.complaints.pg_complaint_responses")]
    before = objects(fake)
    again = _run(runtime, tmp_path, "complaint_lakebase", params, TheJobsDDL())
    assert objects(fake) == before and sorted(again.registered) == sorted(first.registered)


def test_responses_land_once_in_postgres_keyed_as_the_synced_table(tmp_path):
    """What pg_complaint_responses holds, on a real PostgreSQL 15: two stream runs at once over the same
    raw complaints (a retried job overlapping the next) write each complaint_id once, error rows
    included, as valid ComplaintResponses."""
    import json
    import sys
    import tempfile
    import threading

    import psycopg

    from compiler.ops.local_postgres import LocalPostgres

    from .conftest import ROOT

    sys.path.insert(0, str(ROOT / "src"))
    from jobs import complaint_stream as cs
    from jobs import scoring

    folder = tempfile.mkdtemp(prefix="caspers-pg-")  # not pytest's: as root the server user must reach it
    server = LocalPostgres(folder).start()
    try:
        server.create_database("caspers_complaints")
        conn = psycopg.connect(host="127.0.0.1", port=server.port, user="caspers", dbname="caspers_complaints",
                               autocommit=True)
        conn.execute("CREATE SCHEMA complaints; CREATE TABLE complaints.pg_complaint_responses ("
                     "complaint_id TEXT PRIMARY KEY, order_id TEXT, ts TIMESTAMPTZ, agent_response TEXT)")
        raws = [cs.RawComplaint(f"c-{i:03d}", f"O{i:03d}", "It came late and cold.", i) for i in range(40)]
        lock = threading.Lock()

        class PostgresSink:  # the synced table's view of complaint_responses: keyed by complaint_id
            def pending(self, cap):
                with lock:
                    done = {r[0] for r in conn.execute("SELECT complaint_id FROM complaints.pg_complaint_responses")}
                return [r for r in raws if r.complaint_id not in done][:cap]

            def merge(self, rows):
                with lock, conn.cursor() as cur:
                    cur.executemany("INSERT INTO complaints.pg_complaint_responses VALUES (%s, %s, now(), %s) "
                                    "ON CONFLICT (complaint_id) DO NOTHING",
                                    [(r.complaint_id, r.order_id, r.agent_response) for r in rows])

        def ask(question):
            order_id = question.rsplit("(Order ID: ", 1)[1].rstrip(")")
            if order_id.endswith("7"):
                return "I would give them a voucher."  # never valid: stored as an escalation
            return json.dumps({"order_id": order_id, "complaint_category": "delivery_delay",
                               "decision": "suggest_credit", "credit_amount": 3.5, "confidence": "high",
                               "priority": None, "rationale": "Late past p75."})

        runs = [threading.Thread(target=scoring.run, args=(PostgresSink(), ask, cs.SCORING,
                                                           scoring.Settings(cap=100, concurrency=4, chunk=5)),
                                 kwargs={"say": lambda text: None}) for _ in range(2)]
        for run in runs:
            run.start()
        for run in runs:
            run.join()
        stored = dict(conn.execute("SELECT complaint_id, agent_response FROM complaints.pg_complaint_responses"))
        assert sorted(stored) == [r.complaint_id for r in raws]
        answers = {k: cs.check(v) for k, v in stored.items()}  # every row is a valid ComplaintResponse
        assert {k for k, a in answers.items() if a["decision"] == "escalate"} == {f"c-{i:03d}" for i in (7, 17, 27, 37)}
        again = scoring.run(PostgresSink(), ask, cs.SCORING, say=lambda text: None)
        assert again.pending == 0
        conn.close()
    finally:
        server.remove()


def test_scorers_name_the_agents_decisions_and_are_registered_for_cleanup(monkeypatch):
    """The original's monitoring guidelines named `investigate`/`auto_credit`, which the agent never
    produces, and its scorers were not registered. Here: the agent's own labels; each scorer tracked
    as `<experiment id>/<name>` (cleanup deletes scorers before experiments); a rerun updates the
    registered scorers instead of registering them again."""
    import types

    from mlflow.genai import scorers

    from stage_runtime import kinds

    complaint_agent = stage("complaint_agent")
    for guideline in complaint_agent.SCORERS.values():
        assert "investigate" not in guideline and "auto_credit" not in guideline
    assert all(label in complaint_agent.SCORERS["complaint_agent_decision_quality"]
               for label in ("suggest_credit", "escalate", "standard", "urgent"))
    assert kinds.get("scorers").order < kinds.get("experiments").order

    registered, calls = {}, []

    class Scorer:
        def __init__(self, name, model):
            self.name, self.model, self.sample_rate = name, model, None

        def register(self, name, experiment_id):
            calls.append(("register", name, experiment_id))
            registered[name] = self
            return self

        def start(self, name, experiment_id, sampling_config):
            calls.append(("start", name, sampling_config.sample_rate))
            self.sample_rate = sampling_config.sample_rate

        def update(self, name, experiment_id, sampling_config):
            calls.append(("update", name, sampling_config.sample_rate))

    def get_scorer(name, experiment_id):
        if name not in registered:
            raise RuntimeError(f"RESOURCE_DOES_NOT_EXIST: scorer {name}")
        return registered[name]

    monkeypatch.setattr(scorers, "get_scorer", get_scorer)
    monkeypatch.setattr(scorers, "Guidelines", lambda name, guidelines, model: Scorer(name, model))
    tracked = []
    ctx = types.SimpleNamespace(name="complaint_agent",
                                track=lambda kind, identity, created=False: tracked.append((kind, identity, created)),
                                owns=lambda kind, identity: (kind, identity, True) in tracked)  # as uc_state keeps it
    complaint_agent.start_scorers(ctx, "42", "llm-x")
    complaint_agent.start_scorers(ctx, "42", "llm-x")
    names = sorted(complaint_agent.SCORERS)
    assert [c for c in calls if c[0] == "register"] == [("register", n, "42") for n in complaint_agent.SCORERS]
    assert sorted(c[1] for c in calls if c[0] == "start") == names  # started once each, then updated
    assert sorted(c[1] for c in calls if c[0] == "update") == names and {c[2] for c in calls if c[0] != "register"} == {0.1}
    # registered by the first run: created; found by the rerun: tracked as found (uc_state keeps "created")
    assert tracked == [("scorers", f"42/{n}", True) for n in complaint_agent.SCORERS] + \
        [("scorers", f"42/{n}", False) for n in complaint_agent.SCORERS]
    # judged by the tracking server's gateway endpoint for the LLM (not a Databricks tracking URI here)
    assert {s.model for s in registered.values()} == {"gateway:/llm-x"}

    # A colleague's scorers already on the experiment: found, tracked as found, and left as they are.
    registered.clear()
    registered.update({n: Scorer(n, "theirs") for n in names})
    calls.clear()
    tracked.clear()
    complaint_agent.start_scorers(ctx, "43", "llm-x")
    assert calls == [] and tracked == [("scorers", f"43/{n}", False) for n in complaint_agent.SCORERS]

    # Any other error of the lookup (a locked store) is raised, never taken as "not registered".
    def locked(name, experiment_id):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(scorers, "get_scorer", locked)
    with pytest.raises(RuntimeError, match="locked"):
        complaint_agent.start_scorers(ctx, "44", "llm-x")
