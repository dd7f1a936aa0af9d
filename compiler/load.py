"""Pass 1, load: read spec/ into plain data, keeping file:line:col for every key and value.

YAML is parsed with libyaml's composer (the C loader) into nodes, then walked into plain Python
values. The walk is where the spec's own rules are enforced: no duplicate keys, no anchors or
aliases (which also defuses "billion laughs" bombs: a shared node is reported, never expanded),
bounded nesting, and a size limit checked before anything is read.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

from .diagnostics import Diagnostic, Where, diag

MAX_SPEC_BYTES = 1024 * 1024
MAX_DEPTH = 32
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")
TARGET_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,99}$")

Path = tuple  # a path into the data: keys and list indexes, e.g. ("targets", "menus", "max_retries")


@dataclass
class SpecFile:
    """One loaded spec file: its plain data plus where every value and key came from."""

    kind: str  # "bundle" | "stage" | "target"
    name: str  # file stem (the stage or target name); "bundle" for spec/bundle.yaml
    path: str  # absolute path on disk
    display: str  # path shown in diagnostics
    data: Any = None
    # Path -> line << 16 | column (one int rather than a tuple: 10,000 files hold ~500,000 of them)
    value_locs: dict = field(default_factory=dict)
    key_locs: dict = field(default_factory=dict)  # the same, for mapping keys
    scalar_text: dict = field(default_factory=dict)  # Path -> source text of non-string scalars
    cache_key: tuple = ()  # set when loaded; `validated` when it came from the cache already valid
    validated: bool = False

    def where(self, path: Path = (), key: bool = False) -> Where:
        """The location of `path`, or of its closest located ancestor."""
        table = self.key_locs if key else self.value_locs
        path = tuple(path)
        if key and path not in table:
            table = self.value_locs
        while path not in table and path:
            path = path[:-1]
        packed = table.get(path, 1 << 16 | 1)
        return Where(self.display, packed >> 16, packed & 0xFFFF)

    def loc(self, path: Path, key: bool = False) -> tuple[int, int]:
        where = self.where(path, key)
        return where.line, where.col


@dataclass
class LoadedSpec:
    spec_dir: str
    bundle: SpecFile | None
    stages: list[SpecFile]
    targets: list[SpecFile]


def display_path(path: str) -> str:
    """Paths relative to the working directory when below it, so editors can jump to them."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def load_spec(spec_dir: str, cache=None) -> tuple[LoadedSpec, list[Diagnostic]]:
    """Load spec/bundle.yaml, spec/stages/*.yaml and spec/targets/*.yaml, in sorted order."""
    spec_dir = os.path.abspath(spec_dir)
    diags: list[Diagnostic] = []
    if not os.path.isdir(spec_dir):
        diags.append(diag("E108", f"spec folder {display_path(spec_dir)} does not exist",
                          Where(display_path(spec_dir), 1, 1),
                          "run from the project root, or pass --spec DIR"))
        return LoadedSpec(spec_dir, None, [], []), diags

    bundle_path = os.path.join(spec_dir, "bundle.yaml")
    bundle = None
    if os.path.isfile(bundle_path):
        bundle = load_file("bundle", "bundle", bundle_path, diags, cache)
    else:
        diags.append(diag("E108", "spec/bundle.yaml is missing", Where(display_path(bundle_path), 1, 1),
                          "create it with the bundle name, workspace, job and parameter catalogue"))
    stages = _load_folder(spec_dir, "stages", "stage", NAME_RE, diags, cache)
    targets = _load_folder(spec_dir, "targets", "target", TARGET_NAME_RE, diags, cache)
    return LoadedSpec(spec_dir, bundle, stages, targets), diags


