def main(ctx):
    return ctx.params["CATALOG"], ctx.params["WINDOW_DAYS"]
