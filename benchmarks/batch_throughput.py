"""Throughput of `gutnerve batch --top 5`: cases per second and peak memory.

    python benchmarks/batch_throughput.py [--cases 200000] [--findings 5] [--top 5]

Writes a JSONL file of random valid cases (seeded, so every run scores the
same input), runs the installed command on it as a user would
(`gutnerve batch FILE --top 5 > /dev/null`), and prints the wall time, cases
per second and the child's peak resident memory. Start-up is included in the
wall time, so use enough cases (the default) for it not to matter.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def write_cases(path: Path, count: int, per_case: int, seed: int = 1, kb_path: str | None = None) -> None:
    from gutnerve.knowledge import load

    kb = load(kb_path)
    findings = list(kb.findings)
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for number in range(count):
            chosen = rng.sample(findings, per_case + 2)
            case = {
                "id": f"case-{number}",
                "age": rng.randint(16, 90),
                "sex": rng.choice(["female", "male"]),
                "present": chosen[:per_case],
                "absent": chosen[per_case:],
            }
            out.write(json.dumps(case) + "\n")


def installed_env() -> dict[str, str]:
    """The environment of a user's run: `pip install` byte-compiles the package, so let the
    warm-up run write __pycache__ (under PYTHONDONTWRITEBYTECODE=1 an editable install would
    recompile gutnerve's modules on every run)."""
    return {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def gutnerve_command() -> list[str]:
    import shutil

    exe = shutil.which("gutnerve")
    return [exe] if exe else [sys.executable, "-m", "gutnerve"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--findings", type=int, default=5, help="present findings per case (2 more are absent)")
    parser.add_argument("--top", type=int, default=5)
    parser.add_argument("--kb", help="another knowledge base (e.g. one from benchmarks/synthetic_kb.py)")
    parser.add_argument("--jobs", type=int, help="worker processes (default: gutnerve's, one per core)")
    parser.add_argument("--extra", nargs=argparse.REMAINDER, default=[], help="more arguments for `gutnerve batch`")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        cases = Path(folder) / "cases.jsonl"
        write_cases(cases, args.cases, args.findings, kb_path=args.kb)
        command = [*gutnerve_command(), *(["--kb", args.kb] if args.kb else []), "batch", str(cases), "--top", str(args.top)]
        command += [*(["--jobs", str(args.jobs)] if args.jobs else []), *args.extra]
        start = time.perf_counter()
        with open(Path(folder) / "out.jsonl", "wb") as sink:
            done = subprocess.run(command, stdout=sink, stderr=subprocess.PIPE, check=False, env=installed_env())
        elapsed = time.perf_counter() - start
        lines = sum(1 for _ in (Path(folder) / "out.jsonl").open("rb"))
    if done.returncode != 0 or lines != args.cases:
        sys.exit(f"batch failed (exit {done.returncode}, {lines} lines out of {args.cases}): {done.stderr.decode()[:300]}")
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"command      {' '.join(command).replace(str(cases), 'CASES.jsonl')}")
    print(f"cases        {args.cases:,} ({args.findings} present + 2 absent findings each)")
    print(f"wall time    {elapsed:.2f} s")
    print(f"throughput   {args.cases / elapsed:,.0f} cases/s")
    print(f"peak memory  {peak_mib:,.0f} MiB (resident, the gutnerve process)")


if __name__ == "__main__":
    main()
