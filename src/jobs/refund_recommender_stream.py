# Databricks notebook source
# MAGIC %md
# MAGIC ## Refund recommender stream
# MAGIC
# MAGIC Run every 10 minutes by the job `Refund Recommender Stream (<catalog>)` that stage `refunder_stream`
# MAGIC creates. Scores every delivered order not yet scored, exactly once, with the refund agent's endpoint,
# MAGIC into `<catalog>.recommender.refund_recommendations`. The logic is `refund_stream.py` (tested); this
# MAGIC notebook only reads its parameters and wires Spark and the endpoint to it.

# COMMAND ----------

# MAGIC %pip install --quiet openai==3.57.0 databricks-sdk==0.162.0

# COMMAND ----------

# MAGIC %restart_python

# COMMAND ----------

import os
import sys

sys.path.append(os.path.abspath(os.path.join(os.getcwd(), "..")))  # the bundle root: agents/, jobs/

from agents.common.clients import openai_client, workspace  # noqa: E402
from jobs.refund_delta import DeltaSink  # noqa: E402
from jobs.refund_stream import Settings, endpoint_asker, run  # noqa: E402
from jobs.scoring import SCHEDULED_BUDGET_S, SCHEDULED_ROUND  # noqa: E402

CATALOG = dbutils.widgets.get("CATALOG")  # noqa: F821 - provided by Databricks
ENDPOINT = dbutils.widgets.get("REFUND_AGENT_ENDPOINT_NAME")  # noqa: F821
CAP = int(dbutils.widgets.get("MAX_ORDERS_PER_RUN"))  # noqa: F821

# COMMAND ----------

sink = DeltaSink(spark, CATALOG)  # noqa: F821
sink.ensure()
summary = run(sink, endpoint_asker(openai_client(workspace()), ENDPOINT),
              Settings(cap=CAP, budget_s=SCHEDULED_BUDGET_S, round_size=SCHEDULED_ROUND))
if summary.pending and not summary.scored:
    raise RuntimeError(f"no order could be scored: {summary.problems[:3]}")
