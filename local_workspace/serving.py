"""Model Serving invocations and the SQL Statement Execution API of the stand-in.

- `POST /serving-endpoints/chat/completions` and `/responses` (the routes the OpenAI client uses
  with base_url <host>/serving-endpoints) and `POST /serving-endpoints/<name>/invocations`:
  a foundation model name answers with the scripted model (llm.py: the replies a test scripts); an endpoint of the store
  answers with the agent it serves, loaded with MLflow from `store.config["mlflow_uri"]` (the local
  tracking store the stage logged to), so stream -> agent -> model runs for real; an unknown name is
  a 404, a served endpoint that is not READY a 503.
- `POST /api/2.0/sql/statements` runs on the local Spark engine (sql_engine.py).
- `GET /api/2.1/unity-catalog/models/<name>/versions/<n>` answers from that MLflow registry (where
  stages register versions in local runs), and an endpoint may only serve a UC model that exists
  (and a version the registry holds, when it has one).

Faults apply as everywhere (kind `serving_invocations`, op `invoke`; kind `statements`, op
`execute`), plus `slow` (latency) and `garbage` (the model answers prose).
"""

from __future__ import annotations

import threading
import time
import uuid

from databricks.sdk.service import sql

from . import llm, mlflow_store
from . import wire as W
from .api import _need, route
from .sql_engine import SqlEngine
from .store import ApiError

_AGENTS: dict[tuple[str, str, str], object] = {}
_AGENTS_LOCK = threading.Lock()


def _endpoint(store, name: str) -> dict:
    with store.lock:
        endpoint = store.find("serving_endpoints", name)
    if endpoint is None:
        raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"Endpoint with name '{name}' does not exist.")
    if endpoint.get("state", {}).get("ready") != "READY":
        raise ApiError(503, "TEMPORARILY_UNAVAILABLE", f"Endpoint '{name}' is not ready.")
    return endpoint


def _agent(store, endpoint: dict):
    """The served model, loaded once per (endpoint, entity, version) from the MLflow store."""
    entities = (endpoint.get("config") or {}).get("served_entities") or []
    if not entities:
        raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Endpoint '{endpoint['name']}' serves nothing.")
    entity, version = entities[0]["entity_name"], str(entities[0].get("entity_version") or "1")
    key = (endpoint["name"], entity, version)
    with _AGENTS_LOCK:
        if key not in _AGENTS:
            import mlflow

            uri = store.config.get("mlflow_uri")
            if not uri:
                raise ApiError(503, "TEMPORARILY_UNAVAILABLE", "the stand-in has no MLflow store (mlflow_uri)")
            mlflow_store.current(store)
            _AGENTS[key] = _load_from(mlflow, uri, f"models:/{entity}/{version}")
        return _AGENTS[key]


