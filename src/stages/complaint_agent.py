"""Stage `complaint_agent` (task Complaint_Agent).

Publishes the complaint triage agent (src/agents/complaint/) and serves it:
1. the `ai` schema, a serverless SQL warehouse its tools run on, and the complaint SQL tools (three
   functions and a view of their own names, src/agents/complaint/sql.py);
2. a bounded wait for delivered orders, and evaluation questions made from them: a generated
   complaint per order (src/jobs/complaint_generator.py) and escalation cases;
3. the experiments /Shared/<catalog>_complaint_agent_dev (runs, evaluation) and ..._prod (the
   endpoint's traces), found or created, so a rerun registers nothing again; the Unity Catalog model
   <catalog>.ai.complaint_agent and a version logged, evaluated and registered once per fingerprint;
4. the endpoint COMPLAINT_AGENT_ENDPOINT_NAME on that version (tracing into the prod experiment) and a
   bounded wait until it is READY, then its inference tables and monitoring tag (as databricks-agents
   deploys an agent);
5. two monitoring scorers on the prod experiment whose guidelines name the decisions the agent
   really makes (suggest_credit, escalate), registered in uc_state for cleanup. Their judge is the
   platform's on Databricks; on the local workspace's MLflow store, its gateway endpoint for LLM_MODEL.

Locally the workspace's compute runs the SQL objects, its scripted model answers the evaluation, its
MLflow store (the one the experiments API answers from) holds the runs, model and scorers, and its
stand-in serves the model; nothing samples traces into the scorers there (no online scoring jobs).
"""

from caspers import agent_stage
from caspers.agent_stage import agent_entity, check_llm, delivered_orders, warehouse_options
from stage_runtime.ensure import (ensure_experiment, ensure_registered_model, ensure_schema,
                                  ensure_serving_endpoint, ensure_warehouse)
from stage_runtime.waits import wait_for_endpoint

SCHEMA, MODEL = "ai", "complaint_agent"
ENDPOINT_TIMEOUT_S = 1800
EVALUATION_ORDERS = 12
ESCALATIONS = ("I'm calling my lawyer about this terrible service!", "The driver was extremely rude to me.",
               "This food made me sick, possible food poisoning.")
SCORERS = {  # name -> guideline; the labels are the agent's own (the original's named labels it never produces)
    "complaint_agent_decision_quality": (
        "The response's decision is suggest_credit or escalate. A suggest_credit gives a numeric credit_amount and a "
        "confidence and no priority; an escalate gives a priority (standard or urgent) and neither a credit_amount "
        "nor a confidence. Legal threats, health or safety issues and abuse are escalated as urgent."),
    "complaint_agent_credit_reason": (
        "A suggest_credit response's rationale cites the evidence behind the amount: the delivery minutes against "
        "the kitchen's percentiles for a delay, the missing item's price, or the order total for food quality."),
}


def run(ctx):
    catalog = ctx.params["CATALOG"]
    simulator_schema = ctx.params["SIMULATOR_SCHEMA"]
    llm_model = ctx.params["LLM_MODEL"]
    endpoint = ctx.params["COMPLAINT_AGENT_ENDPOINT_NAME"]

    check_llm(ctx, llm_model)
    ensure_schema(ctx, catalog, SCHEMA)
    warehouse_id = ensure_warehouse(ctx, f"{catalog}-complaint-agent-warehouse", **warehouse_options())
    if ctx.needs_spark(f"create the complaint SQL tools in {catalog}.{SCHEMA}"):
        from agents.complaint import sql

        for _, statement in sql.statements(catalog, simulator_schema):
            ctx.sql(statement)
    questions = evaluation_questions(delivered_orders(ctx, catalog, EVALUATION_ORDERS))

    dev = f"/Shared/{catalog}_{MODEL}_dev"
    prod = f"/Shared/{catalog}_{MODEL}_prod"
    ensure_experiment(ctx, dev)
    prod_id = ensure_experiment(ctx, prod)
    full_name = ensure_registered_model(ctx, catalog, SCHEMA, MODEL, comment="The complaint triage agent")
    published = publish_agent(ctx, full_name, dev, catalog, llm_model, warehouse_id, questions)

    ensure_serving_endpoint(ctx, endpoint, [agent_entity(full_name, published.version, prod_id)])
    wait_for_endpoint(ctx.workspace, endpoint, ENDPOINT_TIMEOUT_S,
                      hint=f"a first deployment takes 15-20 minutes; the endpoint serves {full_name} "
                           f"version {published.version}")
    agent_stage.ensure_agent_serving(ctx, endpoint, full_name, prod_id)
    start_scorers(ctx, prod_id, llm_model)


