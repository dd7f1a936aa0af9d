def headers(w):
    return w.config.authenticate()


def for_serving(w):
    return w.config.authenticate()  # uc_state: used for serving invocations only, which create nothing
