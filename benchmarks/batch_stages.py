"""Where one batch case's time goes: microseconds per stage, in one process.

    python benchmarks/batch_stages.py [--cases 20000] [--top 5] [--kb PATH] [--runs 3] [--pure] [--reference]

Runs the stages `gutnerve batch` runs for each line (gutnerve.batch.assess_lines,
taken apart) over random cases like batch_throughput.py's (5 present and 2
absent findings, age and sex), timing each stage, and prints the mean per
case of the fastest run. Where the compiled accelerator is built (and the
knowledge base is scored densely) the stages are those of gutnerve.fastline, as
batch runs them: scoring, the workup's sums and the JSON line in C, the rest
in Python. With --pure (or GUTNERVE_PURE=1), those of the pure Python path: the
JSON line written by gutnerve.jsonline; with --reference as well, by building the
result object and encoding it, as `assess --json` and the other formats do. The
stages are timed in the loop, one case after another, as batch runs them (a
stage timed alone in a tight loop runs faster: its code and data stay in the
CPU caches).
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from batch_throughput import write_cases  # noqa: E402

STAGES = ("JSON in", "case check", "nesting", "scoring", "triage", "workup plan")
FAST = ("JSON in", "case check", "nesting, rows", "scoring (C)", "triage", "workup (C sums)", "JSON line (C)", "")
REFERENCE = ("result object", "JSON out")  # --reference
LINE = ("JSON line", "")  # jsonline: both in one


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--top", type=int, default=5)
    parser.add_argument("--kb", help="another knowledge base")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pure", action="store_true", help="the pure Python path, even where the accelerator is built")
    parser.add_argument(
        "--reference", action="store_true", help="with --pure: the result object and orjson, not gutnerve.jsonline"
    )
    args = parser.parse_args()

    from gutnerve import fastline, scoring, triage, workup
    from gutnerve.case import parse_case, parse_json
    from gutnerve.jsonio import dumps_line
    from gutnerve.jsonline import assessment_line
    from gutnerve.knowledge import load
    from gutnerve.model import Assessment
    from gutnerve.report import assessment_dict

    kb = load(args.kb)
    compiled = None if args.pure or args.reference else fastline.accelerator(kb)
    stages = FAST if compiled is not None else STAGES + (REFERENCE if args.reference else LINE)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cases.jsonl"
        write_cases(path, args.cases, 5, kb_path=args.kb)
        lines = path.read_bytes().splitlines(keepends=True)
    gc.freeze()  # as gutnerve does once the knowledge base is loaded
    now = time.perf_counter_ns
    best: list[int] | None = None
    for _ in range(args.runs):
        spent = [0] * len(stages)
        for raw in lines:
            if compiled is not None:
                _fast_case(kb, compiled, raw, args.top, spent)
                continue
            t0 = now()
            data = parse_json(raw)
            t1 = now()
            case = parse_case(data, kb)
            t2 = now()
            implied = scoring.nested(kb, case)
            t3 = now()
            ranked = scoring.score(kb, case, detail=args.top, implied=implied)
            t4 = now()
            level = triage.triage(kb, case, ranked)
            t5 = now()
            plan = workup.plan(kb, ranked)
            t6 = now()
            assessment = Assessment(case, ranked, level, plan, args.top, implied)
            if args.reference:
                result = assessment_dict(kb, assessment)
                t7 = now()
                dumps_line(result)
            else:
                assessment_line(kb, assessment)
                t7 = now()
            t8 = now()
            for index, (start, end) in enumerate(
                ((t0, t1), (t1, t2), (t2, t3), (t3, t4), (t4, t5), (t5, t6), (t6, t7), (t7, t8))
            ):
                spent[index] += end - start
        if best is None or sum(spent) < sum(best):
            best = spent
    assert best is not None
    path = "accelerated (gutnerve._speedups)" if compiled is not None else "pure Python"
    print(f"{args.cases:,} cases, --top {args.top}, {path}, fastest of {args.runs} runs; us per case:")
    for name, total in zip(stages, best, strict=True):
        if name:
            print(f"  {name:14} {total / len(lines) / 1000:6.1f}")
    print(f"  {'total':14} {sum(best) / len(lines) / 1000:6.1f}")


def _fast_case(kb, compiled, raw, top, spent):
    """One case as gutnerve.fastline.line runs it (its _assess taken apart), timed stage by stage."""
    from gutnerve import fastline, scoring, workup
    from gutnerve.case import parse_case, parse_json
    from gutnerve.model import Ranked

    now = time.perf_counter_ns
    dense, ids, present_rows, absent_rows, priors, table, raised_total, parts_mass, mixed = compiled[:9]
    t0 = now()
    data = parse_json(raw)
    t1 = now()
    case = parse_case(data, kb)
    t2 = now()
    present = tuple(map(present_rows.__getitem__, case.present))
    absent = tuple(map(absent_rows.__getitem__, case.absent))
    implied = scoring.nested(kb, case)
    counted = case
    if implied:
        counted = scoring.counted(kb, case, implied)
        present_counted = tuple(map(present_rows.__getitem__, counted.present))
        absent_counted = tuple(map(absent_rows.__getitem__, counted.absent))
        implied_json = b",".join(map(table.implied.__getitem__, implied))
    else:
        present_counted, absent_counted, implied_json = present, absent, b""
    # a finding listed via another the case settles: its screened rows (the shipped knowledge base
    # has a slot for every one, so fastline's pure fallback never runs here); the rows of the
    # history the case is silent about among the absent ones
    present_counted, absent_counted = fastline.kernel_rows(kb, compiled, counted, present_counted, absent_counted)
    prior_index, prior = priors[case.age, case.sex]
    t3 = now()
    chosen = shares = None
    if mixed:  # a cause with presentations: each cause's chosen column too
        logs, posterior, order, chosen, shares = dense.score_mixed(prior_index, present_counted, absent_counted)
    else:
        logs, posterior, order = dense.score(prior_index, present_counted, absent_counted)
    ranked = Ranked(ids, prior, logs, posterior, order, sum_raised=raised_total, shares=shares, sum_parts=parts_mass)
    t4 = now()
    level = fastline.triaged(kb, table, case, ranked)
    t5 = now()
    count = workup.contributing(kb.settings, map(posterior.__getitem__, order))
    plan = workup.chosen(kb.settings, dense.gather(order, posterior, count))
    t6 = now()
    rows = present_counted + absent_counted
    out = bytearray()
    dense.append_line(
        out,
        case.id,
        case.age,
        case.sex,
        present,
        absent,
        implied_json,
        level,
        prior_index,
        rows,
        posterior,
        order,
        top,
        plan,
        *(() if chosen is None else (chosen,)),
    )
    t7 = now()
    for index, (start, end) in enumerate(((t0, t1), (t1, t2), (t2, t3), (t3, t4), (t4, t5), (t5, t6), (t6, t7))):
        spent[index] += end - start


if __name__ == "__main__":
    main()
