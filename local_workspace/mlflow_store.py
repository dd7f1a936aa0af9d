"""The workspace's MLflow tracking server: its experiments API answers from an MLflow SQL store.

On Databricks, `/api/2.0/mlflow/experiments/*` is the MLflow tracking server of the workspace: an
experiment the SDK creates is the one `mlflow.set_experiment` logs runs into and whose scorers
(`mlflow.genai.scorers`) sample traces. To be that here, when `store.config["mlflow_uri"]` is a
SQLite store (`make workspace` and `make run-local` share build/.local/mlflow.db), the experiment
routes read and write MLflow's own `SqlAlchemyStore`, so ids, names and the soft delete are MLflow's,
and a stage's MLflow client sees the same experiments. Any other `mlflow_uri` (a file store, which
has no scorer registry) keeps the experiments in the workspace's memory (api.py).

Also here, what Databricks provides for judges: on a Databricks tracking URI a scorer's judge is the
platform's; an MLflow server's judges call models through its AI gateway, so the workspace registers
a gateway endpoint for each foundation model it serves (llm.py), named as the model, calling its
own OpenAI-compatible `/serving-endpoints` route.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Any

from .store import ApiError, already_exists, not_found

OWNER_TAG = "mlflow.ownerEmail"  # what a workspace sets on an experiment: who created it
DEFAULT_EXPERIMENT = "0"  # MLflow makes "Default" when it creates a store; nobody created it through the API
VIEWS = ("ACTIVE_ONLY", "DELETED_ONLY", "ALL")  # ml.ViewType


def tracking_store(store) -> Any | None:
    """The MLflow SQL store behind the experiments API, or None (experiments kept in memory)."""
    uri = store.config.get("mlflow_uri") or ""
    if not uri.startswith("sqlite:///"):
        return None
    cached = store.mlflow_sql
    if cached and cached[0] == (uri, _inode(_path(uri))):
        return cached[1]
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    forget_engines(uri)
    path = _path(uri)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    sql = SqlAlchemyStore(uri, "file:" + os.path.join(os.path.dirname(path), "mlflow-artifacts"))
    _register_judges(store, sql)
    store.mlflow_sql = ((uri, _inode(path)), sql)
    return sql


def forget_engines(uri: str) -> None:
    """Close MLflow's pooled connections to `uri`. MLflow keeps one engine per URI for the process
    (tracking and registry stores alike); after a destroy-local removed the SQLite file, their open
    connections would still read the removed file, so a new store must start from new ones."""
    from mlflow.store.model_registry.sqlalchemy_store import SqlAlchemyStore as Registry
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore as Tracking

    for kind in (Tracking, Registry):
        with kind._engine_map_lock:
            engine = kind._engine_map.pop(uri, None)
        if engine is not None:
            engine.dispose()


def current(store) -> None:
    """Before reading MLflow's store by other means (the serving stand-in): a removed or replaced
    SQLite file is a fresh tracking server, not the old one's pooled connections."""
    if (store.config.get("mlflow_uri") or "").startswith("sqlite:///"):
        tracking_store(store)


def _path(uri: str) -> str:
    return uri[len("sqlite:///"):]


def _inode(path: str) -> int | None:
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


def as_wire(exp) -> dict:
    """An MLflow Experiment as the REST API returns it (ml.Experiment's fields)."""
    return {"experiment_id": exp.experiment_id, "name": exp.name, "lifecycle_stage": exp.lifecycle_stage,
            "artifact_location": exp.artifact_location, "creation_time": exp.creation_time,
            "last_update_time": exp.last_update_time,
            "tags": [{"key": k, "value": v} for k, v in sorted(exp.tags.items())]}


def create(sql, me: str, name: str, tags: list) -> dict:
    from mlflow.entities import ExperimentTag

    if not isinstance(name, str):
        raise ApiError(400, "INVALID_PARAMETER_VALUE", f"name must be a string, got {name!r}")

    if sql.get_experiment_by_name(name) is not None:  # deleted ones keep their name taken, as on a workspace
        raise already_exists(f"Experiment '{name}'")
    given = [ExperimentTag(t["key"], str(t.get("value", ""))) for t in tags
             if isinstance(t, dict) and t.get("key") and t.get("key") != OWNER_TAG]
    return {"experiment_id": sql.create_experiment(name, tags=[ExperimentTag(OWNER_TAG, me), *given])}