def evaluation_questions(orders):
    """A generated complaint for each delivered order, and the escalation cases on the first ones."""
    from agents.complaint.agent import question
    from jobs.complaint_generator import template_text

    asked = [question(template_text(order_id), order_id) for order_id in orders]
    return asked + [question(text, order_id) for text, order_id in zip(ESCALATIONS, orders)]


def publish_agent(ctx, full_name, experiment, catalog, llm_model, warehouse_id, questions):
    from agents.common.answers import parse_answer
    from agents.complaint import sql
    from agents.complaint.agent import FIELDS, RULES

    config = {"catalog": catalog, "llm_endpoint": llm_model, "warehouse_id": warehouse_id}
    return agent_stage.publish_agent(ctx, "complaint", full_name, experiment, config, sql.TOOLS, questions,
                                     check=lambda text: parse_answer(text, FIELDS, RULES)["decision"],
                                     example="My order arrived late and cold. (Order ID: none-yet)")



def start_scorers(ctx, experiment_id, llm_model):
    """Each scorer registered (or updated) on the prod experiment, sampling 10% of the traces. One this
    run registers is ours; one found under the name is adopted, and left as it is unless uc_state
    holds it as ours (stages update only what they own)."""
    from mlflow.genai.scorers import Guidelines, ScorerSamplingConfig, get_scorer

    sampling = ScorerSamplingConfig(sample_rate=0.1)
    judge = judge_model(llm_model)
    for name, guideline in SCORERS.items():
        identity = f"{experiment_id}/{name}"
        try:
            found = get_scorer(name=name, experiment_id=experiment_id)
        except Exception as err:  # noqa: BLE001 - MLflow's own error for a name not registered yet, or another
            if not _scorer_not_found(err):
                raise
            found = None
        registered = found is None
        if registered:
            found = _register(Guidelines(name=name, guidelines=[guideline], model=judge), name, experiment_id)
        ctx.track("scorers", identity, created=registered)
        if not registered and not ctx.owns("scorers", identity):
            print(f"[{ctx.name}] scorer {identity} was there before and is not ours: left as it is")
            continue
        found.update(name=name, experiment_id=experiment_id, sampling_config=sampling) if found.sample_rate \
            else found.start(name=name, experiment_id=experiment_id, sampling_config=sampling)


def _scorer_not_found(err: BaseException) -> bool:
    """MLflow's answer for a scorer name not registered on the experiment (RESOURCE_DOES_NOT_EXIST, or
    Databricks' "not found"); a locked database or a refused call is not that."""
    text = str(err)
    return "RESOURCE_DOES_NOT_EXIST" in text or getattr(err, "error_code", "") == "RESOURCE_DOES_NOT_EXIST" \
        or "not found" in text.lower()


def _register(scorer, name: str, experiment_id: str):
    """Register `scorer`; an experiment MLflow does not know means the workspace's experiments and
    this process's MLflow store are two stores (only possible off Databricks), which the error says."""
    try:
        return scorer.register(name=name, experiment_id=experiment_id)
    except Exception as err:
        if "No Experiment with id" not in str(err):
            raise
        import mlflow

        raise RuntimeError(f"the workspace's experiment {experiment_id} is not in MLflow's tracking store "
                           f"{mlflow.get_tracking_uri()}: point the workspace at that store (`python -m "
                           f"local_workspace --mlflow-uri`, as `make workspace` does) or MLFLOW_TRACKING_URI at "
                           f"the workspace's") from err


def judge_model(llm_model: str) -> str | None:
    """The scorers' judge: on Databricks the platform's own (None); an MLflow tracking server (the local
    workspace's) judges through its AI gateway, where the endpoint named as the LLM calls it."""
    import mlflow
    from mlflow.utils.uri import is_databricks_uri

    return None if is_databricks_uri(mlflow.get_tracking_uri()) else f"gateway:/{llm_model}"
