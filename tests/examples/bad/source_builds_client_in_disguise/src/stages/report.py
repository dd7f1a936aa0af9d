import requests
from databricks.sdk import WorkspaceClient as WC
from databricks.sdk.core import ApiClient, Config


def run(ctx):
    own = WC()
    clone = type(ctx.workspace)()
    raw = ApiClient(Config())
    headers = ctx.workspace.config.authenticate()
    requests.post(ctx.workspace.config.host + "/api/2.0/pipelines", headers=headers, json={"name": "x"})
    session = ctx.workspace.api_client._api_client._session
    return own, clone, raw, session, ctx.params["CATALOG"], ctx.params["WINDOW_DAYS"]
