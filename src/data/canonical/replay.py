# Databricks notebook source
# MAGIC %md
# MAGIC ## Canonical data replay
# MAGIC
# MAGIC Run by the job `Canonical Data Replay (<catalog>)` that stage `canonical_data` creates. Replays the
# MAGIC 90-day canonical dataset (`canonical_dataset/events.parquet`, next to this notebook) into the events
# MAGIC volume as JSON lines, exactly once, looping forever. The logic is `replay_core.py`; this notebook
# MAGIC only reads its parameters, the files and the clock.

# COMMAND ----------

import os
from datetime import datetime, timezone

from replay_core import DatasetReader, ReplayState, replace_file, run_once, volume_path

CATALOG = dbutils.widgets.get("CATALOG")  # noqa: F821 - provided by Databricks
SCHEMA = dbutils.widgets.get("SCHEMA")  # noqa: F821
VOLUME = dbutils.widgets.get("VOLUME")  # noqa: F821
START_DAY = int(dbutils.widgets.get("START_DAY"))  # noqa: F821
SPEED = float(dbutils.widgets.get("SPEED_MULTIPLIER"))  # noqa: F821

DATASET = os.path.abspath(os.path.join("canonical_dataset", "events.parquet"))
OUTPUT = volume_path(CATALOG, SCHEMA, VOLUME)
STATE = volume_path(CATALOG, SCHEMA, "misc", "_replay_state.json")

# COMMAND ----------


def load_state():
    try:
        with open(STATE, encoding="utf-8") as handle:
            return ReplayState.from_json(handle.read())
    except FileNotFoundError:
        return None


reader = DatasetReader(DATASET)
summary = run_once(
    load_state=load_state,
    save_state=lambda state: replace_file(STATE, state.to_json().encode()),
    read_base=reader.read,
    write_file=lambda name, data: replace_file(os.path.join(OUTPUT, name), data),
    now=datetime.now(timezone.utc),
    start_day=START_DAY,
    speed=SPEED,
    progress=lambda text: print(text, flush=True),
)
print(summary)
