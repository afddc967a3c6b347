"""How far could the ranking go on the vignettes if its frequencies were fitted to them?

An analysis for maintainers, never used to rank: the shipped numbers come from the literature.
For each cause, every finding its vignettes report (present or known absent) gets a frequency
learned from them, with the knowledge base's own frequency as a Beta prior of `strength`
pseudo-cases (a finding the cause does not list starts from the weight the model gives an
unlisted finding):

    learned = (strength x shipped + times present) / (strength + times reported)

Only a cause's own (typical) table is learned. A cause with presentations keeps them as they
are: each still replaces or adds its own entries, and takes the learned typical values for the
findings it does not list, so the fitted knowledge base is scored as the same mixture.
(Learning each presentation too would need to know which presentation each vignette is.)

Two readings of the same tables, for a range of strengths:

- in-sample: learned from all vignettes and scored on them. The best these vignettes allow any
  table to look (a ceiling), reached by fitting the tables to the very cases scored;
- leave-one-out: each vignette scored with tables learned from all the others, which is what
  learning from similar published cases would carry over to a case nobody has seen.

    python -m gutnerve.ceiling [FOLDER] [--kb PATH] [--strengths 64,16,4,1]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, NamedTuple

from gutnerve.api import assess_case
from gutnerve.case import parse_case
from gutnerve.model import Case, FindingLink, KnowledgeBase
from gutnerve.scoring import frequency_in

STRENGTHS = (64.0, 16.0, 4.0, 1.0)

Counts = dict[tuple[str, str], tuple[int, int]]  # (cause, finding) -> (times present, times reported)


class Row(NamedTuple):
    label: str
    top1: float
    top3: float
    top5: float


def counts(vignettes: Sequence[dict[str, Any]], cases: Sequence[Case], skip: int | None = None) -> Counts:
    """How often each expected cause's vignettes report each finding present, and report it at all."""
    tally: dict[tuple[str, str], list[int]] = {}
    for index, (vignette, case) in enumerate(zip(vignettes, cases, strict=True)):
        if index == skip:
            continue
        for cause in vignette["expected"]["causes"]:
            for finding in case.present:
                seen = tally.setdefault((cause, finding), [0, 0])
                seen[0] += 1
                seen[1] += 1
            for finding in case.absent:
                tally.setdefault((cause, finding), [0, 0])[1] += 1
    return {key: (present, reported) for key, (present, reported) in tally.items()}


def learned(kb: KnowledgeBase, tally: Counts, strength: float) -> KnowledgeBase:
    """The knowledge base with each counted (cause, finding) frequency pulled toward the counts
    (in the cause's own table; its presentations are kept as they are)."""
    by_cause: dict[str, dict[str, tuple[int, int]]] = {}
    for (cause_id, finding_id), seen in tally.items():
        by_cause.setdefault(cause_id, {})[finding_id] = seen
    causes = dict(kb.causes)
    for cause_id, seen_here in by_cause.items():
        cause = causes[cause_id]
        links = {link.finding: link for link in cause.findings}
        for finding_id, (present, reported) in seen_here.items():
            start = frequency_in(kb, cause, finding_id)  # the shipped value, or the unlisted weight
            frequency = min(0.995, max(0.005, (strength * start + present) / (strength + reported)))
            links[finding_id] = FindingLink(finding_id, frequency, None, "judgement", "learned from the vignettes")
        causes[cause_id] = dataclasses.replace(cause, findings=tuple(links.values()))
    return dataclasses.replace(kb, causes=causes)


def rank(kb: KnowledgeBase, vignette: dict[str, Any], case: Case) -> int:
    """The best rank (1 = first) of an expected cause."""
    order = [scored.cause_id for scored in assess_case(kb, case).ranked]
    return min(order.index(cause) + 1 for cause in vignette["expected"]["causes"])


def row(label: str, ranks: Sequence[int]) -> Row:
    n = len(ranks)
    return Row(label, sum(r == 1 for r in ranks) / n, sum(r <= 3 for r in ranks) / n, sum(r <= 5 for r in ranks) / n)


def table(kb: KnowledgeBase, vignettes: Sequence[dict[str, Any]], strengths: Sequence[float] = STRENGTHS) -> list[Row]:
    cases = [parse_case(v["case"], kb) for v in vignettes]
    everything = counts(vignettes, cases)
    rows = [row("shipped knowledge base", [rank(kb, v, c) for v, c in zip(vignettes, cases, strict=True)])]
    for strength in strengths:
        fitted = learned(kb, everything, strength)
        rows.append(row(f"in-sample, strength {strength:g}", [rank(fitted, v, c) for v, c in zip(vignettes, cases, strict=True)]))
        held_out = [
            rank(learned(kb, counts(vignettes, cases, skip=i), strength), v, c)
            for i, (v, c) in enumerate(zip(vignettes, cases, strict=True))
        ]
        rows.append(row(f"leave-one-out, strength {strength:g}", held_out))
    return rows


def markdown(rows: Sequence[Row]) -> str:
    lines = ["| tables | top-1 | top-3 | top-5 |", "|---|---|---|---|"]
    lines += [f"| {r.label} | {r.top1:.1%} | {r.top3:.1%} | {r.top5:.1%} |" for r in rows]
    return "\n".join(lines) + "\n"


def _strengths(text: str) -> tuple[float, ...]:
    try:
        strengths = tuple(float(part) for part in text.split(","))
    except ValueError:
        raise ValueError(f"--strengths: {text!r} is not a comma-separated list of numbers") from None
    if not all(s > 0 for s in strengths):  # also refuses nan
        raise ValueError(f"--strengths: each strength must be above 0, not {text!r}")
    return strengths


def main(args: list[str]) -> int:
    from gutnerve.evaluation import arguments, load_vignettes, run_command
    from gutnerve.knowledge import load

    def build() -> str:
        folder, options = arguments(args, ("--kb", "--strengths"))
        strengths = _strengths(options["--strengths"]) if "--strengths" in options else STRENGTHS
        return markdown(table(load(options.get("--kb")), load_vignettes(folder), strengths))

    return run_command("gutnerve.ceiling", build)


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
