NAME = "WINDOW_DAYS"


def run(ctx):
    return ctx.params["CATALOG"], ctx.params[NAME]
