def run(ctx):
    catalog = ctx.params["CATALOG"]
    if catalog
        return ctx.params["WINDOW_DAYS"]
