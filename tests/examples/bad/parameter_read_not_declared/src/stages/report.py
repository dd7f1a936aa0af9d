def run(ctx):
    catalog = ctx.params["CATALOG"]
    days = ctx.params["WINDOW_DAYS"]
    return catalog, days, ctx.params["SCHEMA"]
