"""Stage `refunder_agent` (task Refund_Recommender_Agent).

Publishes RefundGPT, the refund agent (src/agents/refund/), and serves it:
1. the `ai` schema, a serverless SQL warehouse the agent's tools run on, and the refund SQL tools
   (three functions and a view, src/agents/refund/sql.py) over all_events and the locations;
2. a bounded wait for a delivered order in all_events, whose ids the agent is evaluated on;
3. the experiment /Shared/<catalog>_refund_agent, the Unity Catalog model <catalog>.ai.refund_agent,
   and a version of it logged, evaluated and registered (reused when code and config are unchanged,
   src/agents/common/publish.py);
4. the serving endpoint REFUND_AGENT_ENDPOINT_NAME on that version (traces into the experiment), a
   bounded wait until it is READY (a first deployment takes 15-20 minutes), then its inference
   tables and monitoring tag, as databricks-agents deploys an agent (caspers/agent_stage.py).

Locally (no Spark, nothing executes SQL or serves models): the SQL objects, the wait for data and the
evaluation are skipped; the model is logged to the local MLflow store and the stand-in serves it.
"""

from caspers import agent_stage
from caspers.agent_stage import agent_entity, check_llm, delivered_orders, warehouse_options
from stage_runtime.ensure import (ensure_experiment, ensure_registered_model, ensure_schema,
                                  ensure_serving_endpoint, ensure_warehouse)
from stage_runtime.waits import wait_for_endpoint

SCHEMA, MODEL = "ai", "refund_agent"
ENDPOINT_TIMEOUT_S = 1800
EVALUATION_ORDERS = 10


def run(ctx):
    catalog = ctx.params["CATALOG"]
    simulator_schema = ctx.params["SIMULATOR_SCHEMA"]
    llm_model = ctx.params["LLM_MODEL"]
    endpoint = ctx.params["REFUND_AGENT_ENDPOINT_NAME"]

    check_llm(ctx, llm_model)
    ensure_schema(ctx, catalog, SCHEMA)
    warehouse_id = ensure_warehouse(ctx, f"{catalog}-refund-agent-warehouse", **warehouse_options())
    if ctx.needs_spark(f"create the refund SQL tools in {catalog}.{SCHEMA}"):
        from agents.refund import sql

        for _, statement in sql.statements(catalog, simulator_schema):
            ctx.sql(statement)
    orders = delivered_orders(ctx, catalog, EVALUATION_ORDERS)

    experiment = f"/Shared/{catalog}_{MODEL}"
    experiment_id = ensure_experiment(ctx, experiment)
    full_name = ensure_registered_model(ctx, catalog, SCHEMA, MODEL, comment="RefundGPT, the refund agent")
    published = publish_agent(ctx, full_name, experiment, catalog, llm_model, warehouse_id,
                              [f"Order id: {order_id}" for order_id in orders])

    ensure_serving_endpoint(ctx, endpoint, [agent_entity(full_name, published.version, experiment_id)])
    wait_for_endpoint(ctx.workspace, endpoint, ENDPOINT_TIMEOUT_S,
                      hint=f"a first deployment takes 15-20 minutes; the endpoint serves {full_name} "
                           f"version {published.version}")
    agent_stage.ensure_agent_serving(ctx, endpoint, full_name, experiment_id)


def publish_agent(ctx, full_name, experiment, catalog, llm_model, warehouse_id, questions):
    from agents.common.answers import parse_answer
    from agents.refund import sql
    from agents.refund.agent import FIELDS

    config = {"catalog": catalog, "llm_endpoint": llm_model, "warehouse_id": warehouse_id}
    return agent_stage.publish_agent(ctx, "refund", full_name, experiment, config, sql.TOOLS, questions,
                                     check=lambda text: parse_answer(text, FIELDS)["refund_class"])
