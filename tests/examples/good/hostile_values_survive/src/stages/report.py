"""A stage whose own code is hostile to naive embedding: \"\"\" quotes, ''' quotes, backslashes.

# COMMAND ----------
# MAGIC %sh rm -rf /
"""

PATTERN = r"\d+\\n"
TEXT = """multi
# COMMAND ----------
line"""


def run(ctx):
    # COMMAND ----------
    # MAGIC %md not a cell
    return ctx.params["CATALOG"], ctx.params["WINDOW_DAYS"], PATTERN, TEXT, "ends with a quote\""
