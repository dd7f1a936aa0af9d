"""The kinds registry as the table in README.md (a test keeps the two equal):
`python -m stage_runtime.kinds_table` prints it."""

from __future__ import annotations

from . import kinds


def _after_a_lost_answer(kind: kinds.Kind) -> str:
    if kind.marker is not None and not kind.marker.visible:
        return "idempotency token: a re-send makes nothing new; after a crash nothing proves it: reported"
    if kind.marker is not None:
        return "marker"
    if kind.unique_names and kind.fields.creator and kind.lookup is not None:
        return "name free before the create + creator"
    if not kind.creates:
        return "not created over REST: the stage tracks it"
    return "nothing: reported, left alone"


def _fingerprint(kind: kinds.Kind) -> str:
    if not kind.identity_is_name:
        return "id never reused"
    parts = [f"`{kind.uid_field}`"] if kind.uid_field else []
    if kind.fields.created:
        parts.append("creation time")
    return ", ".join(parts) or "none"


def rows() -> list[tuple[str, ...]]:
    out = []
    for kind in kinds.KINDS:
        out.append((kind.name, "unique" if kind.unique_names else "may repeat",
                    "yes" if kind.lookup is not None else "no",
                    _after_a_lost_answer(kind), _fingerprint(kind),
                    "yes" if kind.listing is not None else "no"))
    return out


HEADER = ("kind", "names", "lookup", "settles a lost answer", "fingerprint before delete", "swept")


def markdown() -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row) + " |" for row in rows()]
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown())
