"""A cache of validated knowledge bases, so that each run need not parse YAML.

The parsed KnowledgeBase is pickled into the user's cache directory
($XDG_CACHE_HOME/gutnerve, else ~/.cache/gutnerve), keyed by a hash of the
knowledge-base files and the package version. Any problem with the cache
(missing, stale, corrupt, unreadable, unwritable) is silent: the caller falls
back to the YAML and gets the same result. Only valid knowledge bases are
cached, so validation errors are always reported afresh.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

from gutnerve.model import KnowledgeBase

FORMAT = 3  # bump when the dataclasses change shape


def directory() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "gutnerve"


def _path(stamp: str) -> Path:
    from gutnerve import __version__

    key = hashlib.sha256(f"{FORMAT}:{__version__}:{stamp}".encode()).hexdigest()[:32]
    return directory() / f"kb-{key}.pickle"


def get(stamp: str) -> KnowledgeBase | None:
    try:
        with _path(stamp).open("rb") as handle:
            kb = pickle.load(handle)
    except Exception:  # noqa: BLE001 - any failure means: no usable cache
        return None
    if isinstance(kb, KnowledgeBase) and kb.fingerprint == stamp:
        return kb
    return None


def put(stamp: str, kb: KnowledgeBase) -> None:
    target = _path(stamp)
    temporary: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        import tempfile  # only when writing: a cache hit should not pay for it

        with tempfile.NamedTemporaryFile("wb", dir=target.parent, delete=False, suffix=".tmp") as handle:
            temporary = handle.name
            pickle.dump(kb, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, target)  # atomic: readers see the old file or the new one
    except Exception:  # noqa: BLE001 - an unwritable cache only costs speed
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
