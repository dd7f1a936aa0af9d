"""Names of the per-catalog Lakebase and app resources, derived from the catalog so two catalogs in
one workspace never share one, and sanitised to what those APIs accept: lower-case letters, digits
and `-` (a catalog such as `My_Cat` gives `my-cat...`), at most 63 characters for a database
instance and 30 for an app; a name cut to fit ends with 6 hex digits of the full name's hash, so two
long catalogs that share a prefix still get different names."""

from __future__ import annotations

import hashlib
import re

INSTANCE_LIMIT, APP_LIMIT = 63, 30


def resource_name(text: str, limit: int) -> str:
    name = re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9-]", "-", text.lower())).strip("-")
    if not name or not name[0].isalpha():
        name = "c-" + name
    if len(name) > limit:
        digest = hashlib.sha256(text.encode()).hexdigest()[:6]
        name = name[:limit - 7].rstrip("-") + "-" + digest
    return name


def lakebase_instance(catalog: str) -> str:
    """`<catalog>refundmanager`, as the original names it, sanitised."""
    return resource_name(f"{catalog}refundmanager", INSTANCE_LIMIT)


def database_catalog(catalog: str) -> str:
    """The Unity Catalog catalog over the instance's database (UC names take `_`, not `-`)."""
    return lakebase_instance(catalog).replace("-", "_")


def refund_manager_app(catalog: str) -> str:
    """`refund-manager-<catalog>`, sanitised, at most 30 characters (the Apps limit)."""
    return resource_name(f"refund-manager-{catalog}", APP_LIMIT)


def complaint_instance(catalog: str) -> str:
    """`<catalog>complaintmanager`, as the original names it, sanitised."""
    return resource_name(f"{catalog}complaintmanager", INSTANCE_LIMIT)


def complaint_catalog(catalog: str) -> str:
    return complaint_instance(catalog).replace("-", "_")


def support_instance(catalog: str) -> str:
    """`<catalog>supportmanager`, as the original names it, sanitised."""
    return resource_name(f"{catalog}supportmanager", INSTANCE_LIMIT)


def support_catalog(catalog: str) -> str:
    return support_instance(catalog).replace("-", "_")


def support_console_app(catalog: str) -> str:
    """`support-console-<catalog>`, sanitised, at most 30 characters (the original's fixed
    `supportconsole` collided across catalogs)."""
    return resource_name(f"support-console-{catalog}", APP_LIMIT)
