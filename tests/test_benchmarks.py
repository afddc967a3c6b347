"""The benchmark scripts the README quotes still run and print what they promise (on small inputs:
the figures themselves are measured by hand, not by tests)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).parent.parent / "benchmarks"


def run(script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_batch_throughput_prints_cases_per_second_and_peak_memory():
    out = run("batch_throughput.py", "--cases", "3000")
    assert re.search(r"throughput\s+[\d,]+ cases/s", out), out
    assert re.search(r"peak memory\s+[\d,]+ MiB", out), out
    assert "3,000" in out


@pytest.mark.parametrize("path", [[], ["--pure"]])
def test_batch_stages_prints_each_stage(path):
    out = run("batch_stages.py", "--cases", "300", "--runs", "1", *path)
    stages = re.findall(r"^  (.+?)\s+(\d+\.\d)$", out, flags=re.MULTILINE)
    names = [name for name, _ in stages]
    assert names[-1] == "total" and len(names) >= 6, out
    total = float(stages[-1][1])
    assert abs(sum(float(value) for _, value in stages[:-1]) - total) <= 0.1 * len(stages), out