def _load_from(mlflow, uri: str, model_uri: str):
    """Load with `uri` as MLflow's store, then put the process's MLflow settings back: set_tracking_uri
    also exports MLFLOW_TRACKING_URI, which every later subprocess (a `run-local` of another test)
    would inherit, logging its models into this store."""
    import os

    from mlflow.tracking._model_registry import utils as registry
    from mlflow.tracking._tracking_service import utils as tracking

    saved = {k: os.environ.get(k) for k in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")}
    saved_uris = (tracking._tracking_uri, registry._registry_uri)  # MLflow keeps them as module globals
    try:
        mlflow.set_tracking_uri(uri)
        mlflow.set_registry_uri(uri)
        return mlflow.pyfunc.load_model(model_uri)
    finally:
        tracking._tracking_uri, registry._registry_uri = saved_uris
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _agent_text(store, name: str, user_text: str) -> str:
    answer = _agent(store, _endpoint(store, name)).predict({"input": [{"role": "user", "content": user_text}]})
    output = answer["output"] if isinstance(answer, dict) else answer.output
    item = output[-1] if isinstance(output[-1], dict) else output[-1].model_dump()
    return item["content"][0]["text"]


def _user_text(body: dict) -> str:
    items = body.get("messages") or body.get("input") or []
    if isinstance(items, str):
        return items
    for item in reversed(items):
        if item.get("role") == "user":
            content = item.get("content")
            return " ".join(p.get("text", "") for p in content) if isinstance(content, list) else str(content)
    return ""


def _responses(model: str, text: str) -> dict:
    return {"id": f"resp_{uuid.uuid4().hex}", "object": "response", "created_at": int(time.time()), "model": model,
            "status": "completed", "output": [{"type": "message", "id": f"msg_{uuid.uuid4().hex}", "role": "assistant",
                                                "status": "completed",
                                                "content": [{"type": "output_text", "text": text, "annotations": []}]}]}


def _agent_scripted(store, name: str, text: str) -> str:
    """An endpoint answered without an agent (config `scripted_agents`: {endpoint: [rule, ...]}, the
    rules as llm.py's): the reply its script gives the question, for measuring or testing what calls
    the endpoint. Like the model it holds no policy: a question no rule matches gets text that is not
    JSON, which a caller refuses."""
    script = (store.config.get("scripted_agents") or {}).get(name) or []
    return str(llm.scripted_reply(script, [{"role": "user", "content": text}]).get("content", ""))


def _answer(store, name: str, body: dict, shape: str, fault=None) -> dict:
    garbage = fault is not None and fault.mode == "garbage"
    if name in store.config.get("scripted_agents", ()):
        text = "Sure, a refund sounds fair." if garbage else _agent_scripted(store, name, _user_text(body))
        return llm.completion(name, text) if shape == "chat" else _responses(name, text)
    if llm.is_llm(store, name):
        reply = llm.respond(store, name, body, garbage=garbage)
        return reply if shape == "chat" else _responses(name, reply["choices"][0]["message"]["content"])
    text = "Sure, a refund sounds fair." if garbage else _agent_text(store, name, _user_text(body))
    return llm.completion(name, text) if shape == "chat" else _responses(name, text)


@route("POST", r"/serving-endpoints/chat/completions", "serving_invocations", "invoke", locked=False)
def _chat(store, m, q, b, fault=None):
    return _answer(store, _need(b, "model"), b, "chat", fault)


@route("POST", r"/serving-endpoints/responses", "serving_invocations", "invoke", locked=False)
def _responses_route(store, m, q, b, fault=None):
    return _answer(store, _need(b, "model"), b, "responses", fault)


@route("POST", r"/serving-endpoints/([^/]+)/invocations", "serving_invocations", "invoke", locked=False)
def _invocations(store, m, q, b, fault=None):
    return _answer(store, m.group(1), b, "chat" if "messages" in b else "responses", fault)


# ---- SQL statements ------------------------------------------------------------------------------
_ENGINES: dict[int, tuple[dict, SqlEngine]] = {}


def _engine(store) -> SqlEngine:
    """The workspace's warehouse: its Spark, seeded as configured (no seed: the tables the stages,
    jobs and pipelines wrote through Spark Connect)."""
    from .compute import names

    config = store.config.get("sql") or {}
    with _AGENTS_LOCK:
        current = _ENGINES.get(id(store))
        if current is None or current[0] != config:
            _ENGINES[id(store)] = (dict(config), SqlEngine(config, names(store)))
        return _ENGINES[id(store)][1]


# The Statement Execution API as the platform answers it (see its docs: execute with `wait_timeout`
# 0s or 5-50s; PENDING/RUNNING until done, then the result's first chunk inline and the rest through
# `result/chunks/{n}`). Here a statement runs at once, but its answer can be asynchronous: with
# `wait_timeout=0s`, or for every statement once the control API says so
# (POST /_fake/faults {"kind": "statements", "op": "execute", "mode": "async"}), the execute call
# answers PENDING and `GET /api/2.0/sql/statements/{id}` answers PENDING, RUNNING, then the result
# (`statement_polls` reads, config, default 2). Results are cut into chunks of `statement_chunk_rows`
# rows (config, default 1000).
def _chunks(rows: list, size: int) -> list[list]:
    return [rows[i:i + size] for i in range(0, len(rows), size)] or [[]]


def _result(statement: dict, index: int) -> dict:
    chunks = statement["_chunks"]
    offset = sum(len(c) for c in chunks[:index])
    result = {"chunk_index": index, "row_offset": offset, "row_count": len(chunks[index]), "data_array": chunks[index]}
    if index + 1 < len(chunks):
        result["next_chunk_index"] = index + 1
        result["next_chunk_internal_link"] = f"/api/2.0/sql/statements/{statement['statement_id']}/result/chunks/{index + 1}"
    return result


def _statement_view(statement: dict) -> dict:
    view = {"statement_id": statement["statement_id"], "status": statement["status"]}
    if statement["status"]["state"] == "SUCCEEDED":
        chunks = statement["_chunks"]
        view["manifest"] = {"format": "JSON_ARRAY", "schema": statement["_schema"],
                            "total_row_count": sum(len(c) for c in chunks), "total_chunk_count": len(chunks),
                            "chunks": [{"chunk_index": i, "row_count": len(c)} for i, c in enumerate(chunks)]}
        view["result"] = _result(statement, 0)
    return view


@route("POST", r"/api/2\.0/sql/statements/?", "statements", "execute", locked=False,
       request=W.keys("statement", "warehouse_id", "parameters", "wait_timeout", "on_wait_timeout", "catalog",
                      "schema", "row_limit", "byte_limit", "disposition", "format", "query_tags"),
       response=W.model(sql.StatementResponse))
def _statement(store, m, q, b, fault=None):
    warehouse = _need(b, "warehouse_id")
    with store.lock:
        if store.find("warehouses", warehouse) is None:
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"Warehouse {warehouse} does not exist.")
    statement = {"statement_id": f"stmt-{uuid.uuid4().hex}", "_reads": 0, "_chunks": [[]], "_schema": {}}
    engine = _engine(store)
    if engine is None:
        statement["status"] = {"state": "FAILED", "error": {
            "error_code": "BAD_REQUEST", "message": "[TABLE_OR_VIEW_NOT_FOUND] no data in this workspace"}}
    else:
        parameters = {p["name"]: p.get("value") for p in b.get("parameters") or []}
        try:
            columns, rows = engine.execute(_need(b, "statement"), parameters)
            statement["status"] = {"state": "SUCCEEDED"}
            statement["_schema"] = {"column_count": len(columns), "columns": columns}
            statement["_chunks"] = _chunks(rows, int(store.config.get("statement_chunk_rows", 1000)))
        except Exception as err:  # noqa: BLE001 - a SQL error is the statement's result, as on a warehouse
            statement["status"] = {"state": "FAILED", "error": {"error_code": "BAD_REQUEST",
                                                                 "message": str(err).splitlines()[0][:500]}}
    with store.lock:
        store.put("_statements", statement["statement_id"], statement)
    if (fault is not None and fault.mode == "async") or str(b.get("wait_timeout") or "").strip() == "0s":
        statement["_final"], statement["status"] = statement["status"], {"state": "PENDING"}
        return {"statement_id": statement["statement_id"], "status": {"state": "PENDING"}}
    return _statement_view(statement)


