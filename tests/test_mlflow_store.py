"""The local workspace's experiments API as its MLflow tracking server (local_workspace/mlflow_store.py):
what the SDK creates is what MLflow's own client reads, with the workspace's rules."""

from __future__ import annotations

import pytest

from local_workspace import LocalWorkspace


@pytest.fixture
def workspace(tmp_path):
    ws = LocalWorkspace().start()
    ws.store.config["mlflow_uri"] = "sqlite:///" + str(tmp_path / "mlflow.db")
    from databricks.sdk import WorkspaceClient

    yield ws, WorkspaceClient(host=ws.url, token="any"), ws.store.config["mlflow_uri"]
    ws.stop()


def test_an_experiment_the_sdk_creates_is_mlflows_and_a_delete_keeps_its_name(workspace, tmp_path):
    from databricks.sdk.errors import NotFound, ResourceAlreadyExists
    from mlflow import MlflowClient

    ws, w, uri = workspace
    eid = w.experiments.create_experiment(name="/Shared/x_prod").experiment_id
    seen = MlflowClient(tracking_uri=uri).get_experiment_by_name("/Shared/x_prod")  # MLflow's own reader
    assert seen.experiment_id == eid and seen.tags["mlflow.ownerEmail"] == "tester@example.com"
    assert seen.artifact_location == (tmp_path / "mlflow-artifacts" / eid).as_uri()  # beside the store
    assert ws.store.summary() == {"experiments": [eid]}
    w.experiments.delete_experiment(eid)
    assert ws.store.summary() == {} and w.experiments.get_experiment(eid).experiment.lifecycle_stage == "deleted"
    with pytest.raises(ResourceAlreadyExists):  # a deleted experiment keeps its name taken
        w.experiments.create_experiment(name="/Shared/x_prod")
    with pytest.raises(NotFound):  # deleting it again: it is gone
        w.experiments.delete_experiment(eid)
    w.experiments.restore_experiment(eid)
    assert MlflowClient(tracking_uri=uri).get_experiment(eid).lifecycle_stage == "active"


def test_scorers_register_on_its_experiments_judged_through_its_gateway(workspace):
    from mlflow.genai.scorers import Guidelines
    from mlflow.genai.scorers.registry import MlflowTrackingStore

    ws, w, uri = workspace
    eid = w.experiments.create_experiment(name="/Shared/x_prod").experiment_id
    scorers = MlflowTrackingStore(uri)
    judge = Guidelines(name="g", guidelines=["be kind"], model="gateway:/databricks-meta-llama-3-3-70b-instruct")
    scorers.register_scorer(eid, judge)
    assert ws.store.summary()["scorers"] == [f"{eid}/g"]
    with pytest.raises(Exception, match="GatewayEndpoint not found"):  # only the models it serves are judges
        scorers.register_scorer(eid, Guidelines(name="h", guidelines=["x"], model="gateway:/another-model"))


def test_a_removed_store_is_a_fresh_tracking_server(workspace, tmp_path):
    ws, w, uri = workspace
    w.experiments.create_experiment(name="/Shared/x_dev")
    (tmp_path / "mlflow.db").unlink()  # what destroy-local does once uc_state is empty
    assert ws.store.summary() == {}
    assert w.experiments.create_experiment(name="/Shared/x_dev").experiment_id


def test_what_mlflow_refuses_is_an_api_error_and_there_is_no_default_experiment(workspace):
    from databricks.sdk.errors import InvalidParameterValue, NotFound
    from databricks.sdk.service.ml import ExperimentTag

    ws, w, uri = workspace
    with pytest.raises(InvalidParameterValue):  # MLflow's limit on a tag key: its 400, not a dropped connection
        w.experiments.create_experiment(name="/Shared/tags", tags=[ExperimentTag(key="k" * 300, value="v")])
    with pytest.raises(NotFound):  # MLflow's "Default" (id 0) is not an experiment of a workspace
        w.experiments.get_experiment("0")
    with pytest.raises(NotFound):
        w.experiments.get_by_name("Default")
    w.experiments.create_experiment(name="/Shared/one")
    assert [e.name for e in w.experiments.search_experiments()] == ["/Shared/one"]
