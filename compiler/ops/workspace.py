"""`verify` and `hotfix`: compare and patch what is deployed, through the databricks-sdk
workspace API (the same client the runtime uses; tests point it at the workspace stand-in)."""

from __future__ import annotations

import base64
import os
import re
from dataclasses import dataclass, field

from .deploy import bundle_state_dir, job_urls
from .errors import OpsError

NOTEBOOK_HEADER = b"# Databricks notebook source"
BUNDLE_OWN_DIRS = ("state", "artifacts", "resources")  # the CLI's own folders under the root path


def workspace_client():
    from databricks.sdk import WorkspaceClient

    try:
        return WorkspaceClient()
    except ValueError as err:  # the SDK's "cannot configure default credentials"
        raise OpsError("O120", f"cannot reach a workspace: {str(err).splitlines()[0]}",
                       "log in with `databricks auth login --host <workspace URL>`, or set DATABRICKS_HOST and "
                       "DATABRICKS_TOKEN") from None


HOST_PROBE_S = 2  # with start-up, an unreachable host fails within 3 s, whatever the SDK's retry settings


def check_reachable() -> str:
    """Fail fast, with one line naming the host, when no workspace is configured, its host does not
    take a connection within HOST_PROBE_S (refused, unknown, or silently dropped), or it refuses the
    login; a host that answers slowly gets a generous, scaled wait (waits.py). Returns its host.
    The SDK is imported after the probe: its import alone costs a second on a busy machine."""
    hint = ("local runs talk to a workspace: export DATABRICKS_HOST and DATABRICKS_TOKEN (or a profile); without "
            "one, start the local workspace with `make workspace` and export the "
            "URL it prints as DATABRICKS_HOST, with any DATABRICKS_TOKEN")
    if not (os.environ.get("DATABRICKS_HOST") or os.environ.get("DATABRICKS_CONFIG_PROFILE")):
        raise OpsError("O120", "no workspace is configured (DATABRICKS_HOST is not set)", hint)
    _probe(_configured_host(), hint)  # before the SDK's configuration, which already calls the host
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.core import Config
    from databricks.sdk.errors import DatabricksError

    from .waits import seconds, waiting_for

    patience = max(1, round(seconds(10)))  # the SDK takes whole seconds
    try:
        w = WorkspaceClient(config=Config(retry_timeout_seconds=patience, http_timeout_seconds=patience))
    except ValueError as err:
        raise OpsError("O120", f"no workspace is configured: {str(err).splitlines()[0]}", hint) from None
    try:
        with waiting_for(f"the workspace at {w.config.host} to say who you are", patience):
            w.current_user.me()
    except DatabricksError as err:
        raise OpsError("O122", f"the workspace at {w.config.host} refused the login: {str(err).splitlines()[0]}",
                       "check DATABRICKS_TOKEN (or your profile's credentials)") from None
    except OpsError:
        raise
    except Exception as err:  # noqa: BLE001 - connection reset, DNS, after the capped retries
        raise OpsError("O121", f"the workspace at {w.config.host} does not answer "
                               f"({type(err).__name__}: {str(err).splitlines()[0][:160]})", hint) from None
    return w.config.host


def _configured_host() -> str:
    """The host the SDK will use, read as it reads it (DATABRICKS_HOST, else the profile's `host` in
    DATABRICKS_CONFIG_FILE or ~/.databrickscfg), without calling it; "" when it comes from elsewhere."""
    import configparser

    if os.environ.get("DATABRICKS_HOST"):
        return os.environ["DATABRICKS_HOST"]
    parser = configparser.ConfigParser()
    parser.read(os.path.expanduser(os.environ.get("DATABRICKS_CONFIG_FILE", "~/.databrickscfg")))
    section = os.environ.get("DATABRICKS_CONFIG_PROFILE", "DEFAULT")
    return parser.get(section, "host", fallback="") if section == "DEFAULT" or parser.has_section(section) else ""


