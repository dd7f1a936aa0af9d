def run(ctx):
    folder = "jobs"
    return ctx.params["CATALOG"], ctx.params["WINDOW_DAYS"], ctx.bundle_path(folder, "weekly")
