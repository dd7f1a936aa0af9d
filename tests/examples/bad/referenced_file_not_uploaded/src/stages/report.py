def run(ctx):
    query = ctx.bundle_path("jobs", "weekly.sql")  # the weekly job's query, read at run time
    return ctx.params["CATALOG"], ctx.params["WINDOW_DAYS"], query
