"""How the cost grows with the number of causes and with the findings per case.

    python benchmarks/scale.py [--findings 1000] [--causes 250,500,1000,2000] [--per-case 1,3,5,10,20]

For each size it writes a synthetic knowledge base (benchmarks/synthetic_kb.py)
into a temporary folder, warms its cache, and measures:

- `assess`: the median wall time of `gutnerve --kb KB assess --F1 --F2 --no-F3
  --json --top 5`, run as a user types it (5 runs);
- `batch`: cases per second of `gutnerve --kb KB batch CASES --top 5` over
  random cases with 5 present and 2 absent findings (one worker per core);
- per case: microseconds to score one case in-process (gutnerve.batch.assess_lines,
  one process), which shows the engine's own growth without start-up.

Then, on the largest knowledge base, the in-process cost per case for cases
with more findings. Prints Markdown tables (docs/performance.md quotes them).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from batch_throughput import gutnerve_command, installed_env  # noqa: E402
from synthetic_kb import finding_id, write  # noqa: E402


def cases(count: int, findings: int, present: int, absent: int, seed: int = 3) -> list[bytes]:
    rng = random.Random(seed)
    out = []
    for number in range(count):
        chosen = [finding_id(n) for n in rng.sample(range(findings), present + absent)]
        case = {"id": f"c{number}", "age": rng.randint(16, 90), "present": chosen[:present], "absent": chosen[present:]}
        out.append(json.dumps(case).encode() + b"\n")
    return out


def assess_seconds(kb: Path, runs: int = 5) -> float:
    command = [*gutnerve_command(), "--kb", str(kb), "assess"]
    command += [f"--{finding_id(1)}", f"--{finding_id(2)}", f"--no-{finding_id(3)}", "--json", "--top", "5"]
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, check=True, env=installed_env())
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])  # the first run may build the cache


def batch_rate(kb: Path, lines: list[bytes], folder: Path) -> float:
    path = folder / "cases.jsonl"
    path.write_bytes(b"".join(lines))
    start = time.perf_counter()
    subprocess.run(
        [*gutnerve_command(), "--kb", str(kb), "batch", str(path), "--top", "5"],
        stdout=subprocess.DEVNULL,
        check=True,
        env=installed_env(),
    )
    return len(lines) / (time.perf_counter() - start)


def per_case_us(kb_path: Path, lines: list[bytes]) -> float:
    import gc

    from gutnerve.batch import assess_lines
    from gutnerve.knowledge import load

    kb = load(kb_path)
    gc.freeze()
    assess_lines(kb, lines[:20], 1, 5)  # compile the tables first
    best = min(_timed(lambda: assess_lines(kb, lines, 1, 5)) for _ in range(3))
    return best / len(lines) * 1e6


def _timed(work) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=1000)
    parser.add_argument("--causes", default="250,500,1000,2000")
    parser.add_argument("--per-case", default="1,3,5,10,20")
    parser.add_argument("--batch-cases", type=int, default=20_000)
    args = parser.parse_args()
    sizes = [int(n) for n in args.causes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"Synthetic knowledge bases with {args.findings} findings; cases have 5 present and 2 absent findings.\n")
        print("| causes | assess --json --top 5 (s) | batch --top 5 (cases/s) | per case, in-process (us) |")
        print("|---:|---:|---:|---:|")
        for size in sizes:
            kb = folder / f"kb-{size}"
            write(kb, size, args.findings, 15, seed=1)
            subprocess.run(
                [*gutnerve_command(), "--kb", str(kb), "causes", "--json"],
                stdout=subprocess.DEVNULL,
                check=True,
                env=installed_env(),
            )
            lines = cases(args.batch_cases, args.findings, 5, 2)
            row = (assess_seconds(kb), batch_rate(kb, lines, folder), per_case_us(kb, lines[:2000]))
            print(f"| {size:,} | {row[0]:.2f} | {row[1]:,.0f} | {row[2]:,.0f} |")
        largest = folder / f"kb-{sizes[-1]}"
        print(f"\nOn the {sizes[-1]:,}-cause knowledge base, by findings per case (present; plus 2 absent):\n")
        print("| findings per case | per case, in-process (us) |")
        print("|---:|---:|")
        for present in (int(n) for n in args.per_case.split(",")):
            print(f"| {present} | {per_case_us(largest, cases(2000, args.findings, present, 2)):,.0f} |")


if __name__ == "__main__":
    main()
