"""Stage `menu_data` (task Menu_Data).

Uploads the 16 menu PDFs to a volume and loads their structured metadata as
menu_documents.brands_metadata.

Status: not implemented yet. The contract (parameters read, objects produced and consumed) is in
spec/stages/menu_data.yaml; the body below only reads its parameters and fails loudly.
"""


def run(ctx):
    catalog = ctx.params["CATALOG"]
    raise NotImplementedError(
        f"stage menu_data is not implemented yet (CATALOG={catalog!r}): "
        "see README, section 'Stage status'"
    )
