# Databricks notebook source
# MAGIC %md
# MAGIC ## Complaint agent stream
# MAGIC
# MAGIC Run every 10 minutes by the job `Complaint Agent Stream (<catalog>)` that stage `complaint_agent_stream`
# MAGIC creates. Triages every raw complaint not yet answered, exactly once, with the complaint agent's
# MAGIC endpoint, into `<catalog>.complaints.complaint_responses`. The logic is `complaint_stream.py` over
# MAGIC `scoring.py` (tested); this notebook wires Spark and the endpoint to it.

# COMMAND ----------

# MAGIC %pip install --quiet openai==3.57.0 databricks-sdk==0.162.0

# COMMAND ----------

# MAGIC %restart_python

# COMMAND ----------

import os
import sys

sys.path.append(os.path.abspath(os.path.join(os.getcwd(), "..")))  # the bundle root: agents/, jobs/

from agents.common.clients import openai_client, workspace  # noqa: E402
from jobs.complaint_delta import ResponseSink  # noqa: E402
from jobs.complaint_stream import SCORING  # noqa: E402
from jobs.scoring import SCHEDULED_BUDGET_S, SCHEDULED_ROUND, Settings, endpoint_asker, run  # noqa: E402

CATALOG = dbutils.widgets.get("CATALOG")  # noqa: F821 - provided by Databricks
ENDPOINT = dbutils.widgets.get("COMPLAINT_AGENT_ENDPOINT_NAME")  # noqa: F821
CAP = int(dbutils.widgets.get("MAX_COMPLAINTS_PER_RUN"))  # noqa: F821

# COMMAND ----------

sink = ResponseSink(spark, CATALOG)  # noqa: F821
sink.ensure()
summary = run(sink, endpoint_asker(openai_client(workspace()), ENDPOINT, prompt=str), SCORING,
              Settings(cap=CAP, budget_s=SCHEDULED_BUDGET_S, round_size=SCHEDULED_ROUND),
              noun="raw complaint(s)")
if summary.pending and not summary.scored:
    raise RuntimeError(f"no complaint could be triaged: {summary.problems[:3]}")
