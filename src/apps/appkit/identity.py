"""Who acts. Deployed, only the identity the platform's proxy forwards counts (Databricks Apps sets
X-Forwarded-Email, -Preferred-Username and -User after signing the user in, and a request without
them did not come through it): none of them means no identity. Locally (mode `local`), a request
without them acts as the settings' `local_user`, and the page says so."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from .fields import CONTROL

HEADERS = ("x-forwarded-email", "x-forwarded-preferred-username", "x-forwarded-user")
SCOPE_KEY = "appkit.identity"


@dataclass(frozen=True)
class Identity:
    user: str
    local_fallback: bool  # True: no identity came, the local mode's stand-in user acts
    approver: bool  # the approver role: the settings' `approvers` name this user

    def as_dict(self) -> dict:
        return {"user": self.user, "local_fallback": self.local_fallback, "approver": self.approver}


def identify(headers: Mapping[str, str], settings: Any) -> Identity | None:
    """The acting identity, or None when there is none (deployed, without the platform's headers)."""
    for name in HEADERS:
        value = (headers.get(name) or "").strip()
        if value and not CONTROL.search(value):
            return _with_roles(value[:200], False, settings)
    return _with_roles(settings.local_user, True, settings) if settings.local else None


def _with_roles(user: str, fallback: bool, settings: Any) -> Identity:
    return Identity(user, fallback, user.lower() in {a.lower() for a in settings.approvers})


def current(request: Any) -> Identity:
    """The identity the gate (security.IdentityGate) put on the request."""
    return request.scope[SCOPE_KEY]
