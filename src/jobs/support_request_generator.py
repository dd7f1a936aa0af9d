# Databricks notebook source
# MAGIC %md
# MAGIC ## Support request generator
# MAGIC
# MAGIC Run every 10 minutes by the job `Support Request Generator (<catalog>)` that stage
# MAGIC `support_request_generator_stream` creates. Turns a SUPPORT_RATE sample of the delivered orders into
# MAGIC synthetic support requests (users, types, edge cases, repeat attempts), exactly once per order, into
# MAGIC `<catalog>.support.raw_support_requests`. The logic is `support_generator.py` (tested).

# COMMAND ----------

import os
import sys

sys.path.append(os.path.abspath(os.path.join(os.getcwd(), "..")))  # the bundle root: jobs/

from jobs.support_delta import RequestSink  # noqa: E402
from jobs.support_generator import run  # noqa: E402

CATALOG = dbutils.widgets.get("CATALOG")  # noqa: F821 - provided by Databricks
RATE = float(dbutils.widgets.get("SUPPORT_RATE"))  # noqa: F821
CAP = int(dbutils.widgets.get("MAX_ORDERS_PER_RUN"))  # noqa: F821

# COMMAND ----------

sink = RequestSink(spark, CATALOG, RATE)  # noqa: F821
sink.ensure()
run(sink, CAP)
