"""A cache of validated knowledge bases, so that each run need not parse YAML.

The parsed KnowledgeBase is pickled into the user's cache directory
($XDG_CACHE_HOME/gutnerve, else ~/.cache/gutnerve), keyed by a hash of the
knowledge-base files, the package version and the engine's code (so a changed
validator or scoring module never reads an old entry). Any problem with the cache
(missing, stale, corrupt, unreadable, unwritable) is silent: the caller falls
back to the YAML and gets the same result. Only valid knowledge bases are
cached, so validation errors are always reported afresh.

Computing the content hash reads every file; on a knowledge base of thousands
of files that was a twentieth of a second per run. So, as git does with its
index, a small `stat-*` file remembers the hash for a stat signature (sizes,
inodes, modification and change times); an unchanged signature reuses the hash
and any change recomputes it (see knowledge.stat_signature).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from gutnerve.model import KnowledgeBase

FORMAT = 9  # bump when what is pickled changes shape
# How many entries of each kind the cache keeps, the most recently used (a hit refreshes an
# entry's time): each edit of a knowledge base, or upgrade, writes a new entry of a megabyte
# or more, which nothing would read again.
KEEP_KNOWLEDGE_BASES = 8
KEEP_SIGNATURES = 64


def directory() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "gutnerve"


def _path(stamp: str) -> Path:
    from gutnerve import __version__

    key = hashlib.sha256(f"{FORMAT}:{__version__}:{code_stamp()}:{stamp}".encode()).hexdigest()[:32]
    return directory() / f"kb-{key}.pickle"


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many objects that are all kept:
    its repeated passes over them took 40% of the time to unpickle a large knowledge base."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def code_stamp() -> str:
    """Name, size and modification time of every module of the package (a few stat calls)."""
    package = os.path.dirname(os.path.abspath(__file__))
    parts = []
    for folder in (package, os.path.join(package, "render")):
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.name.endswith(".py"):
                    info = entry.stat()
                    parts.append(f"{entry.name}:{info.st_size}:{info.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _signature_path(signature: str) -> Path:
    return directory() / f"stat-{signature[:32]}"


def recall(signature: str) -> str | None:
    """The content fingerprint remembered for a stat signature (knowledge.stat_signature), if any."""
    try:
        with _signature_path(signature).open("rb") as handle:
            signature_read, stamp = handle.read(200).decode("ascii").split()
    except Exception:  # noqa: BLE001 - any failure means: compute the fingerprint
        return None
    if signature_read != signature or len(stamp) != 64:
        return None
    _touch(_signature_path(signature))
    return stamp


def remember(signature: str, stamp: str) -> None:
    """Keep the content fingerprint of files whose stat signature is `signature`."""
    _write(_signature_path(signature), lambda handle: handle.write(f"{signature} {stamp}\n".encode("ascii")))
    prune("stat-*", KEEP_SIGNATURES)


def get(stamp: str) -> KnowledgeBase | None:
    try:
        with _path(stamp).open("rb") as handle, no_gc():
            kb = pickle.load(handle)
    except Exception:  # noqa: BLE001 - any failure means: no usable cache
        return None
    if isinstance(kb, KnowledgeBase) and kb.fingerprint == stamp:
        _touch(_path(stamp))
        return kb
    return None


def put(stamp: str, kb: KnowledgeBase) -> None:
    _write(_path(stamp), lambda handle: pickle.dump(kb, handle, protocol=pickle.HIGHEST_PROTOCOL))
    prune("kb-*.pickle", KEEP_KNOWLEDGE_BASES)


def _touch(path: Path) -> None:
    """Mark an entry as just used, so `prune` keeps it (silent on failure, as all the cache)."""
    with contextlib.suppress(OSError):
        os.utime(path)


def prune(pattern: str, keep: int) -> None:
    """Delete all but the `keep` most recently used entries matching `pattern`; silent on
    failure, as all the cache."""
    with contextlib.suppress(OSError):
        entries = []
        for path in directory().glob(pattern):
            with contextlib.suppress(OSError):  # another process may have pruned it already
                entries.append((path.stat().st_mtime_ns, path))
        entries.sort(reverse=True)
        for _, path in entries[keep:]:
            path.unlink(missing_ok=True)


def _write(target: Path, fill: Callable[[IO[bytes]], object]) -> None:
    """Write a cache file atomically (readers see the old file or the new one); any failure
    is silent, as an unwritable cache only costs speed."""
    temporary: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        import tempfile  # only when writing: a cache hit should not pay for it

        with tempfile.NamedTemporaryFile("wb", dir=target.parent, delete=False, suffix=".tmp") as handle:
            temporary = handle.name
            fill(handle)
        os.replace(temporary, target)
    except Exception:  # noqa: BLE001 - an unwritable cache only costs speed
        if temporary is not None:
            with contextlib.suppress(OSError):
                Path(temporary).unlink(missing_ok=True)
