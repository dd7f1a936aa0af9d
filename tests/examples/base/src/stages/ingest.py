def run(ctx):
    return ctx.params["CATALOG"], ctx.params["SCHEMA"]
