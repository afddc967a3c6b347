from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gutnerve import cli
from gutnerve.knowledge import load
from gutnerve.model import KnowledgeBase

ROOT = Path(__file__).parent.parent
MINI_KB = ROOT / "tests" / "fixtures" / "mini-kb"
CONTRACT = ROOT.parent / "shared" / "contract"


@pytest.fixture(scope="session")
def mini_kb() -> KnowledgeBase:
    return load(MINI_KB)


@pytest.fixture
def mini() -> KnowledgeBase:
    """A fresh copy of the mini knowledge base, without the cache: no tables memoised by earlier tests."""
    return load(MINI_KB, use_cache=False)


def edit(record: Any, **changes: object) -> Any:
    """A copy of a frozen record (dataclass or NamedTuple) with some fields replaced."""
    return record._replace(**changes) if hasattr(record, "_replace") else dataclasses.replace(record, **changes)


def with_cause(kb: KnowledgeBase, cause_id: str, **changes: object) -> KnowledgeBase:
    """A copy of kb with one cause's fields replaced (a new object: no memoised tables)."""
    causes = dict(kb.causes)
    causes[cause_id] = edit(causes[cause_id], **changes)
    return edit(kb, causes=causes)


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The shipped knowledge base."""
    return load()


@pytest.fixture(scope="module")
def shipped() -> KnowledgeBase:
    """The shipped knowledge base loaded afresh (not from the cache): its own compiled tables."""
    return load(use_cache=False)


def synthetic_kb(folder: Path, **params: int) -> KnowledgeBase:
    """A knowledge base written by benchmarks/synthetic_kb.py into `folder` (causes, findings,
    links, seed) and loaded without the cache."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic_kb import write

    write(folder, **params)
    return load(folder, use_cache=False)


class Run:
    """The result of one in-process run of the command line."""

    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]):
    """Run `gutnerve ARGS...` in-process, as a user types it: exit status, stdout, stderr."""

    def _run(*args: str) -> Run:
        code = cli.main(list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return _run


def gutnerve_command() -> list[str]:
    """The installed `gutnerve` command if on PATH, else `python -m gutnerve`."""
    exe = shutil.which("gutnerve")
    return [exe] if exe else [sys.executable, "-m", "gutnerve"]


def run_process(
    *args: str, stdin: str | bytes | None = None, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    data = stdin.encode() if isinstance(stdin, str) else stdin
    return subprocess.run(
        gutnerve_command() + list(args), input=data, capture_output=True, timeout=60, env=env, cwd=cwd, check=False
    )
