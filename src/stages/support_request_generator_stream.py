"""Stage `support_request_generator_stream` (task Support_Request_Generator_Stream).

Creates (or resets) and starts the scheduled job that turns a sample of delivered orders into
synthetic support requests.

Status: not implemented yet. The contract (parameters read, objects produced and consumed) is in
spec/stages/support_request_generator_stream.yaml; the body below only reads its parameters and fails loudly.
"""


def run(ctx):
    catalog = ctx.params["CATALOG"]
    support_rate = ctx.params["SUPPORT_RATE"]
    llm_model = ctx.params["LLM_MODEL"]
    raise NotImplementedError(
        f"stage support_request_generator_stream is not implemented yet (CATALOG={catalog!r}): "
        "see README, section 'Stage status'"
    )