def _probe(host: str, hint: str) -> None:
    """One TCP connection to the host's port, at most HOST_PROBE_S: the SDK would retry a refused or
    dropped connection for its whole retry budget. Skipped behind a proxy, which the SDK goes through."""
    import socket
    from urllib.parse import urlsplit

    if not host:
        return
    if "://" not in host:
        host = "https://" + host
    if any(os.environ.get(name) for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY")):
        return
    parts = urlsplit(host)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        socket.create_connection((parts.hostname or "", port), timeout=HOST_PROBE_S).close()
    except OSError as err:
        why = "no answer within %d s" % HOST_PROBE_S if isinstance(err, TimeoutError) else (err.strerror or str(err))
        raise OpsError("O121", f"the workspace at {host} does not answer ({why})", hint) from None


def workspace_call(action):
    """Run SDK calls; a workspace error becomes a one-line OpsError, not a traceback."""
    from databricks.sdk.errors import DatabricksError

    try:
        return action()
    except DatabricksError as err:
        raise OpsError("O122", f"the workspace refused a call: {type(err).__name__}: {str(err).splitlines()[0]}",
                       "check that you are logged in to the right workspace and may read the bundle's folder") \
            from None
    except OSError as err:  # connection refused, timeouts after the SDK's retries
        raise OpsError("O121", f"the workspace did not answer: {type(err).__name__}: {str(err).splitlines()[0]}",
                       "check DATABRICKS_HOST (or your profile's host) and your network") from None


def bundle_file_path(compilation, w, target: str) -> str:
    """The deployed target's workspace.file_path, resolved as the CLI resolves it (bundle_vars.py)."""
    from ..bundle_vars import file_path

    bundle = compilation.spec.bundle
    variables = {name: v.get("default") for name, v in bundle.variables.items()}
    return file_path(bundle.name, target, variables, bundle.workspace, w.current_user.me().user_name,
                     getattr(w.config, "host", None))


def remote_path(rel: str, data: bytes) -> tuple[str, str]:
    """Where the CLI puts a built file, and as what: notebooks lose their .py extension."""
    if rel.endswith(".py") and data.startswith(NOTEBOOK_HEADER):
        return rel[:-3], "NOTEBOOK"
    return rel, "FILE"


@dataclass
class VerifyReport:
    root: str
    ok: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    excluded_present: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # needed at run time, but the sync rules keep them home

    @property
    def clean(self) -> bool:
        return not (self.missing or self.stale or self.excluded_present or self.dropped)


def verify(compilation, out_dir: str, target: str = "", w=None) -> VerifyReport:
    """What `bundle deploy` would upload from build/ (compiler/sync.py: the CLI's rules) against
    the bundle's file path: each such file present and not older than the build; files of build/
    that do not sync absent; anything else there reported as unexpected."""
    w = w or workspace_client()
    return workspace_call(lambda: _verify(compilation, out_dir, target, w))


def _verify(compilation, out_dir: str, target: str, w) -> VerifyReport:
    from ..render import bundle_sync
    from ..sync import SyncRules

    from ..check_sync import runtime_files

    built = _built_files(out_dir)  # refuses a folder that holds no build
    root = bundle_file_path(compilation, w, target)
    report = VerifyReport(root)
    rules = SyncRules.for_bundle(out_dir, bundle_sync(compilation.spec), target)
    expected: dict[str, float] = {}
    for rel in rules.files():
        remote, _ = remote_path(rel, _head(os.path.join(out_dir, rel)))
        expected[remote] = os.path.getmtime(os.path.join(out_dir, rel))
    found = _list_remote(w, root)
    # What the bundle needs at run time (the same set the build checks) must be there, whatever the
    # sync rules say: a file they keep home is reported, never silently expected absent.
    for rel in runtime_files(compilation.spec, compilation.resolved, built, out_dir):
        path = os.path.join(out_dir, rel)
        if os.path.isfile(path) and not rules.uploads(rel):
            remote, _ = remote_path(rel, _head(path))
            if remote not in found:
                report.dropped.append(f"{remote} ({rules.why_not(rel)})")
    for remote, mtime in sorted(expected.items()):
        entry = found.pop(remote, None)
        if entry is None:
            report.missing.append(remote)
        elif (entry.modified_at or 0) / 1000 < mtime - 1:
            report.stale.append(remote)
        else:
            report.ok.append(remote)
    for remote in sorted(found):
        if remote.split("/")[0] in BUNDLE_OWN_DIRS:
            continue
        local = next((rel for rel in (remote, remote + ".py") if os.path.isfile(os.path.join(out_dir, rel))), None)
        if local is not None or remote.startswith(".databricks/"):  # in build/, but a deploy does not sync it
            report.excluded_present.append(remote)
        else:
            report.unexpected.append(remote)
    return report


def _head(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(len(NOTEBOOK_HEADER))


def _built_files(out_dir: str) -> list[str]:
    from ..write import read_manifest

    files = read_manifest(out_dir).get("files")
    if not files:
        raise OpsError("O130", f"{out_dir}/ holds no build", "run `make build` first")
    return files


def _list_remote(w, root: str) -> dict:
    from databricks.sdk.errors import NotFound

    found = {}
    try:
        for entry in w.workspace.list(root, recursive=True):
            kind = getattr(entry.object_type, "value", entry.object_type)
            if kind != "DIRECTORY":
                found[entry.path[len(root) + 1:]] = entry
    except NotFound:
        pass
    return found


# ---- hot fix ------------------------------------------------------------------------------------
@dataclass
class HotfixResult:
    path: str
    verified: bool
    repair: str


def hotfix(compilation, out_dir: str, stage: str, target: str, w=None) -> HotfixResult:
    """Import the freshly built notebook of `stage` over the deployed one, read it back, and say
    how to repair the failed run."""
    w = w or workspace_client()
    return workspace_call(lambda: _hotfix(compilation, out_dir, stage, target, w))


def _hotfix(compilation, out_dir: str, stage: str, target: str, w) -> HotfixResult:
    from databricks.sdk.service.workspace import ExportFormat, ImportFormat, Language

    with open(os.path.join(out_dir, "stages", f"{stage}.py"), "rb") as handle:
        content = handle.read()
    path = f"{bundle_file_path(compilation, w, target)}/stages/{stage}"
    w.workspace.import_(path, content=base64.b64encode(content).decode(), format=ImportFormat.SOURCE,
                        language=Language.PYTHON, overwrite=True)
    exported = w.workspace.export(path, format=ExportFormat.SOURCE)
    back = base64.b64decode(exported.content or "")
    verified = _normalise(back) == _normalise(content)
    if not verified:
        raise OpsError("O123", f"the notebook read back from {path} differs from build/stages/{stage}.py",
                       "import it again; if it keeps differing, redeploy with `make deploy`")
    task_key = compilation.spec.stages[stage].task_key
    return HotfixResult(path, verified, repair_hint(w, out_dir, target, compilation.spec.bundle.job_key, task_key))


def _normalise(data: bytes) -> bytes:
    return b"\n".join(line.rstrip() for line in data.replace(b"\r\n", b"\n").strip().split(b"\n"))


def repair_hint(w, out_dir: str, target: str, job_key: str, task_key: str) -> str:
    url = job_urls(out_dir, target).get(job_key, "")
    match = re.search(r"job/(\d+)", url)
    if not match:
        return (f"no deployment of target {target} recorded in {bundle_state_dir(out_dir, target)}; repair the "
                f"failed run in the Jobs UI (task {task_key})")
    job_id = int(match.group(1))
    failed = None
    for run in w.jobs.list_runs(job_id=job_id, limit=25):
        state = run.state
        result = getattr(getattr(state, "result_state", None), "value", None) if state else None
        if result in ("FAILED", "TIMEDOUT", "CANCELED", "INTERNAL_ERROR"):
            failed = run
            break
    host = w.config.host.rstrip("/")
    if failed is None:
        return f"no failed run of job {job_id} found; the fix applies to the next run ({url})"
    body = '{"rerun_tasks": ["%s"], "rerun_dependent_tasks": true}' % task_key
    return (f"databricks jobs repair-run {failed.run_id} --json '{body}'\n"
            f"or open {host}/#job/{job_id}/run/{failed.run_id} and click Repair run")
