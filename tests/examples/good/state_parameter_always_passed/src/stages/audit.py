def run(ctx):
    return ctx.params["SCHEMA"]
