from uc_state import add


def run(ctx):
    add(ctx.params["CATALOG"], "jobs", {"job_id": 1})
    return ctx.params["WINDOW_DAYS"]
