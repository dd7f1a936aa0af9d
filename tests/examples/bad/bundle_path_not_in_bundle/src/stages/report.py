def run(ctx):
    notebook = ctx.bundle_path("job", "weekly")  # a typo: the asset folder is jobs/
    return ctx.params["CATALOG"], ctx.params["WINDOW_DAYS"], notebook
