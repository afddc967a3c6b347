"""Static checks run with the tests, so CI runs them through the README's one test command."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from .conftest import ROOT


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.skipif(importlib.util.find_spec("ruff") is None, reason="ruff is in the test extras: pip install '.[test]'")
def test_ruff_is_clean():
    result = run_tool("ruff", "check", "gutnerve", "tests", "benchmarks", "hatch_build.py")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(importlib.util.find_spec("ruff") is None, reason="ruff is in the test extras: pip install '.[test]'")
def test_code_is_formatted():
    result = run_tool("ruff", "format", "--check", "gutnerve", "tests", "benchmarks", "hatch_build.py")
    assert result.returncode == 0, "run `ruff format gutnerve tests benchmarks`\n" + result.stdout + result.stderr


def test_mypy_strict_is_clean():
    pytest.importorskip("mypy", reason="mypy is in the test extras: pip install '.[test]'")
    result = run_tool("mypy")
    assert result.returncode == 0, result.stdout + result.stderr