def _load_folder(spec_dir: str, folder: str, kind: str, name_re: re.Pattern,
                 diags: list[Diagnostic], cache=None) -> list[SpecFile]:
    where_dir = os.path.join(spec_dir, folder)
    if not os.path.isdir(where_dir):
        diags.append(diag("E108", f"spec/{folder}/ is missing", Where(display_path(where_dir), 1, 1),
                          f"create spec/{folder}/ with one <name>.yaml per {kind}"))
        return []
    loaded = []
    for entry in sorted(os.listdir(where_dir)):
        path = os.path.join(where_dir, entry)
        shown = display_path(path)
        if entry.startswith(".") or not os.path.isfile(path):
            continue
        stem, ext = os.path.splitext(entry)
        if ext == ".yml":
            diags.append(diag("E107", f"{kind} file {entry} ends in .yml", Where(shown, 1, 1),
                              f"rename it to {stem}.yaml"))
            continue
        if ext != ".yaml":
            diags.append(diag("W111", f"{entry} is not a .yaml file and is ignored", Where(shown, 1, 1),
                              f"spec/{folder}/ holds one <name>.yaml per {kind}"))
            continue
        if not name_re.fullmatch(stem):
            fixed = re.sub(r"[^A-Za-z0-9_]", "_", stem) or "name"
            if not re.match(r"[A-Za-z_]", fixed):
                fixed = "_" + fixed
            diags.append(diag("E107", f"{kind} name {stem!r} (from the file name) is not an identifier",
                              Where(shown, 1, 1),
                              f"{kind} names are letters, digits and `_`, not starting with a digit; "
                              f"rename the file to {fixed}.yaml"))
            continue
        loaded.append(load_file(kind, stem, path, diags, cache))
    return [f for f in loaded if f is not None]


def load_file(kind: str, name: str, path: str, diags: list[Diagnostic], cache=None) -> SpecFile | None:
    """Read and parse one spec file. Returns None (with diagnostics) when it cannot be used.
    With a cache, a file that loaded and validated cleanly before is reused as it was."""
    shown = display_path(path)
    spec = SpecFile(kind, name, path, shown)
    size = os.path.getsize(path)
    if size > MAX_SPEC_BYTES:
        diags.append(diag("E100", f"file is {size} bytes, over the {MAX_SPEC_BYTES}-byte limit",
                          Where(shown, 1, 1), "spec files are small; split it or remove generated content"))
        return None
    with open(path, "rb") as handle:
        raw = handle.read()
    if cache is not None:
        from .files import digest as content_hash

        spec.cache_key = ("spec", kind, name, shown, content_hash(raw))
        cached = cache.get(spec.cache_key)
        if cached is not None:
            cached.path = path  # the cache holds no absolute path (validate.py), so build/ is reproducible
            return cached
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        col = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        diags.append(diag("E106", f"invalid UTF-8 byte 0x{raw[err.start]:02x}", Where(shown, line, col),
                          "save the file as UTF-8"))
        return None
    node = _compose(text, shown, diags)
    if node is None:
        return None
    walker = _Walker(spec, diags)
    spec.data = walker.walk(node, (), 0)
    if walker.failed:
        return None
    return spec


def _compose(text: str, shown: str, diags: list[Diagnostic]):
    import yaml

    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        node = yaml.compose(text, Loader=loader_cls)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = err.problem or "invalid YAML"
        if err.context:
            joiner = ", " if problem.startswith("but ") else ": "
            problem = f"{err.context}{joiner}{problem}"
        hint = "check the indentation and quoting around this point"
        if "tab" in problem or _char_at(text, line, col) == "\t":
            diags.append(diag("E102", "tab character where YAML expects indentation", Where(shown, line, col),
                              "YAML indents with spaces only; replace the tab with spaces"))
            return None
        elif "document" in problem:
            hint = "a spec file holds a single YAML document; remove the extra `---`"
        elif "nesting depth" in problem:
            hint = "spec files are shallow; remove the excess nesting"
        diags.append(diag("E101", problem, Where(shown, line, col), hint))
        return None
    except yaml.YAMLError as err:
        diags.append(diag("E101", str(err).splitlines()[0], Where(shown, 1, 1)))
        return None
    if node is None:
        diags.append(diag("E105", "file is empty", Where(shown, 1, 1),
                          "a spec file is a YAML mapping; see the schema line at the top of the "
                          "other files for the keys it takes"))
        return None
    return node