@route("GET", r"/api/2\.0/sql/statements/([^/]+)", "statements", "get", response=W.model(sql.StatementResponse))
def _statement_get(store, m, q, b):
    statement = store.get("_statements", m.group(1), f"Statement {m.group(1)}")
    if "_final" in statement:
        statement["_reads"] += 1
        if statement["_reads"] >= store.config.get("statement_polls", 2):
            statement["status"] = statement.pop("_final")
        elif statement["_reads"] >= 1:
            statement["status"] = {"state": "RUNNING"}
    return _statement_view(statement)


@route("GET", r"/api/2\.0/sql/statements/([^/]+)/result/chunks/([0-9]+)", "statements", "get",
       response=W.model(sql.ResultData))
def _statement_chunk(store, m, q, b):
    statement = store.get("_statements", m.group(1), f"Statement {m.group(1)}")
    index = int(m.group(2))
    if statement["status"]["state"] != "SUCCEEDED" or index >= len(statement["_chunks"]):
        raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"Chunk {index} of statement {m.group(1)} does not exist.")
    return _result(statement, index)


@route("POST", r"/api/2\.0/sql/statements/([^/]+)/cancel", "statements", "update")
def _statement_cancel(store, m, q, b):
    statement = store.get("_statements", m.group(1), f"Statement {m.group(1)}")
    if "_final" in statement:
        statement.pop("_final")
        statement["status"] = {"state": "CANCELED"}
    return {}


# ---- Unity Catalog model versions ----------------------------------------------------------------
def registry_version(store, full_name: str, version: str) -> dict | None:
    """A version of a UC model, from the MLflow registry behind the stand-in (`mlflow_uri`: where
    the stages register versions locally), or None."""
    uri = store.config.get("mlflow_uri")
    if not uri:
        return None
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    mlflow_store.current(store)
    try:
        found = MlflowClient(tracking_uri=uri, registry_uri=uri).get_model_version(full_name, str(version))
    except MlflowException:
        return None
    catalog, schema, name = full_name.split(".", 2)
    return {"model_name": full_name, "catalog_name": catalog, "schema_name": schema, "version": int(found.version),
            "source": found.source, "run_id": found.run_id, "status": "READY", "created_at": found.creation_timestamp}


@route("GET", r"/api/2\.1/unity-catalog/models/([^/]+)/versions/([0-9]+)", "model_versions", "get", locked=False)
def _model_version_get(store, m, q, b):
    from urllib.parse import unquote

    full_name = unquote(m.group(1))
    with store.lock:
        store.get("registered_models", full_name, f"registered_models '{full_name}'")
    found = registry_version(store, full_name, m.group(2))
    if found is None:
        raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"Model version {full_name}/{m.group(2)} does not exist.")
    return found
