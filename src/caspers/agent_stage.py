"""What the agent stages share (refunder_agent, complaint_agent): the LLM check, the warehouse
their tools run on, the bounded wait for delivered orders to evaluate on, publishing a model and
the served entity. Stages stay the list of their steps; the steps live here."""

from __future__ import annotations

from stage_runtime.waits import wait_until

DELIVERED_TIMEOUT_S = 600


def check_llm(ctx, name):
    """A clear error for an LLM_MODEL that no endpoint of the workspace serves."""
    from databricks.sdk.errors import NotFound

    try:
        ctx.workspace.serving_endpoints.get(name)
    except NotFound:
        raise ValueError(f"parameter LLM_MODEL: no serving endpoint named {name!r} in this workspace; pick a "
                         "foundation model endpoint listed under Serving (e.g. "
                         "databricks-meta-llama-3-3-70b-instruct)") from None


def warehouse_options():
    from databricks.sdk.service.sql import CreateWarehouseRequestWarehouseType

    return {"cluster_size": "2X-Small", "min_num_clusters": 1, "max_num_clusters": 1, "auto_stop_mins": 10,
            "enable_serverless_compute": True, "warehouse_type": CreateWarehouseRequestWarehouseType.PRO}


def delivered_orders(ctx, catalog, n=10):
    """Up to `n` delivered order ids, newest first, waiting (bounded) for the first one; [] locally."""
    if not ctx.needs_spark(f"wait for a delivered order in {catalog}.lakeflow.all_events"):
        return []
    table = ".".join(f"`{part.replace('`', '``')}`" for part in (catalog, "lakeflow", "all_events"))

    def found():
        try:
            rows = ctx.sql(f"SELECT order_id FROM {table} WHERE event_type = 'delivered' "
                           "ORDER BY ts DESC LIMIT :n", n=n).collect()
        except Exception as err:  # noqa: BLE001 - the table may not exist yet: keep waiting
            if "TABLE_OR_VIEW_NOT_FOUND" not in str(err):
                raise
            return None
        return [row["order_id"] for row in rows]

    return wait_until(found, f"a delivered order in {catalog}.lakeflow.all_events", DELIVERED_TIMEOUT_S, 30,
                      hint=f"check the pipeline 'Order Items Medallion Pipeline ({catalog})' and the job "
                           f"'Canonical Data Replay ({catalog})': the agent is evaluated on delivered orders")


# What databricks-agents' deploy() sets on an agent's served entity (traces on, request ids returned);
# its MLFLOW_EXPERIMENT_ID names where the traces go.
TRACING_ENVIRONMENT = {"ENABLE_MLFLOW_TRACING": "true", "RETURN_REQUEST_ID_IN_RESPONSE": "true"}
MONITOR_TAG = "MONITOR_EXPERIMENT_ID"  # the endpoint tag deploy() sets: the experiment monitoring reads


def served_entity(full_name, version, environment=None):
    from databricks.sdk.service.serving import ServedEntityInput

    # Medium serves 8-16 requests at once: the streams call an agent 16 at a time (src/jobs/scoring.py).
    return ServedEntityInput(entity_name=full_name, entity_version=version, workload_size="Medium",
                             scale_to_zero_enabled=False, environment_vars=environment or None)


def agent_entity(full_name, version, experiment_id):
    """The served entity as databricks-agents deploys an agent: tracing into `experiment_id`."""
    return served_entity(full_name, version, {**TRACING_ENVIRONMENT, "MLFLOW_EXPERIMENT_ID": experiment_id})


def ensure_agent_serving(ctx, endpoint, full_name, experiment_id):
    """What else databricks-agents' deploy() gives a READY agent endpoint, through the SDK (the
    package's deploy needs its private deployment service, which nothing local answers):
    - inference tables: the AI Gateway logs every request and response to Delta tables in the
      model's schema, prefixed with the model's name (<catalog>.ai.<model>_payload...);
    - the MONITOR_EXPERIMENT_ID tag naming the experiment its traces and monitors use.
    Each is set only when missing, so a rerun sends nothing. (The review app that deploy() also
    registers is the Databricks Agents service's own; docs/agents.md says how to open one.)"""
    from databricks.sdk.service.serving import AiGatewayInferenceTableConfig, EndpointTag

    w = ctx.workspace
    catalog, schema, model = full_name.split(".")
    found = w.serving_endpoints.get(endpoint)
    tables = found.ai_gateway.inference_table_config if found.ai_gateway else None
    if not (tables and tables.enabled):
        w.serving_endpoints.put_ai_gateway(endpoint, inference_table_config=AiGatewayInferenceTableConfig(
            catalog_name=catalog, schema_name=schema, table_name_prefix=model, enabled=True))
    if not any(t.key == MONITOR_TAG and t.value == experiment_id for t in found.tags or []):
        w.serving_endpoints.patch(endpoint, add_tags=[EndpointTag(key=MONITOR_TAG, value=experiment_id)])


def publish_agent(ctx, package, full_name, experiment, config, tools, questions, check, example=None):
    """Log `agents/<package>/model.py` with `config` into `experiment`, evaluate it on `questions`
    with `check` and (on a workspace) on its labelled set, register it as a version of `full_name` (once per fingerprint: agents/common/
    publish.py). Its resources: the LLM endpoint, the warehouse and its UC functions `tools`."""
    from mlflow.models.resources import DatabricksFunction, DatabricksServingEndpoint, DatabricksSQLWarehouse

    from agents.common.publish import AgentModel, publish

    catalog, schema = full_name.split(".")[:2]
    model = AgentModel(
        full_name=full_name, experiment=experiment,
        model_file=ctx.bundle_path("agents", package, "model.py"), code_dir=ctx.bundle_path("agents"), config=config,
        resources=(DatabricksServingEndpoint(endpoint_name=config["llm_endpoint"]),
                   DatabricksSQLWarehouse(warehouse_id=config["warehouse_id"]),
                   *(DatabricksFunction(function_name=f"{catalog}.{schema}.{name}") for name in tools)))
    # The labelled evaluation set also runs against LLM_MODEL, its results attached to the logged model
    # (a report, not a gate). Locally that model is the workspace's scripted one: the run proves the
    # evaluation's plumbing, and its numbers measure the script, which the stage says.
    if ctx.local:
        print(f"[{ctx.name}] the labelled evaluation runs against the local workspace's scripted model: its "
              "numbers measure the script, not the agent (`make eval` judges the agent against a real model)")
    return publish(model, questions, check=check, labelled=package, **({"example": example} if example else {}))
