"""Load the YAML knowledge base and check it into a list of issues.

`load(path)` returns a KnowledgeBase or raises KnowledgeBaseError carrying
every issue found (file, line, what is wrong, how to fix it); `validate(path)`
returns the issues. The checks are strict on purpose: an unknown key, a
dangling reference or an out-of-range number is an error, never ignored.

Layout of a knowledge base folder:
    model.yaml            engine settings (frequency terms, prevalence classes, triage thresholds)
    findings.yaml         the findings vocabulary
    tests.yaml            the test catalogue
    causes/<id>.yaml      one file per cause
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from gutnerve.model import Issue, KnowledgeBase

KB_ENV = "GUTNERVE_KB"


class KnowledgeBaseError(Exception):
    """The knowledge base could not be loaded; `issues` says why."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        errors = [i for i in issues if i.level == "error"]
        first = errors[0].one_line() if errors else "invalid knowledge base"
        more = f" (and {len(errors) - 1} more; run `gutnerve kb validate`)" if len(errors) > 1 else ""
        super().__init__(f"malformed knowledge base: {first}{more}")


def default_path() -> Path:
    """The knowledge base to use: $GUTNERVE_KB, else the one shipped with the package."""
    if os.environ.get(KB_ENV):
        return Path(os.environ[KB_ENV])
    shipped = Path(__file__).parent / "knowledge"
    if shipped.is_dir():
        return shipped
    return Path(__file__).parent.parent / "knowledge"  # running from a source checkout


def kb_files(root: Path) -> list[Path]:
    """Every file that makes up the knowledge base at `root`, in a stable order."""
    files = [root / "model.yaml", root / "findings.yaml", root / "tests.yaml"]
    causes = root / "causes"
    if causes.is_dir():
        files += sorted(causes.glob("*.yaml"))
    return files


def validate(path: str | os.PathLike[str] | None = None) -> list[Issue]:
    try:
        load(path)
    except KnowledgeBaseError as error:
        return error.issues
    return []


def load(path: str | os.PathLike[str] | None = None, use_cache: bool = True) -> KnowledgeBase:
    """Load and check a knowledge base; a valid one is cached (see gutnerve.kbcache)."""
    root = Path(path) if path is not None else default_path()
    if not root.is_dir():
        raise KnowledgeBaseError([Issue("error", str(root), "knowledge base folder not found", "pass --kb PATH to a folder")])
    if not use_cache or os.environ.get("GUTNERVE_NO_CACHE"):
        return _build(root, fingerprint(root))
    from gutnerve import kbcache

    stamp = fingerprint(root)
    cached = kbcache.get(stamp)
    if cached is not None:
        return cached
    kb = _build(root, stamp)
    kbcache.put(stamp, kb)
    return kb


def _build(root: Path, stamp: str) -> KnowledgeBase:
    from gutnerve.kbcheck import Builder  # the validator: only when the cache cannot answer

    return Builder(root).build(stamp)


def read_head(path: Path, limit: int) -> bytes:
    """At most `limit` bytes from the start of a file."""
    with path.open("rb") as handle:
        return handle.read(limit)


def fingerprint(root: Path) -> str:
    """A hash of the knowledge base's location and every file's name and content.

    Only regular files are read, and only up to one byte past the size limit: a
    file over the limit is refused by the loader anyway, so it is never cached.
    Plain os calls: this runs on every start-up, and Path methods cost twice as much.
    """
    from gutnerve.limits import MAX_FILE_BYTES  # not from yamlio: a cache hit must not import yaml

    digest = hashlib.sha256(os.path.realpath(root).encode())
    for path in kb_files(root):
        digest.update(path.name.encode() + b"\0")
        digest.update(hashlib.sha256(_head_if_regular(os.fspath(path), MAX_FILE_BYTES + 1)).digest())
    return digest.hexdigest()


def _head_if_regular(path: str, limit: int) -> bytes:
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # O_NONBLOCK: a FIFO must not hang us
    except OSError:
        return b"<unreadable>"
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return b"<not a file>"
        chunks, size = [], 0
        while size < limit and (chunk := os.read(handle, limit - size)):
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    except OSError:
        return b"<unreadable>"
    finally:
        os.close(handle)
