"""Read an evidence repository as it was at a git commit, through the ``git`` command.

No git library is needed: ``git rev-parse`` names the commit, ``git ls-tree`` lists the files
and one ``git cat-file --batch`` process reads every YAML file. Other files (documents under
``files/``) are written as empty placeholders, because the checks only ask whether they exist.
"""

from __future__ import annotations

import os
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ascready.errors import GitError
from ascready.repository.loader import YAML_SUFFIXES
from ascready.repository.project import PROFILE_FILE
from ascready.repository.yamlsafe import MAX_FILE_BYTES

_FETCH_HELP = (
    "If this is a shallow clone (CI checkouts usually are), fetch the history first: "
    "git fetch --unshallow, or in GitHub Actions give actions/checkout 'fetch-depth: 0', "
    "or in GitLab CI set the variable GIT_DEPTH to 0."
)


@dataclass(frozen=True)
class GitRepository:
    """The git work tree that holds an evidence repository."""

    top: Path  # the work tree's top folder
    prefix: str  # the evidence repository's folder inside it, posix, "" at the top

    def path_in_tree(self, rel: str) -> str:
        return f"{self.prefix}/{rel}" if self.prefix else rel


#: Settings that keep the repository's own git configuration from running anything: a
#: repository handed over (as a zip, or a pull request's branch) may set a file-system monitor,
#: hooks, an external diff or a text conversion, and ascready only ever reads.
_SAFE = (
    "-c",
    "core.quotepath=off",
    "-c",
    "core.fsmonitor=false",
    "-c",
    f"core.hooksPath={os.devnull}",
    "-c",
    "diff.external=",
    "-c",
    "core.pager=cat",
    "--no-pager",
)


