def run(ctx):
    days = ctx.dbutils.widgets.get("WINDOW_DAYS")
    return ctx.params["CATALOG"], days, ctx.params["WINDOW_DAYS"]
