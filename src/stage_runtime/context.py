"""The stage context: everything a stage's `run(ctx)` may use.

    ctx.params["NAME"]     the job parameters the stage declares (read-only; anything else is an error)
    ctx.workspace          a databricks-sdk WorkspaceClient whose creations are registered in uc_state
    ctx.track(kind, obj)   register a resource the client could not identify (raw REST creations) or
                           one that was found rather than created (see ensure.py)
    ctx.sql(q, **args)     Spark SQL with bound parameters only
    ctx.spark, ctx.dbutils the notebook's; locally Spark is the workspace's, through Spark Connect
                           when SPARK_REMOTE names it (the local workspace's), else None
    ctx.state              uc_state rows of this catalog (read-only: .list(kind=None))
    ctx.needs_spark(step)  False (and the step is reported as skipped) when Spark is absent
    ctx.skip_locally(step) True (and the step is reported as skipped) on local runs
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Mapping
from typing import Any, Iterator

from . import evidence as ev
from . import kinds
from .state import PENDING_PREFIX, Row, open_state, to_payload
from .tracking import Hooks, RegistrationError, Tracker, install

PARAMS_ENV = "STAGE_PARAMS_JSON"  # local runs pass parameters here instead of widgets


class ParameterError(KeyError):
    """A stage asked for a parameter it did not declare, or the job did not supply one."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


class ForeignObjectError(RuntimeError):
    """An object this stage would change exists, and nothing proves this deployment created it."""


class SparkUnavailable(RuntimeError):
    pass


