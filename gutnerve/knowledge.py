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
import time
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
    if causes.is_dir():  # os.listdir and sorted names: sorting Path objects is slow for thousands of causes
        files += [causes / name for name in sorted(os.listdir(causes)) if name.endswith(".yaml")]
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
        found = "is a file, not a knowledge base folder" if root.exists() else "knowledge base folder not found"
        raise KnowledgeBaseError([Issue("error", str(root), found, "pass --kb PATH to a folder")])
    if not use_cache or os.environ.get("GUTNERVE_NO_CACHE"):
        return _build(root, fingerprint(root))
    from gutnerve import kbcache

    # As git does with its index: when no file has changed since the content hash was last
    # computed (same stat signature), reuse that hash rather than read every file again.
    signature, settled = stat_signature(root)
    stamp = kbcache.recall(signature)
    if stamp is None:
        stamp = fingerprint(root)
        if settled:
            kbcache.remember(signature, stamp)
    cached = kbcache.get(stamp)
    if cached is not None:
        return cached
    kb = _build(root, stamp)
    kbcache.put(stamp, kb)
    return kb


def _build(root: Path, stamp: str) -> KnowledgeBase:
    from gutnerve.kbcheck import Builder  # the validator: only when the cache cannot answer

    return Builder(root).build(stamp)


def read_head(path: str | os.PathLike[str], limit: int) -> bytes:
    """At most `limit` bytes from the start of a file; raises OSError.

    Few system calls, as the fingerprint runs this for every file on every start-up:
    the read is sized from fstat, not from `limit` (os.read allocates what it is
    asked for, and a 1 MB buffer per file tripled the time), then goes on in
    pieces if the file holds more than fstat said (growing, or /proc).
    O_NONBLOCK: a FIFO must not hang us.
    """
    handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        want = min(limit, os.fstat(handle).st_size + 1)
        chunks = [os.read(handle, want)]
        size = len(chunks[0])
        while size == want and size < limit:
            want = min(limit - size, 1 << 16)
            chunk = os.read(handle, want)
            chunks.append(chunk)
            size += len(chunk)
            if len(chunk) < want:
                break
        return b"".join(chunks)
    finally:
        os.close(handle)


# A file changed less than this long ago may change again within the same clock tick,
# leaving its stat data as it was ("racy git"): such a signature is not remembered.
SETTLE_SECONDS = 2.0


def stat_signature(root: Path, now: float | None = None) -> tuple[str, bool]:
    """A hash of the location and every file's name, size, inode, modification and change
    times (a stat call each, no reads), and whether every file is settled: last changed at
    least SETTLE_SECONDS before `now`. Writing a file updates its change time, which,
    unlike its modification time, cannot be set back, so a settled signature that is
    unchanged means unchanged files."""
    base = os.path.realpath(root)
    horizon = (time.time() if now is None else now) - SETTLE_SECONDS
    parts = [base]
    settled = True
    for name in _names(base):
        try:
            info = os.stat(os.path.join(base, name))
        except OSError:
            parts.append(f"{name}:missing")
            continue
        parts.append(f"{name}:{info.st_size}:{info.st_ino}:{info.st_mtime_ns}:{info.st_ctime_ns}")
        settled = settled and max(info.st_mtime, info.st_ctime) < horizon
    return hashlib.sha256("\n".join(parts).encode()).hexdigest(), settled


def _names(base: str) -> list[str]:
    """The knowledge base's files, relative to its folder, in a fixed order."""
    names = ["model.yaml", "findings.yaml", "tests.yaml"]
    causes = os.path.join(base, "causes")
    if os.path.isdir(causes):
        names += [os.path.join("causes", name) for name in sorted(os.listdir(causes)) if name.endswith(".yaml")]
    return names


def fingerprint(root: Path) -> str:
    """A hash of the knowledge base's location and every file's name and content.

    Only up to one byte past the size limit of a file is read: a file over the
    limit is refused by the loader anyway, so it is never cached. Strings and os
    calls rather than Path objects: this runs on every start-up, for every file.
    """
    from gutnerve.limits import MAX_FILE_BYTES  # not from yamlio: a cache hit must not import yaml

    base = os.path.realpath(root)
    digest = hashlib.sha256(base.encode())
    for name in _names(base):
        digest.update(os.path.basename(name).encode() + b"\0")
        digest.update(hashlib.sha256(_head(os.path.join(base, name), MAX_FILE_BYTES + 1)).digest())
    return digest.hexdigest()


def _head(path: str, limit: int) -> bytes:
    """read_head for the fingerprint: a folder or an unreadable path gives a marker instead."""
    try:
        return read_head(path, limit)
    except IsADirectoryError:
        return b"<not a file>"
    except OSError:
        return b"<unreadable>"
