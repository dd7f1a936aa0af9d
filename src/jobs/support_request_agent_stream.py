# Databricks notebook source
# MAGIC %md
# MAGIC ## Support request agent stream
# MAGIC
# MAGIC Run every 10 minutes by the job `Support Request Agent Stream (<catalog>)` that stage
# MAGIC `support_request_agent_stream` creates. Sends every support request not yet reported, with the facts
# MAGIC the policy needs, to the support agent's endpoint, exactly once, into
# MAGIC `<catalog>.support.support_agent_reports`. The logic is `support_stream.py` over `scoring.py` (tested).

# COMMAND ----------

# MAGIC %pip install --quiet openai==3.57.0 databricks-sdk==0.162.0

# COMMAND ----------

# MAGIC %restart_python

# COMMAND ----------

import os
import sys

sys.path.append(os.path.abspath(os.path.join(os.getcwd(), "..")))  # the bundle root: agents/, jobs/

from agents.common.clients import openai_client, workspace  # noqa: E402
from jobs.scoring import SCHEDULED_BUDGET_S, SCHEDULED_ROUND, Settings, endpoint_asker, run  # noqa: E402
from jobs.support_delta import ReportSink  # noqa: E402
from jobs.support_stream import SCORING  # noqa: E402

CATALOG = dbutils.widgets.get("CATALOG")  # noqa: F821 - provided by Databricks
ENDPOINT = dbutils.widgets.get("SUPPORT_AGENT_ENDPOINT_NAME")  # noqa: F821
CAP = int(dbutils.widgets.get("MAX_REQUESTS_PER_RUN"))  # noqa: F821

# COMMAND ----------

sink = ReportSink(spark, CATALOG)  # noqa: F821
sink.ensure()
summary = run(sink, endpoint_asker(openai_client(workspace()), ENDPOINT, prompt=str), SCORING,
              Settings(cap=CAP, budget_s=SCHEDULED_BUDGET_S, round_size=SCHEDULED_ROUND),
              noun="support request(s)")
if summary.pending and not summary.scored:
    raise RuntimeError(f"no support request could be reported: {summary.problems[:3]}")
