"""The bundle's `${...}` substitutions, resolved as the Databricks CLI resolves them: one resolver
for every place the operator commands need a value the CLI computes (the workspace folder of a
deployed target for `verify` and `hotfix`, a job parameter's default for the local commands).

The CLI's documented substitutions, restated: `${bundle.name}`, `${bundle.target}` (and its old
name `${bundle.environment}`), `${workspace.host}`, `${workspace.current_user.userName}`,
`${workspace.current_user.short_name}` (the user name before `@`, every character that is not a
letter or digit turned into `_`), `${workspace.root_path}`, `${workspace.file_path}`,
`${var.<name>}` (also `${variables.<name>.value}`). A reference may lead to another; a cycle or an
unknown reference is an error, never a path written literally. Workspace paths default as the CLI
defaults them: root_path to `/Workspace/Users/<user>/.bundle/<bundle>/<target>`, file_path to
`<root_path>/files`; a root path starting with `~` is the user's home folder, and a path that
starts with `/` but not with `/Workspace/` or `/Volumes/` gets the `/Workspace` prefix.
"""

from __future__ import annotations

import re

from .ops.errors import OpsError

REFERENCE = re.compile(r"\$\{([A-Za-z0-9_.\-\[\]]+)\}")
DEFAULT_ROOT_PATH = "/Workspace/Users/${workspace.current_user.userName}/.bundle/${bundle.name}/${bundle.target}"
DEFAULT_FILE_PATH = "${workspace.root_path}/files"


def short_name(user_name: str) -> str:
    local = user_name.split("@", 1)[0]
    return "".join(ch if ch.isalnum() else "_" for ch in local)


def context(bundle_name: str, target: str, variables: dict[str, str], workspace: dict | None = None,
            user_name: str | None = None, host: str | None = None) -> dict[str, str | None]:
    """Dotted reference -> its value (None: known, but not available here)."""
    values: dict[str, str | None] = {"bundle.name": bundle_name, "bundle.target": target,
                                     "bundle.environment": target, "workspace.host": host,
                                     "workspace.current_user.userName": user_name,
                                     "workspace.current_user.short_name": short_name(user_name) if user_name else None}
    for name, value in variables.items():
        values[f"var.{name}"] = values[f"variables.{name}.value"] = None if value is None else str(value)
    workspace = workspace or {}
    root = str(workspace.get("root_path") or DEFAULT_ROOT_PATH)
    if root.startswith("~"):
        root = "/Workspace/Users/${workspace.current_user.userName}" + root[1:]
    values["workspace.root_path"] = root
    values["workspace.file_path"] = str(workspace.get("file_path") or DEFAULT_FILE_PATH)
    return values


def resolve(text: str, values: dict[str, str | None], strict: bool = True, what: str = "a value") -> str:
    """`text` with every reference substituted. `strict`: an unknown or unavailable reference is
    an OpsError; otherwise it is left as written (what the CLI will substitute later)."""
    return _resolve(text, values, strict, what, ())


def _resolve(text: str, values: dict, strict: bool, what: str, chain: tuple[str, ...]) -> str:
    def substitute(match: re.Match) -> str:
        ref = match.group(1)
        if ref in chain:
            raise OpsError("O107", f"{what} refers to itself: " + " -> ".join(chain + (ref,)),
                           "a bundle substitution may not lead back to itself")
        value = values.get(ref)
        if value is None:
            if not strict:
                return match.group(0)
            known = ref in values
            raise OpsError("O107", f"{what} uses ${{{ref}}}, which " + ("is not known here" if known else
                                                                          "the bundle does not define"),
                           "use one of the CLI's substitutions (bundle.name, bundle.target, workspace.root_path, "
                           "workspace.current_user.userName, ...) or a variable declared under `variables`")
        return _resolve(value, values, strict, what, chain + (ref,))

    return REFERENCE.sub(substitute, text)


def workspace_path(text: str) -> str:
    """The CLI's `/Workspace` prefix for a workspace path given from the root."""
    if text.startswith("/") and not text.startswith(("/Workspace/", "/Volumes/")) and text not in ("/Workspace", "/Volumes"):
        return "/Workspace" + text
    return text


def file_path(bundle_name: str, target: str, variables: dict[str, str], workspace: dict, user_name: str,
              host: str | None = None) -> str:
    """Where `bundle deploy -t <target>` puts the bundle's files."""
    values = context(bundle_name, target, variables, workspace, user_name, host)
    values["workspace.root_path"] = workspace_path(resolve(values["workspace.root_path"], values,
                                                           what="workspace.root_path"))
    return workspace_path(resolve(values["workspace.file_path"], values, what="workspace.file_path")).rstrip("/")
