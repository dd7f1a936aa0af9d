from helpers import reports


def run(ctx):
    reports.publish(ctx.workspace, ctx.params["CATALOG"])
    return ctx.params["WINDOW_DAYS"]