def _pack(mark) -> int:
    return (mark.line + 1) << 16 | min(mark.column + 1, 0xFFFF)


def _char_at(text: str, line: int, col: int) -> str:
    lines = text.split("\n")
    if 0 < line <= len(lines) and 0 < col <= len(lines[line - 1]):
        return lines[line - 1][col - 1]
    return ""


class _Walker:
    """Turns a composed node tree into plain data, recording locations and rejecting what the
    spec does not allow."""

    def __init__(self, spec: SpecFile, diags: list[Diagnostic]):
        import yaml

        self._yaml = yaml
        self._constructor = yaml.constructor.SafeConstructor()
        self.spec = spec
        self.diags = diags
        self.seen: set[int] = set()
        self.aliases = 0
        self.failed = False

    def _error(self, code: str, message: str, node, hint: str = "", related: tuple = ()) -> None:
        mark = node.start_mark
        self.diags.append(diag(code, message, Where(self.spec.display, mark.line + 1, mark.column + 1), hint,
                               related=related))
        self.failed = True

    def walk(self, node, path: Path, depth: int) -> Any:
        if depth > MAX_DEPTH:
            self._error("E110", f"nesting deeper than {MAX_DEPTH} levels", node,
                        "spec files are shallow; remove the excess nesting")
            return None
        if id(node) in self.seen:
            # Report the first alias only: an alias bomb has thousands, and none is expanded.
            self.aliases += 1
            if self.aliases == 1:
                self._error("E104", "YAML alias (a `*anchor` reference) is not supported", node,
                            "write the value out in full; spec files do not use anchors or aliases")
            return None
        self.seen.add(id(node))
        self.spec.value_locs[path] = _pack(node.start_mark)
        yaml = self._yaml
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(item, path + (index,), depth + 1) for index, item in enumerate(node.value)]
        value = self._scalar(node)
        if not isinstance(value, str):
            self.spec.scalar_text[path] = node.value
        return value

    def _mapping(self, node, path: Path, depth: int) -> dict:
        result: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._error("E104", "YAML merge key `<<` is not supported", key_node,
                            "write the keys out in full; spec files do not use anchors or aliases")
                continue
            if not isinstance(key_node, self._yaml.ScalarNode):
                self._error("E109", "mapping key is not a plain string", key_node,
                            "keys are names such as task_key")
                continue
            key = self._scalar(key_node)
            if not isinstance(key, str):
                self._error("E109", f"mapping key {key_node.value!r} is read as {_yaml_type(key)}, "
                            "not a string", key_node, f"quote it: \"{key_node.value}\"")
                continue
            if key in result:
                packed = self.spec.key_locs[path + (key,)]
                first = Where(self.spec.display, packed >> 16, packed & 0xFFFF)
                self._error("E103", f"duplicate key {key!r} (first defined at line {first.line})", key_node,
                            "remove one of the two; YAML keeps only the last, silently", related=(first,))
                continue
            self.spec.key_locs[path + (key,)] = _pack(key_node.start_mark)
            result[key] = self.walk(value_node, path + (key,), depth + 1)
        return result

    def _scalar(self, node) -> Any:
        if node.tag == "tag:yaml.org,2002:str":
            return node.value
        try:
            return self._constructor.construct_object(node, deep=True)
        except self._yaml.YAMLError as err:
            self._error("E101", f"cannot read value {node.value!r}: {getattr(err, 'problem', err)}", node,
                        "quote the value if it is meant as text")
            return None


def _yaml_type(value: Any) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", type(None): "null"}
    return names.get(type(value), f"a {type(value).__name__}")