class Params(Mapping):
    """Read-only job parameters: exactly the ones the stage declares in its spec."""

    def __init__(self, stage: str, values: dict[str, str]):
        self._stage = stage
        self._values = dict(values)

    def __getitem__(self, name: str) -> str:
        try:
            return self._values[name]
        except KeyError:
            declared = ", ".join(sorted(self._values)) or "none"
            raise ParameterError(
                f"stage {self._stage} read parameter {name!r}, which it does not declare "
                f"(declared: {declared}); add it to `parameters` in spec/stages/{self._stage}.yaml"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Params({self._values!r})"


def read_widgets(stage: dict, names: list[str], dbutils: Any) -> dict[str, str]:
    """Values from notebook widgets (on Databricks) or STAGE_PARAMS_JSON (locally)."""
    if dbutils is None:
        supplied = json.loads(os.environ.get(PARAMS_ENV) or "{}")
        missing = [n for n in names if n not in supplied]
        if missing:
            raise ParameterError(
                f"stage {stage['name']}: no value for parameter(s) {', '.join(missing)}; "
                f"set them in {PARAMS_ENV} (make run-local does this from the target's defaults)")
        return {n: str(supplied[n]) for n in names}
    values = {}
    for name in names:
        try:
            values[name] = dbutils.widgets.get(name)
        except Exception as err:  # the widget API raises a Py4J error for unknown widgets
            raise ParameterError(
                f"stage {stage['name']}: the job did not pass parameter {name!r} ({err}); "
                "deploy the bundle again so the job's parameters match the spec") from None
    return values


class StateView:
    """What stage code may do with uc_state: read its catalog's rows."""

    def __init__(self, ctx: "StageContext"):
        self._ctx = ctx

    def list(self, kind: str | None = None) -> list[Row]:
        return self._ctx._state().list(self._ctx.catalog, kind)


class StageContext:
    def __init__(self, stage: dict, params: Params, *, catalog: str, target: str = "", run_id: str = "",
                 spark: Any = None, dbutils: Any = None, workspace_factory: Any = None, state_factory: Any = None,
                 sweep: bool = False, spark_factory: Any = None):
        self.stage = stage
        self.name = stage["name"]
        self.params = params
        self.catalog = catalog
        self.target = target
        self.run_id = run_id
        self._spark = spark
        self._spark_factory = spark_factory  # a local run's Spark Connect session, made when first used
        self.dbutils = dbutils
        self.local = dbutils is None
        self.skipped: list[str] = []
        self.notes: list[str] = []  # what the runtime did on the stage's behalf (sweep, duplicates)
        self.error = ""  # set by notebook.run_stage when run(ctx) raises
        self.registered: list[tuple[str, str]] = []
        self.tracker = Tracker(Hooks(self._record_intent, self._register_created, self._forget_intent,
                                     self._principal, lambda: self.workspace))
        self._workspace = None
        self._workspace_factory = workspace_factory or _default_workspace
        self._state_factory = state_factory or (lambda: open_state(catalog, spark))
        self._state_store = None
        self._me: str | None = None
        self._sweep = sweep
        self._before = None
        self._earlier_intents: list[Row] | None = None  # pending rows left by earlier, interrupted runs
        self.state = StateView(self)

    def __repr__(self) -> str:
        return f"StageContext({self.name!r}, catalog={self.catalog!r})"

    # workspace and registration ----------------------------------------------------------------
    @property
    def workspace(self):
        if self._workspace is None:
            self._workspace = install(self._workspace_factory(), self.tracker)
        return self._workspace

    def _state(self):
        if self._state_store is None:
            self._state_store = self._state_factory()
        return self._state_store

    def _principal(self) -> str | None:
        if self._me is None:
            self._me = self.workspace.current_user.me().user_name or ""
        return self._me or None

    def _write(self, row: Row, what: str) -> None:
        try:
            self._state().register(row)
        except Exception as err:
            raise RegistrationError(
                f"stage {self.name} could not record {what} in uc_state ({self.catalog}._caspers_state.resources): "
                f"{err}") from err

    def _row(self, kind: kinds.Kind, identity: str, payload: Any, status: str = "active",
             origin: str = "created", name: str | None = None) -> Row:
        data = json.loads(to_payload(payload))
        shown = name if name is not None else kind.display_name(data if isinstance(data, dict) else {})
        return Row(self.catalog, kind.name, identity, shown, to_payload(payload), self.name, self.target,
                   self.run_id, status=status, origin=origin)

    def _record_intent(self, kind: kinds.Kind, name: str, request: dict, evidence: dict, lookup: str) -> str:
        """Before a create is sent: a pending row naming what is being created and the evidence
        that will prove it ours (nothing is sent if this cannot be written)."""
        key = f"{PENDING_PREFIX}{uuid.uuid4().hex}"
        payload = {"request": request, "intent_ms": int(time.time() * 1000), "evidence": evidence, "lookup": lookup}
        try:
            self._state().register(self._row(kind, key, payload, status="pending", name=name))
        except Exception as err:
            raise RegistrationError(
                f"stage {self.name} did not create {kind.name} {name!r}: uc_state "
                f"({self.catalog}._caspers_state.resources) cannot record it ({err}); nothing was created") from err
        return key

    def _register_created(self, kind: kinds.Kind, identity: str, payload: Any, intent: str | None) -> None:
        try:
            self._write(self._row(kind, identity, payload), f"{kind.name} {identity!r}")
        except RegistrationError as err:
            raise RegistrationError(
                f"{err}. The resource exists; its intent row (name {kind.display_name(payload)!r}) and the "
                "evidence recorded with it let cleanup find it: run the cleanup, fix the cause, and run the stage "
                "again") from err
        self.tracker.checkpoint("registered")  # tests kill the process here: the row exists, its intent too
        if intent:
            self._forget_intent(kind, intent)
        if (kind.name, identity) not in self.registered:
            self.registered.append((kind.name, identity))

    def _forget_intent(self, kind: kinds.Kind, intent: str | None) -> None:
        if intent:
            self._state().remove(self.catalog, kind.name, intent)

    def track(self, kind: str, obj: Any, created: bool = False) -> str:
        """Register a resource in uc_state: one created through a raw REST call whose answer lacks
        its id (it settles exactly that creation, matched by id or name), or one found rather than
        created: recorded as adopted (cleanup keeps it), unless evidence shows this deployment made
        it (an earlier run's create, interrupted before it could register, whose marker the object
        carries). `created=True` when the stage made it by a call that is not a create, such as
        restoring a soft-deleted experiment. `obj` is the SDK object, a dict, or the identity
        itself. Returns the identity."""
        spec = kinds.get(kind)
        if isinstance(obj, (str, int)):
            identity, payload = str(obj), {"identity": str(obj)}
        else:
            payload = json.loads(to_payload(obj))
            identity = spec.identity(payload, payload) if isinstance(payload, dict) else None
            if identity is None:
                raise RegistrationError(f"ctx.track({kind!r}, ...): none of {', '.join(spec.id_fields)} is set in "
                                        f"{payload!r}; pass the identity explicitly")
        name = spec.display_name({"response": payload}) if isinstance(payload, dict) else ""
        creation = self.tracker.claim(kind, identity, name)
        proof = {"how": "the stage tracked what its own create made"} if creation is not None else \
            {"how": "the stage made it by a call that is not a create"} if created else self._proven(spec, identity)
        origin = "created" if proof else "adopted"
        row = {"response": payload, "evidence": proof} if proof else {"response": payload}
        self._write(self._row(spec, identity, row, origin=origin), f"{kind} {identity!r}")
        if creation is not None and creation.intent:
            self._forget_intent(spec, creation.intent)
            creation.intent = None
        if (kind, identity) not in self.registered:
            self.registered.append((kind, identity))
        return identity

    def owns(self, kind: str, identity: str) -> bool:
        """Whether uc_state shows that this deployment created the resource (its row, or an earlier
        run's interrupted create that evidence ties to it, which is then registered as created).
        Stages update only what they own."""
        held = [r for r in self._state().list(self.catalog, kind) if r.identity == str(identity)]
        if any(r.origin == "created" and not r.pending for r in held):
            return True
        spec = kinds.get(kind)
        proof = self._proven(spec, str(identity))
        if proof:
            self._write(self._row(spec, str(identity), {"evidence": proof}), f"{kind} {identity!r}")
        return bool(proof)

    def foreign(self, kind: str, name: str) -> ForeignObjectError:
        """The error for a stage that found, under a name only one object can hold, an object it did
        not create: it is left untouched."""
        return ForeignObjectError(
            f"{kind} {name!r} exists, and nothing shows that this deployment created it (uc_state for catalog "
            f"{self.catalog} holds no creation of it), so stage {self.name} leaves it untouched. If it is a leftover "
            "of yours whose state was lost, delete it by hand; otherwise deploy with another catalog")

    def _proven(self, spec: kinds.Kind, identity: str) -> dict:
        """Evidence, from an earlier run's interrupted create of this kind, that the live object
        `identity` is what that create made; the intent row is then settled. {} when none."""
        if self._earlier_intents is None:
            self._earlier_intents = [r for r in self._state().list(self.catalog) if r.pending]
        for row in [r for r in self._earlier_intents if r.kind == spec.name]:
            data = row.data()
            if spec.lookup is None or not data.get("lookup"):
                continue
            try:
                candidates = spec.lookup(self.workspace, data["lookup"])
            except Exception:  # noqa: BLE001 - cleanup tries again
                continue
            for found in (f for f in candidates if f.identity == identity):
                why = ev.proof(spec, data.get("evidence") or {}, found, self._principal())
                if why:
                    self._forget_intent(spec, row.identity)
                    self._earlier_intents.remove(row)
                    return {**(data.get("evidence") or {}), "how": why, **ev.fingerprint(spec, found.data)}
        return {}

    # the end-of-stage sweep ------------------------------------------------------------------
    def begin(self) -> None:
        """When the stage opens: the sweep's first listing (see sweep.py)."""
        if self._sweep:
            from .sweep import take

            try:
                self._before = take(self.workspace, self.catalog)
            except Exception as err:  # noqa: BLE001 - no workspace yet: the stage's own first call says why
                self.notes.append(f"sweep: off for this run, the workspace could not be listed "
                                  f"({type(err).__name__}: {str(err).splitlines()[0][:200]})")

    def _sweep_now(self) -> list[str]:
        """When the stage closes: what appeared meanwhile, made by this principal, that uc_state
        does not hold (see sweep.py). Nothing is registered by the sweep."""
        import time as clock

        from .sweep import appeared, judge

        new, errors = appeared(self.workspace, self.catalog, self._before)
        findings = None
        for pause in (0.0, 2.0):  # a parallel task of this job may be writing its row right now
            clock.sleep(pause)
            held = {(r.kind, r.identity) for r in self._state().list(self.catalog)}
            findings = judge(new, held, self._principal(), errors)
            if not findings.unexplained:
                break
        self.notes += [f"sweep: {kind.name} {found.identity} ({found.name}) appeared during the stage; the API does "
                       "not say who created it, so nothing ties it to this deployment: left alone"
                       for kind, found in findings.unknown]
        self.notes += [f"sweep: {e}" for e in findings.errors]
        return [f"{kind.name} {found.identity} ({found.name})" for kind, found in findings.unexplained]

    # Spark and local runs ----------------------------------------------------------------------
    @property
    def spark(self):
        if self._spark is None and self._spark_factory is not None:
            factory, self._spark_factory = self._spark_factory, None
            self._spark = factory()
        return self._spark

    @spark.setter
    def spark(self, value) -> None:
        self._spark, self._spark_factory = value, None

    def sql(self, query: str, **args: Any):
        """Spark SQL with named parameter markers (`:name`) bound from keyword arguments."""
        if self.spark is None:
            raise SparkUnavailable(f"stage {self.name}: ctx.sql needs Spark; guard the step with ctx.needs_spark(...)")
        return self.spark.sql(query, args=args)

    def needs_spark(self, step: str) -> bool:
        if self.spark is not None:
            return True
        self.skipped.append(f"{step} (needs Spark)")
        print(f"[{self.name}] skipped locally: {step} (needs Spark)")
        return False

    def skip_locally(self, step: str, reason: str = "nothing executes jobs or pipelines locally") -> bool:
        if not self.local:
            return False
        self.skipped.append(f"{step} ({reason})")
        print(f"[{self.name}] skipped locally: {step} ({reason})")
        return True

    def bundle_path(self, *parts: str) -> str:
        """Absolute path of a bundle file, as jobs and pipelines on the workspace must reference it.
        Notebooks run with the working directory stages/, so the bundle root is its parent."""
        return os.path.abspath(os.path.join(os.getcwd(), "..", *parts))

    # the final check ---------------------------------------------------------------------------
    def close(self) -> None:
        """Fail the task if anything was created and left unregistered: a call whose answer lacked
        the id and was never ctx.track()ed, or (the sweep) a resource made by another client."""
        self.notes += self.tracker.notes
        missing = self.tracker.unregistered()
        if missing:
            listed = ", ".join(f"{c.kind} {c.name!r} (POST {c.path})" for c in missing)
            raise RegistrationError(
                f"stage {self.name} created {len(missing)} resource(s) that were never registered: {listed}. "
                "Call ctx.track(kind, obj) right after creating them through a raw REST call, so cleanup can "
                "delete them (their intent rows let cleanup find them by name meanwhile)")
        if self._sweep and self._before is not None:
            unexplained = self._sweep_now()
            if unexplained:
                raise RegistrationError(
                    f"{len(unexplained)} resource(s) appeared while stage {self.name} ran, created by this principal "
                    f"through a client uc_state does not see, and uc_state does not hold them: "
                    f"{', '.join(unexplained)}. Create them through ctx.workspace (or the ensure helpers) so they are "
                    "registered with evidence; they were left alone. (If another deployment of yours created them "
                    "meanwhile, run the stage again.)")


def _default_workspace():
    from databricks.sdk import WorkspaceClient

    return WorkspaceClient()
