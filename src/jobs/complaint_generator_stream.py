# Databricks notebook source
# MAGIC %md
# MAGIC ## Complaint generator stream
# MAGIC
# MAGIC Run every 10 minutes by the job `Complaint Generator Stream (<catalog>)` that stage
# MAGIC `complaint_generator_stream` creates. Gives a COMPLAINT_RATE sample of the delivered orders one
# MAGIC synthetic complaint each, exactly once, worded by LLM_MODEL, into `<catalog>.complaints.raw_complaints`.
# MAGIC The logic is `complaint_generator.py` (tested); this notebook wires Spark and the LLM to it.

# COMMAND ----------

# MAGIC %pip install --quiet openai==3.57.0 databricks-sdk==0.162.0

# COMMAND ----------

# MAGIC %restart_python

# COMMAND ----------

import os
import sys

sys.path.append(os.path.abspath(os.path.join(os.getcwd(), "..")))  # the bundle root: agents/, jobs/

from agents.common.clients import openai_client, workspace  # noqa: E402
from jobs.complaint_delta import ComplaintSink  # noqa: E402
from jobs.complaint_generator import SCORING, llm_writer  # noqa: E402
from jobs.scoring import Settings, run  # noqa: E402

CATALOG = dbutils.widgets.get("CATALOG")  # noqa: F821 - provided by Databricks
RATE = float(dbutils.widgets.get("COMPLAINT_RATE"))  # noqa: F821
LLM_MODEL = dbutils.widgets.get("LLM_MODEL")  # noqa: F821
CAP = int(dbutils.widgets.get("MAX_ORDERS_PER_RUN"))  # noqa: F821

# COMMAND ----------

sink = ComplaintSink(spark, CATALOG, RATE)  # noqa: F821
sink.ensure()
run(sink, llm_writer(openai_client(workspace()), LLM_MODEL), SCORING, Settings(cap=CAP, concurrency=8),
    noun="sampled delivered order(s)")
