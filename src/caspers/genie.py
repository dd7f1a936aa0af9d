"""The Genie space a stage owns, found by its title and brought up to date on every run (the
original created it once and read its own state table to find it again)."""

from __future__ import annotations

import hashlib
import json


def serialized_space(tables: list[str], questions: list[str]) -> str:
    """The space's definition (version 2): its tables, sorted, and its sample questions, each with a
    stable id, so an unchanged spec gives the same definition."""
    return json.dumps({
        "version": 2,
        "data_sources": {"tables": [{"identifier": t} for t in sorted(tables)]},
        "config": {"sample_questions": [{"id": hashlib.md5(q.encode()).hexdigest(), "question": [q]}
                                        for q in questions]},
    }, sort_keys=True)


def find_space(w, title: str, accept=lambda space: True):
    """The space with exactly this title that `accept` takes (the stages: one this deployment
    created), reading every page of the listing; None when there is none."""
    token = None
    while True:
        page = w.genie.list_spaces(page_size=100, page_token=token)
        for space in page.spaces or []:
            if space.title == title and accept(space):
                return space
        token = page.next_page_token
        if not token:
            return None


def ensure_space(ctx, title: str, description: str, warehouse_id: str, definition: str) -> str:
    """Create the space, or update the one with this title that this deployment created (definition,
    description, warehouse); a colleague's space of the same title is left alone. Returns its id."""
    w = ctx.workspace
    found = find_space(w, title, lambda space: ctx.owns("genie_spaces", space.space_id))
    if found is None:
        return w.genie.create_space(warehouse_id=warehouse_id, serialized_space=definition, title=title,
                                    description=description).space_id
    w.genie.update_space(found.space_id, title=title, description=description, warehouse_id=warehouse_id,
                         serialized_space=definition)
    ctx.track("genie_spaces", {"space_id": found.space_id, "title": title})
    return found.space_id
