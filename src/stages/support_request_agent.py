"""Stage `support_request_agent` (task Support_Request_Agent).

Publishes the support agent (src/agents/support/) and serves it:
1. the `ai` schema, a serverless SQL warehouse its tools run on, the table
   <catalog>.support.support_agent_reports (the stream's own DDL, Change Data Feed on: this stage is its
   declared producer, so every reader is ordered after it, and no stub is made ahead of anyone), and
   the support SQL tools (names of their own: src/agents/support/sql.py);
2. a bounded wait for delivered orders, and evaluation cases made from them with the generator's
   own requests (src/jobs/support_generator.py);
3. the experiments /Shared/<catalog>_support_agent_dev and ..._prod (found or created), the Unity
   Catalog model <catalog>.ai.support_agent and a version logged, evaluated and registered once per
   fingerprint (the original registered without evaluating);
4. the endpoint SUPPORT_AGENT_ENDPOINT_NAME on that version (traces into the prod experiment) and a
   bounded wait until it is READY, then its inference tables and monitoring tag (as databricks-agents
   deploys an agent).
Locally the SQL, the wait for data and the evaluation are skipped (they need Spark).
"""

from caspers import agent_stage
from caspers.agent_stage import agent_entity, check_llm, delivered_orders, warehouse_options
from stage_runtime.ensure import (ensure_experiment, ensure_registered_model, ensure_schema,
                                  ensure_serving_endpoint, ensure_warehouse)
from stage_runtime.waits import wait_for_endpoint

SCHEMA, MODEL = "ai", "support_agent"
ENDPOINT_TIMEOUT_S = 1800
EVALUATION_ORDERS = 12


def run(ctx):
    catalog = ctx.params["CATALOG"]
    simulator_schema = ctx.params["SIMULATOR_SCHEMA"]
    llm_model = ctx.params["LLM_MODEL"]
    endpoint = ctx.params["SUPPORT_AGENT_ENDPOINT_NAME"]

    check_llm(ctx, llm_model)
    ensure_schema(ctx, catalog, SCHEMA)
    warehouse_id = ensure_warehouse(ctx, f"{catalog}-support-agent-warehouse", **warehouse_options())
    if ctx.needs_spark(f"create {catalog}.support.support_agent_reports and the support SQL tools"):
        from agents.support import sql
        from jobs.support_delta import ReportSink

        ReportSink(ctx.spark, catalog).ensure()
        for _, statement in sql.statements(catalog, simulator_schema):
            ctx.sql(statement)
    cases = evaluation_cases(delivered_orders(ctx, catalog, EVALUATION_ORDERS))

    dev = f"/Shared/{catalog}_{MODEL}_dev"
    ensure_experiment(ctx, dev)
    prod_id = ensure_experiment(ctx, f"/Shared/{catalog}_{MODEL}_prod")
    full_name = ensure_registered_model(ctx, catalog, SCHEMA, MODEL, comment="The support agent")
    published = publish_agent(ctx, full_name, dev, catalog, llm_model, warehouse_id, cases)

    ensure_serving_endpoint(ctx, endpoint, [agent_entity(full_name, published.version, prod_id)])
    wait_for_endpoint(ctx.workspace, endpoint, ENDPOINT_TIMEOUT_S,
                      hint=f"a first deployment takes 15-20 minutes; the endpoint serves {full_name} "
                           f"version {published.version}")
    agent_stage.ensure_agent_serving(ctx, endpoint, full_name, prod_id)


def example_case(order_id, now=None):
    """The case the stream would send for an order's first generated request."""
    from datetime import datetime, timezone

    from jobs.support_generator import requests_for
    from jobs.support_stream import SupportCase

    r = requests_for(order_id, now or datetime(2024, 1, 1, tzinfo=timezone.utc))[0]
    return SupportCase(r.support_request_id, r.user_id, r.order_id, r.ts, r.request_type, r.request_text,
                       r.edge_case_type).payload()


def evaluation_cases(orders):
    return [example_case(order_id) for order_id in orders]


def publish_agent(ctx, full_name, experiment, catalog, llm_model, warehouse_id, questions):
    from agents.support import sql
    from agents.support.agent import check_report

    config = {"catalog": catalog, "llm_endpoint": llm_model, "warehouse_id": warehouse_id}
    return agent_stage.publish_agent(ctx, "support", full_name, experiment, config, sql.TOOLS, questions,
                                     check=lambda text: "escalated" if check_report(text)["escalation_flag"] else "offer",
                                     example=example_case("none-yet"))
