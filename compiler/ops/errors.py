"""Operator errors: one exception type with a code, a reason and the fix, printed once by the
command line as `error: <reason> [O1xx]` and `hint: <fix>`. Every code is documented, with its fix,
in docs/errors.md ("Operator commands"); a test keeps the two in step."""

from __future__ import annotations

# code -> short title
OPS_CODES: dict[str, str] = {
    "O101": "cannot read a parameter",
    "O102": "unknown parameter for the target",
    "O103": "invalid parameter value",
    "O104": "unknown target",
    "O105": "stage not in the target",
    "O106": "invalid selector",
    "O107": "bundle substitution cannot be resolved",
    "O110": "databricks CLI not installed",
    "O111": "databricks CLI too old",
    "O112": "databricks CLI not logged in",
    "O113": "databricks CLI command failed",
    "O114": "target never deployed",
    "O115": "shipped data missing",
    "O120": "no workspace configured",
    "O121": "workspace unreachable",
    "O122": "workspace refused a call",
    "O123": "hot fix read back differs",
    "O124": "timed out waiting",
    "O130": "no build",
    "O140": "cannot scaffold the stage",
}


class OpsError(Exception):
    """A one-line reason with its code; `.hint` says how to fix it."""

    def __init__(self, code: str, reason: str, hint: str = ""):
        if code not in OPS_CODES:
            raise ValueError(f"unknown operator error code {code}")
        super().__init__(reason)
        self.code = code
        self.hint = hint

    def render(self) -> str:
        return f"error: {self} [{self.code}]" + (f"\n  hint: {self.hint}" if self.hint else "")
