from databricks.sdk import WorkspaceClient


def run(ctx):
    w = WorkspaceClient()
    return w, ctx.params["CATALOG"], ctx.params["WINDOW_DAYS"]
