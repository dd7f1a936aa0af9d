"""Request fields the apps share: free text without control characters, and keyset cursors.

Text: Postgres refuses NUL in text (it used to surface as a 500), and BEL, ESC (terminal colour
codes), DEL and the C1 range have no place in a reason or a reply; newline and tab are kept.

Cursor: a page ends with the sort key of its last row; the next page starts after it (`WHERE
(ts, id) < (%s, %s)`), so a page costs the same however deep it is and rows that arrive meanwhile
neither repeat nor vanish. On the wire it is opaque (URL-safe base64 of JSON)."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def no_control_characters(value: str) -> str:
    found = CONTROL.search(value)
    if found:
        raise ValueError(f"control character U+{ord(found.group()):04X} is not allowed (only newline and tab)")
    return value


Text = Annotated[str, AfterValidator(no_control_characters)]


class BadCursor(ValueError):
    pass


def encode_cursor(ts: datetime | None, key: str) -> str:
    """The cursor after a row sorted by (ts, key), newest first; a row without a time sorts last."""
    raw = json.dumps([ts.isoformat() if ts else "-infinity", key]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str]:
    """(ts as Postgres reads it, key), checked: a cursor that this app did not make is refused."""
    try:
        ts, key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if ts != "-infinity":
            datetime.fromisoformat(ts)
        if not isinstance(key, str) or len(key) > 200:
            raise ValueError(key)
        return ts, key
    except (ValueError, TypeError) as err:
        raise BadCursor("after: not a cursor this app gave out") from err
