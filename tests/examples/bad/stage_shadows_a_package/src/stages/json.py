def run(ctx):
    return ctx.params["CATALOG"]
