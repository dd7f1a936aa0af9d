"""Which files of a bundle the Databricks CLI uploads on `bundle deploy`, computed by its rules.

One function of the truth, used by the compiler (a bundle must not reference a file that would
not upload: E512), by `make verify` (what should be on the workspace) and by the stand-in
`databricks` executable of the tests (what it uploads), so the three can never disagree.

The CLI's rules (libs/sync and libs/git of databricks/cli), restated:

    uploaded = (files not git-ignored  ∪  files matching sync.include)  −  files matching sync.exclude

- The git part is anchored at the *worktree root*: the nearest folder at or above the bundle root
  holding a `.git` entry, or the bundle root itself when there is none. Ignore rules come from
  that root's `.gitignore`, `.git/info/exclude`, the fixed patterns `.git` and `.databricks`, and
  the `.gitignore` of every folder on the way down to a file. A file is ignored when any of those
  files matches it (matched relative to the folder of the `.gitignore`), or when one of its
  folders is (a folder is tried as `dir` and as `dir/`); the bundle root is a folder too, so a
  git-ignored `build/` ignores everything in it.
- `sync.include` and `sync.exclude` are gitignore-style patterns relative to the bundle root,
  matched against each file (folders are never pruned). The CLI always adds
  `.databricks/bundle/<target>/.internal/*.*` to the includes.
- Symbolic links and other non-regular files are never uploaded.

Patterns are gitignore patterns with git's own semantics, matched by the `pathspec` library
(`GitIgnoreSpec`) on the RE2 engine, so matching takes linear time whatever the pattern: a pattern
without a `/` (other than a trailing one) matches at any depth, one with a `/` is anchored to the
folder of its list, `dir/` matches a folder and everything below it, `**` spans folders, `?` is one
character, and within one list a later `!pattern` re-includes what an earlier line matched. Each
ignore file is its own list: as in the CLI, a file is ignored when any list on its way down matches
it. Lines that are not valid patterns are skipped in ignore files (git does the same) and reported
in the spec's own `sync` lists. The global `core.excludesFile` of the user's git configuration is
not read (it is per machine, not per project).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache

ALWAYS_IGNORED = (".git", ".databricks")


# ---- gitignore pattern lists (pathspec's GitIgnoreSpec on RE2: linear-time matching) ----------
def pattern_problem(line: str) -> str | None:
    """Why `line` is not a usable gitignore pattern, or None (blank lines and comments are fine)."""
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

    try:
        GitIgnoreSpecPattern(line)
    except (ValueError, TypeError) as err:
        return str(err)
    return None


@lru_cache(maxsize=4096)
def _compiled(lines: tuple[str, ...]):
    """(the lines that are patterns, their GitIgnoreSpec), invalid lines dropped."""
    import pathspec
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

    kept = []
    for line in lines:
        try:
            pattern = GitIgnoreSpecPattern(line.rstrip("\r"))
        except (ValueError, TypeError):
            continue  # git skips a line it cannot read; so does the CLI
        if pattern.include is not None:
            kept.append(line.rstrip("\r"))
    if not kept:
        return (), None
    return tuple(kept), pathspec.GitIgnoreSpec.from_lines(kept, backend="re2")


@dataclass(frozen=True)
class PatternList:
    """The lines of one ignore file (or an include/exclude list), with where they came from."""

    lines: tuple[str, ...]
    origin: str = ""

    def match(self, path: str) -> str | None:
        """The line that decides `path` is matched, or None (no line matches, or the last line
        that does is a `!` re-include). A trailing `/` marks a folder."""
        kept, spec = _compiled(self.lines)
        if spec is None:
            return None
        result = spec.check_file(path)
        return kept[result.index] if result.include else None


def read_lines(path: str) -> tuple[str, ...]:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return tuple(handle.read().split("\n"))
    except OSError:
        return ()


def clean(path: str) -> str:
    """Go's path.Clean for slash paths: '' and './' become '.', `a//b/../c/` becomes `a/c`, a
    leading `/` stays (it anchors a pattern) and a trailing one goes."""
    path = path.replace(os.sep, "/")
    rooted = path.startswith("/")
    out: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if out and out[-1] != "..":
                out.pop()
            elif not rooted:
                out.append(part)
            continue
        out.append(part)
    text = "/".join(out)
    return ("/" + text) if rooted else (text or ".")


def find_worktree_root(bundle_root: str) -> str:
    """The nearest folder at or above `bundle_root` holding `.git`; the bundle root when none."""
    folder = os.path.abspath(bundle_root)
    while True:
        if os.path.lexists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return os.path.abspath(bundle_root)
        folder = parent


def _git_common_dir(worktree: str) -> str:
    dot_git = os.path.join(worktree, ".git")
    if os.path.isfile(dot_git):  # a linked worktree: `gitdir: <path>`, whose `commondir` names the shared one
        text = "".join(read_lines(dot_git)).strip()
        if text.startswith("gitdir:"):
            git_dir = os.path.join(worktree, text[len("gitdir:"):].strip())
            common = "".join(read_lines(os.path.join(git_dir, "commondir"))).strip()
            return os.path.normpath(os.path.join(git_dir, common)) if common else git_dir
    return dot_git


def rule_files(bundle_root: str) -> list[str]:
    """The ignore files that decide what uploads from `bundle_root`, from the worktree root down
    to it (those inside it are not the compiler's to write), for the build's fingerprint."""
    bundle_root = os.path.abspath(bundle_root)
    worktree = find_worktree_root(bundle_root)
    files = [os.path.join(_git_common_dir(worktree), "info", "exclude")]
    folder = worktree
    for part in [""] + [p for p in os.path.relpath(bundle_root, worktree).split(os.sep) if p not in ("", ".")]:
        folder = os.path.join(folder, part) if part else folder
        files.append(os.path.join(folder, ".gitignore"))
    return files


@dataclass
class GitIgnores:
    """The ignore rules of one worktree, loaded lazily per folder."""

    worktree: str
    _by_prefix: dict[str, list[PatternList]] = field(default_factory=dict)

    def rules(self, prefix: str) -> list[PatternList]:
        found = self._by_prefix.get(prefix)
        if found is None:
            if prefix == ".":
                found = [PatternList((".git",), "(always ignored)"),
                         PatternList(read_lines(os.path.join(_git_common_dir(self.worktree), "info", "exclude")),
                                     ".git/info/exclude"),
                         PatternList(read_lines(os.path.join(self.worktree, ".gitignore")), ".gitignore"),
                         PatternList((".databricks",), "(always ignored)")]
            else:
                origin = f"{prefix}/.gitignore"
                found = [PatternList(read_lines(os.path.join(self.worktree, *prefix.split("/"), ".gitignore")), origin)]
            self._by_prefix[prefix] = found
        return found

    def ignored_by(self, rel: str) -> str | None:
        """Why the worktree-relative `rel` (a trailing `/` marks a folder) is ignored, or None."""
        trailing = "/" if rel.endswith("/") else ""
        parts = [p for p in rel.rstrip("/").split("/") if p]
        if not parts or parts == ["."]:
            return None  # the worktree root itself is never ignored
        for i in range(len(parts)):
            prefix = "/".join(parts[:i]) or "."
            suffix = "/".join(parts[i:]) + trailing
            for patterns in self.rules(prefix):
                line = patterns.match(suffix)
                if line is not None:
                    return f"{patterns.origin} (`{line.strip()}`)"
        return None


@dataclass
class SyncRules:
    """The CLI's upload rules for one bundle root; `uploads(rel)` for one path, `files()` on disk."""

    bundle_root: str
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    worktree: str = ""
    _git: GitIgnores | None = None
    _view: str = "."

    def __post_init__(self) -> None:
        self.bundle_root = os.path.abspath(self.bundle_root)
        self.worktree = self.worktree or find_worktree_root(self.bundle_root)
        self._git = GitIgnores(self.worktree)
        self._view = clean(os.path.relpath(self.bundle_root, self.worktree))
        self._include = PatternList(tuple(clean(p) for p in self.include), "sync.include")
        self._exclude = PatternList(tuple(clean(p) for p in self.exclude), "sync.exclude")

    @classmethod
    def for_bundle(cls, bundle_root: str, sync: dict, target: str = "") -> "SyncRules":
        include = list(sync.get("include") or [])
        if target:
            include.append(f".databricks/bundle/{target}/.internal/*.*")
        return cls(bundle_root, tuple(include), tuple(sync.get("exclude") or []))

    def _worktree_path(self, rel: str) -> str:
        return clean(f"{self._view}/{rel}") if self._view != "." else clean(rel)

    def git_ignored(self, rel: str) -> str | None:
        """Why git ignores bundle-relative file `rel`, by itself or through one of its folders."""
        parts = clean(rel).split("/")
        for depth in range(len(parts)):  # the bundle root (depth 0) and each folder down to the file
            folder = self._worktree_path("/".join(parts[:depth]) or ".")
            if folder == ".":
                continue
            reason = self._git.ignored_by(folder) or self._git.ignored_by(folder + "/")
            if reason:
                return reason
        return self._git.ignored_by(self._worktree_path(rel))

    def why_not(self, rel: str) -> str | None:
        """None when `rel` uploads; otherwise the reason it does not."""
        rel = clean(rel)
        excluded = self._exclude.match(rel)
        if excluded is not None:
            return f"it matches sync.exclude `{excluded}`"
        if self._include.match(rel) is not None:
            return None
        ignored = self.git_ignored(rel)
        if ignored is not None:
            return f"git ignores it ({ignored}) and no sync.include pattern names it"
        return None

    def uploads(self, rel: str) -> bool:
        return self.why_not(rel) is None

    def files(self) -> list[str]:
        """Bundle-relative paths of the regular files on disk that a deploy uploads, sorted."""
        found = []
        for folder, dirs, names in os.walk(self.bundle_root):
            dirs.sort()
            rel_folder = os.path.relpath(folder, self.bundle_root).replace(os.sep, "/")
            for name in sorted(names):
                path = os.path.join(folder, name)
                if os.path.islink(path) or not os.path.isfile(path):
                    continue
                rel = name if rel_folder == "." else f"{rel_folder}/{name}"
                if self.uploads(rel):
                    found.append(rel)
        return sorted(found)
