"""Measure the ranking on clinical vignettes: top-k accuracy, triage, calibration.

A vignette is a published case translated into the case format, with the
expected cause(s) and triage level (tests/vignettes/*.yaml). These functions
are pure: vignettes and a knowledge base in, metrics out.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gutnerve.api import assess_case
from gutnerve.case import CaseError, parse_case
from gutnerve.model import KnowledgeBase

TRIAGE_ORDER = ("emergency", "urgent", "soon", "routine")
# how docs/accuracy.md is regenerated (the contract sits beside the checkout, as in tests/conftest.py)
COMMAND = "python -m gutnerve.evaluation tests/vignettes --contract ../shared/contract/vocabulary.yaml > docs/accuracy.md"


@dataclass(frozen=True)
class Outcome:
    vignette: str
    file: str
    expected: tuple[str, ...]
    expected_triage: str
    rank: int  # best rank of an expected cause (1 = first)
    top: str  # the cause ranked first
    top_probability: float
    expected_probability: float  # posterior mass of the expected causes
    triage: str
    brier: float  # sum over causes of (posterior - truth)^2, truth shared among the expected causes


def load_vignettes(folder: Path) -> list[dict[str, Any]]:
    import yaml

    paths = sorted(folder.glob("*.yaml"))
    if not paths:
        raise ValueError(f"{folder}: no vignette files (*.yaml) there")
    vignettes = []
    for path in paths:
        try:
            entries = yaml.safe_load(path.read_text()) or []
        except yaml.YAMLError as error:
            raise ValueError(f"{path}: not valid YAML ({getattr(error, 'problem', None) or error})") from None
        vignettes += [{**entry, "_file": path.name} for entry in entries]
    return vignettes


def evaluate(kb: KnowledgeBase, vignettes: list[dict[str, Any]]) -> list[Outcome]:
    outcomes = []
    for v in vignettes:
        try:
            result = assess_case(kb, parse_case(v["case"], kb))
            order = [s.cause_id for s in result.ranked]
            expected = tuple(v["expected"]["causes"])
            unknown = [c for c in expected if c not in kb.causes]
            if unknown:
                raise ValueError(f"expected cause {unknown[0]!r} is not in the knowledge base")
        except (CaseError, KeyError, TypeError, ValueError) as error:  # name the vignette, not a traceback
            problem = f"missing key {error}" if isinstance(error, KeyError) else str(error)
            raise ValueError(f"{v.get('_file')}: vignette {v.get('id')!r}: {problem}") from None
        posterior = {s.cause_id: s.posterior for s in result.ranked}
        truth = {c: 1 / len(expected) for c in expected}
        outcomes.append(
            Outcome(
                vignette=v["id"],
                file=v["_file"],
                expected=expected,
                expected_triage=v["expected"]["triage"],
                rank=min(order.index(c) + 1 for c in expected),
                top=order[0],
                top_probability=result.ranked[0].posterior,
                expected_probability=sum(posterior[c] for c in expected),
                triage=result.triage.level,
                brier=sum((p - truth.get(c, 0.0)) ** 2 for c, p in posterior.items()),
            )
        )
    return outcomes


@dataclass(frozen=True)
class Summary:
    count: int
    top1: float
    top3: float
    top5: float
    triage_exact: float
    under_triaged: int  # triaged less urgent than expected
    over_triaged: int
    emergency_missed: tuple[str, ...]  # emergency vignettes not triaged emergency
    brier: float  # multi-class Brier score, expected causes as the truth
    mean_expected_probability: float
    calibration: tuple[tuple[str, int, float, float], ...]  # (bin, n, mean top-1 probability, top-1 accuracy)


def summarise(outcomes: list[Outcome]) -> Summary:
    n = len(outcomes)
    level = {name: i for i, name in enumerate(TRIAGE_ORDER)}
    bins = ((0.0, 0.4), (0.4, 0.6), (0.6, 0.8), (0.8, 1.01))
    calibration = []
    for low, high in bins:
        members = [o for o in outcomes if low <= o.top_probability < high]
        if members:
            calibration.append(
                (
                    f"{low:.1f}-{min(high, 1.0):.1f}",
                    len(members),
                    sum(o.top_probability for o in members) / len(members),
                    sum(o.rank == 1 for o in members) / len(members),
                )
            )
    return Summary(
        count=n,
        top1=sum(o.rank == 1 for o in outcomes) / n,
        top3=sum(o.rank <= 3 for o in outcomes) / n,
        top5=sum(o.rank <= 5 for o in outcomes) / n,
        triage_exact=sum(o.triage == o.expected_triage for o in outcomes) / n,
        under_triaged=sum(level[o.triage] > level[o.expected_triage] for o in outcomes),
        over_triaged=sum(level[o.triage] < level[o.expected_triage] for o in outcomes),
        emergency_missed=tuple(o.vignette for o in outcomes if o.expected_triage == "emergency" and o.triage != "emergency"),
        brier=sum(o.brier for o in outcomes) / n,
        mean_expected_probability=sum(o.expected_probability for o in outcomes) / n,
        calibration=tuple(calibration),
    )


def within(vignettes: list[dict[str, Any]], finding_ids: Collection[str]) -> list[dict[str, Any]]:
    """The vignettes with every finding outside `finding_ids` left out of their cases: what a
    harness that knows only those ids (the public contract's) would give the tool."""
    kept = []
    for v in vignettes:
        case = dict(v["case"])
        for side in ("present", "absent"):
            if side in case:
                case[side] = [f for f in case[side] if f in finding_ids]
        kept.append({**v, "case": case})
    return kept


def contract_findings(path: Path) -> frozenset[str]:
    """The finding ids of the public contract's vocabulary.yaml (findings: category: id: meaning)."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text())
        return frozenset(fid for group in data["findings"].values() for fid in group)
    except (yaml.YAMLError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"{path}: not a contract vocabulary with a `findings` mapping of categories ({error})") from None


def report_markdown(
    kb: KnowledgeBase, vignettes: list[dict[str, Any]], command: str, contract: frozenset[str] | None = None
) -> str:
    """docs/accuracy.md: the summary, calibration and every miss; with `contract` (the public
    contract's finding ids), also the figures when the vignettes use only those."""
    outcomes = evaluate(kb, vignettes)
    s = summarise(outcomes)
    lines = [
        "# Accuracy on clinical vignettes",
        "",
        (
            f"Measured on {s.count} vignettes written from published case reports "
            "(tests/vignettes/, see its README). Regenerate with:"
        ),
        "",
        f"    {command}",
        "",
        "| measure | value |",
        "|---|---|",
        f"| top-1 (an expected cause ranked first) | {s.top1:.1%} |",
        f"| top-3 | {s.top3:.1%} |",
        f"| top-5 | {s.top5:.1%} |",
        f"| triage agreement (exact level) | {s.triage_exact:.1%} |",
        f"| under-triaged / over-triaged | {s.under_triaged} / {s.over_triaged} |",
        f"| emergency vignettes not triaged emergency | {len(s.emergency_missed)} |",
        f"| Brier score (multi-class, 0 = perfect, 2 = worst) | {s.brier:.3f} |",
        f"| mean posterior of the expected cause(s) | {s.mean_expected_probability:.3f} |",
        "",
        "## Calibration of the top-ranked cause",
        "",
        "When the first cause is given probability p, how often is it right?",
        "",
        "| top-1 probability | vignettes | mean probability | share correct |",
        "|---|---|---|---|",
    ]
    lines += [f"| {b} | {n} | {p:.2f} | {acc:.2f} |" for b, n, p, acc in s.calibration]
    if contract is not None:
        lines += _within_contract(kb, vignettes, contract, s)
    lines += ["", "## Per cause", "", "| cause | vignettes | top-1 | top-3 |", "|---|---|---|---|"]
    by_cause: dict[str, list[Outcome]] = {}
    for o in outcomes:
        by_cause.setdefault(o.expected[0], []).append(o)
    for cause, items in sorted(by_cause.items()):
        lines.append(f"| {cause} | {len(items)} | {sum(o.rank == 1 for o in items)} | {sum(o.rank <= 3 for o in items)} |")
    lines += ["", "## Misses (expected cause not ranked first) and triage disagreements", ""]
    lines += ["| vignette | expected | rank | ranked first (p) | triage (expected) |", "|---|---|---|---|---|"]
    for o in outcomes:
        if o.rank > 1 or o.triage != o.expected_triage:
            lines.append(
                f"| {o.vignette} | {', '.join(o.expected)} | {o.rank} | {o.top} ({o.top_probability:.2f}) | "
                f"{o.triage} ({o.expected_triage}) |"
            )
    return "\n".join(lines) + "\n"


def _within_contract(kb: KnowledgeBase, vignettes: list[dict[str, Any]], contract: frozenset[str], full: Summary) -> list[str]:
    """The section that scores the vignettes on the contract's findings only, beside `full`."""
    extra = sorted(set(kb.findings) - contract)
    using = sum(1 for v in vignettes if {*v["case"].get("present", ()), *v["case"].get("absent", ())} - contract)
    only = summarise(evaluate(kb, within(vignettes, contract)))
    rows = (
        ("top-1", f"{full.top1:.1%}", f"{only.top1:.1%}"),
        ("top-3", f"{full.top3:.1%}", f"{only.top3:.1%}"),
        ("top-5", f"{full.top5:.1%}", f"{only.top5:.1%}"),
        ("triage agreement", f"{full.triage_exact:.1%}", f"{only.triage_exact:.1%}"),
        ("emergency vignettes not triaged emergency", f"{len(full.emergency_missed)}", f"{len(only.emergency_missed)}"),
        ("Brier score", f"{full.brier:.3f}", f"{only.brier:.3f}"),
    )
    return [
        "",
        "## Within the public contract's vocabulary",
        "",
        (
            f"The knowledge base defines {len(extra)} findings beyond the public contract's "
            f"({', '.join(extra) or 'none'}), and {using} vignettes use them. A harness that knows only "
            "the contract's ids cannot give those, so here are the same vignettes with them left out:"
        ),
        "",
        "| measure | all findings | contract's findings only |",
        "|---|---|---|",
        *(f"| {name} | {a} | {b} |" for name, a, b in rows),
    ]


def arguments(args: list[str], options: tuple[str, ...]) -> tuple[Path, dict[str, str]]:
    """A maintainer command's arguments: one vignette folder (default tests/vignettes) and the
    named options, each with a value; anything else is refused rather than ignored."""
    folders: list[str] = []
    values: dict[str, str] = {}
    rest = iter(args)
    for arg in rest:
        if arg in options:
            value = next(rest, None)
            if value is None:
                raise ValueError(f"{arg} needs a value")
            values[arg] = value
        elif arg.startswith("--"):
            raise ValueError(f"unknown option {arg} (options: {', '.join(options)})")
        else:
            folders.append(arg)
    if len(folders) > 1:
        raise ValueError(f"one vignette folder, not {len(folders)}: {' '.join(folders)}")
    return Path(folders[0] if folders else "tests/vignettes"), values


def run_command(name: str, build: Callable[[], str]) -> int:
    """A maintainer command's report on standard output, or its error in one line and exit 2."""
    import sys

    from gutnerve.exit_codes import ExitCode
    from gutnerve.knowledge import KnowledgeBaseError

    try:
        report = build()
    except (KnowledgeBaseError, OSError, ValueError) as error:  # a typo, not a bug: one line
        sys.stderr.write(f"{name}: error: {' '.join(str(error).split())}\n")
        return int(ExitCode.BAD_INPUT)
    sys.stdout.write(report)
    return int(ExitCode.OK)


def main(args: list[str]) -> int:
    """python -m gutnerve.evaluation [FOLDER] [--kb PATH] [--contract VOCABULARY]: the accuracy report on
    standard output; with --contract (the public contract's vocabulary.yaml), also the figures when the
    vignettes use only the contract's findings."""
    from gutnerve.knowledge import load

    def build() -> str:
        folder, options = arguments(args, ("--kb", "--contract"))
        kb = load(options.get("--kb"))
        contract = contract_findings(Path(options["--contract"])) if "--contract" in options else None
        return report_markdown(kb, load_vignettes(folder), COMMAND, contract)

    return run_command("gutnerve.evaluation", build)


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