def get(sql, experiment_id) -> Any:
    from mlflow.exceptions import MlflowException

    if str(experiment_id) == DEFAULT_EXPERIMENT:  # a workspace has no "Default" experiment
        raise not_found(f"Experiment with id '{experiment_id}'")
    try:
        return sql.get_experiment(str(experiment_id))
    except MlflowException:
        raise not_found(f"Experiment with id '{experiment_id}'") from None


@contextmanager
def answered_as_api_errors():
    """MLflow's refusals (a name too long, a bad tag, a race to create) as the REST API answers them:
    their status and error code, never a dropped connection."""
    from mlflow.exceptions import MlflowException

    try:
        yield
    except MlflowException as err:
        raise ApiError(err.get_http_status_code(), err.error_code, err.message) from None


def get_by_name(sql, name: str) -> dict:
    found = sql.get_experiment_by_name(name or "")
    if found is None or found.experiment_id == DEFAULT_EXPERIMENT:
        raise not_found(f"Experiment '{name}'")
    return as_wire(found)


def delete(sql, experiment_id) -> None:
    if get(sql, experiment_id).lifecycle_stage == "deleted":
        raise not_found(f"Experiment with id '{experiment_id}'")
    sql.delete_experiment(str(experiment_id))


def restore(sql, experiment_id) -> None:
    if get(sql, experiment_id).lifecycle_stage == "deleted":
        sql.restore_experiment(str(experiment_id))


def search(sql, view: str) -> list[dict]:
    from mlflow.entities import ViewType

    if view not in VIEWS:
        raise ApiError(400, "INVALID_PARAMETER_VALUE", f"view_type must be one of {', '.join(VIEWS)}, got {view!r}")
    found = sql.search_experiments(view_type=ViewType.from_string(view.lower()), max_results=50000)
    return [as_wire(e) for e in found if e.experiment_id != DEFAULT_EXPERIMENT]


def objects(store) -> dict[str, dict[str, dict]]:
    """What MLflow's store holds, as GET /_fake/objects?detail=1 shows objects: every experiment (the
    Default one aside; deleted ones say so) and the scorers registered on them, `<experiment id>/<name>`."""
    uri = store.config.get("mlflow_uri") or ""
    if not uri.startswith("sqlite:///") or not os.path.exists(_path(uri)):  # looking makes no store
        return {}
    sql = tracking_store(store)
    experiments = {e["experiment_id"]: e for e in search(sql, "ALL")}
    scorers = {f"{eid}/{s.scorer_name}": {"experiment_id": eid, "name": s.scorer_name, "version": s.scorer_version,
                                          "lifecycle_stage": experiments[eid]["lifecycle_stage"]}
               for eid in sorted(experiments) if experiments[eid]["lifecycle_stage"] == "active"
               for s in sql.list_scorers(eid)}  # MLflow lists only an active experiment's
    return {kind: found for kind, found in (("experiments", experiments), ("scorers", scorers)) if found}


def _register_judges(store, sql) -> None:
    """A gateway endpoint per served foundation model (see the module's docstring); kept if present."""
    from mlflow.entities import GatewayEndpointModelConfig, GatewayModelLinkageType
    from mlflow.exceptions import MlflowException

    from .llm import served_models

    for model in served_models(store):
        try:
            sql.get_gateway_endpoint(name=model)
            continue
        except MlflowException:
            pass
        secret = sql.create_gateway_secret(secret_name=f"{model}-token", secret_value={"api_key": "local-judge"},
                                           provider="openai", auth_config={"api_base": store.url + "/serving-endpoints"})
        definition = sql.create_gateway_model_definition(name=model, secret_id=secret.secret_id, provider="openai",
                                                         model_name=model)
        sql.create_gateway_endpoint(name=model, model_configs=[GatewayEndpointModelConfig(
            model_definition_id=definition.model_definition_id, linkage_type=GatewayModelLinkageType.PRIMARY)],
            usage_tracking=False)
