def run(ctx):
    folder = f"/Users/someone/{ctx.params['CATALOG']}"
    ctx.workspace.workspace.mkdirs(folder)  # a workspace folder: no kind of uc_state can track it
    return ctx.params["WINDOW_DAYS"]