def _run(cwd: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"}
    try:
        return subprocess.run(
            ["git", *_SAFE, *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            env=env,
            check=False,
        )
    except FileNotFoundError:
        raise GitError(
            "ascready diff reads the repository's history with the git command, and git is not "
            "installed here. Install git (https://git-scm.com/downloads) and run it again."
        ) from None


def _stderr(proc: subprocess.CompletedProcess[bytes]) -> str:
    text = proc.stderr.decode("utf-8", "replace").strip()
    return text.splitlines()[-1] if text else f"git exited with status {proc.returncode}"


def open_repository(root: Path) -> GitRepository:
    """The git work tree around the evidence repository at ``root``."""
    proc = _run(root, "rev-parse", "--show-toplevel")
    if proc.returncode != 0:
        detail = _stderr(proc)
        if "dubious ownership" in proc.stderr.decode("utf-8", "replace"):
            raise GitError(
                f"git refuses to read '{root}' because another user owns it ({detail}). "
                "Run the command git suggests (git config --global --add safe.directory ...)."
            )
        raise GitError(
            f"'{root}' is not inside a git repository, so there is no history to compare. "
            "ascready diff compares two versions of the evidence in git: run it in a clone of "
            "the evidence repository."
        )
    top = Path(proc.stdout.decode("utf-8").strip())
    rel = os.path.relpath(os.path.realpath(root), os.path.realpath(top))
    prefix = "" if rel == "." else PurePosixPath(Path(rel).as_posix()).as_posix()
    return GitRepository(top, prefix)


def resolve_commit(repo: GitRepository, ref: str) -> str:
    """The full commit id ``ref`` names, or a :class:`GitError` saying how to fetch it."""
    if not ref.strip() or ref.startswith("-"):
        raise GitError(f"'{ref}' is not a branch, tag or commit name")
    proc = _run(
        repo.top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"
    )
    if proc.returncode == 0:
        return proc.stdout.decode("ascii").strip()
    shallow = _run(repo.top, "rev-parse", "--is-shallow-repository").stdout.strip() == b"true"
    advice = []
    remote, _, branch = ref.partition("/")
    if branch and remote in _remotes(repo):
        advice.append(f"Fetch it with: git fetch {remote} {branch}")
    if shallow:
        advice.append(_FETCH_HELP)
    elif not advice:
        advice.append(
            "Check the name: git branch --all lists the branches, git log --oneline the commits."
        )
    where = "this shallow clone" if shallow else "this clone"
    raise GitError(f"'{ref}' is not a branch, tag or commit in {where}. {' '.join(advice)}")


def _remotes(repo: GitRepository) -> set[str]:
    proc = _run(repo.top, "remote")
    return set(proc.stdout.decode("utf-8", "replace").split()) if proc.returncode == 0 else set()


def short_name(repo: GitRepository, commit: str) -> str:
    proc = _run(repo.top, "rev-parse", "--short", commit)
    return proc.stdout.decode("ascii").strip() if proc.returncode == 0 else commit[:12]


@dataclass(frozen=True)
class Exported:
    """A commit's evidence repository written to disk, and every file it had."""

    root: Path
    paths: tuple[str, ...]  # every file at that commit, relative to the repository


def _blobs(repo: GitRepository, commit: str) -> list[tuple[str, str, str]]:
    """(mode, object id, path inside the evidence repository) of every file the repository
    had at ``commit`` (GitError if git cannot list them). Submodules, files beside a repository
    whose name is a prefix of its folder's, and paths that would leave it are left out."""
    spec = repo.prefix or "."
    proc = _run(repo.top, "ls-tree", "-r", "-z", "--full-tree", commit, "--", spec)
    if proc.returncode != 0:
        raise GitError(f"git cannot list the files of {commit[:12]}: {_stderr(proc)}")
    skip_len = len(repo.prefix) + 1 if repo.prefix else 0
    blobs: list[tuple[str, str, str]] = []
    for entry in proc.stdout.split(b"\0"):
        if not entry:
            continue
        meta, _, raw_path = entry.partition(b"\t")
        mode, kind, oid = meta.decode("ascii").split()
        path = raw_path.decode("utf-8", "surrogateescape")
        if kind != "blob" or (repo.prefix and not path.startswith(repo.prefix + "/")):
            continue
        rel = path[skip_len:]
        parts = PurePosixPath(rel).parts
        if not parts or ".." in parts or PurePosixPath(rel).is_absolute():
            continue
        blobs.append((mode, oid, rel))
    return blobs


def export(
    repo: GitRepository, commit: str, dest: Path, *, skip: frozenset[str] = frozenset()
) -> Exported | None:
    """Write the evidence repository as it was at ``commit`` under ``dest``.

    YAML files are written whole; other files (documents under ``files/``) as empty
    placeholders, since checks only ask whether they exist. Files in ``skip`` are listed but not
    written: the caller has them already. Returns None when the evidence repository did not
    exist at that commit (for example, the change that first adds it).
    """
    blobs = _blobs(repo, commit)
    if not any(rel == PROFILE_FILE for _, _, rel in blobs):
        return None
    written = [b for b in blobs if b[2] not in skip or b[2] == PROFILE_FILE]
    wanted = [
        oid for mode, oid, rel in written if mode == "120000" or rel.lower().endswith(YAML_SUFFIXES)
    ]
    sizes = _blob_sizes(repo, wanted)
    too_large = {oid for oid in wanted if sizes.get(oid, 0) > MAX_FILE_BYTES}
    contents = _read_blobs(repo, [oid for oid in wanted if oid not in too_large])
    root = dest / "repository"
    root.mkdir(parents=True)
    for mode, oid, rel in written:
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if oid in too_large:
            # Not read: a file of the same size, holding nothing (sparse), which the loader
            # refuses as too large without reading it.
            with target.open("wb") as handle:
                handle.truncate(sizes[oid])
        elif mode == "120000":
            try:
                os.symlink(contents[oid].decode("utf-8", "surrogateescape"), target)
            except OSError:  # no right to make links (Windows): the link is still a file there
                target.write_bytes(b"")
        else:
            target.write_bytes(contents.get(oid, b""))
    return Exported(root, tuple(rel for _, _, rel in blobs))


def changed_since(repo: GitRepository, commit: str) -> frozenset[str] | None:
    """The YAML files of the evidence repository at ``commit`` (relative to the repository)
    that the working tree does not hold byte for byte, or None if git cannot tell.

    Each working file's bytes are hashed as they are (``git hash-object --no-filters``): no
    clean filter, no index refresh and no file-system monitor from the repository's own
    configuration runs, and a file that is not a regular file (a link, a FIFO) counts as changed
    without being read."""
    try:
        blobs = _blobs(repo, commit)
    except GitError:
        return None
    changed: set[str] = set()
    regular: list[tuple[str, str, str]] = []  # (object id, path in the repository, on disk)
    for mode, oid, rel in blobs:
        if not rel.lower().endswith(YAML_SUFFIXES):
            continue
        full = os.path.join(repo.top, *PurePosixPath(repo.path_in_tree(rel)).parts)
        try:
            info = os.lstat(full)
        except OSError:
            changed.add(rel)
            continue
        if mode not in ("100644", "100755") or not stat.S_ISREG(info.st_mode) or "\n" in full:
            changed.add(rel)
            continue
        regular.append((oid, rel, full))
    if regular:
        hashed = _run(
            repo.top,
            "hash-object",
            "--no-filters",
            "--stdin-paths",
            stdin="".join(f"{full}\n" for _, _, full in regular).encode("utf-8", "surrogateescape"),
        )
        digests = hashed.stdout.decode("ascii", "replace").split()
        if hashed.returncode != 0 or len(digests) != len(regular):
            return None
        changed.update(
            rel for (oid, rel, _), now in zip(regular, digests, strict=True) if now != oid
        )
    return frozenset(changed)


def _blob_sizes(repo: GitRepository, oids: list[str]) -> dict[str, int]:
    """Each object's size, from one ``git cat-file --batch-check`` run, before any is read."""
    unique = sorted(set(oids))
    if not unique:
        return {}
    proc = _run(
        repo.top, "cat-file", "--batch-check", stdin="".join(f"{o}\n" for o in unique).encode()
    )
    if proc.returncode != 0:
        raise GitError(f"git cannot read the files of that commit: {_stderr(proc)}")
    sizes: dict[str, int] = {}
    for line in proc.stdout.decode("ascii", "replace").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2].isdigit():
            sizes[parts[0]] = int(parts[2])
    return sizes


def _read_blobs(repo: GitRepository, oids: list[str]) -> dict[str, bytes]:
    """Every object's bytes, from one ``git cat-file --batch`` run."""
    unique = sorted(set(oids))
    if not unique:
        return {}
    proc = _run(repo.top, "cat-file", "--batch", stdin="".join(f"{o}\n" for o in unique).encode())
    if proc.returncode != 0:
        raise GitError(f"git cannot read the files of that commit: {_stderr(proc)}")
    out: dict[str, bytes] = {}
    data = proc.stdout
    pos = 0
    for oid in unique:
        end = data.index(b"\n", pos)
        header = data[pos:end].decode("ascii").split()
        if len(header) != 3:
            raise GitError(f"git cannot read object {oid[:12]} ({' '.join(header)})")
        size = int(header[2])
        out[oid] = data[end + 1 : end + 1 + size]
        pos = end + 1 + size + 1
    return out


def names_in_history(root: Path, folder: str) -> frozenset[str]:
    """The names (without their extension) of every file the evidence repository at ``root``
    has had in ``folder``, in any commit of its git history: deleted files too. Nothing when
    ``root`` is not in a git work tree, or git is not there (the caller's own list of files
    is then all there is)."""
    try:
        repo = open_repository(root)
    except GitError:
        return frozenset()
    spec = repo.path_in_tree(folder)
    proc = _run(
        repo.top, "log", "--all", "--no-renames", "--format=", "--name-only", "-z", "--", spec
    )
    if proc.returncode != 0:
        return frozenset()
    return frozenset(
        PurePosixPath(raw.decode("utf-8", "surrogateescape")).stem
        for raw in proc.stdout.split(b"\0")
        if raw.strip()
    )
