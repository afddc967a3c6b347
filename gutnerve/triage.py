"""Triage: the most urgent of the red flags present and the likely urgent causes.

A red flag (a finding, or a cause's combination of findings) sets its level
as soon as its findings are present, whatever else the case says: it never
depends on the posteriors, so no other finding can outweigh it. A cause whose
own urgency is above routine also raises the level once its posterior reaches
the threshold for that urgency (knowledge/model.yaml `triage.cause_thresholds`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from gutnerve.model import Case, KnowledgeBase, ScoredCause, Triage, TriageReason


class Flags(NamedTuple):
    """The knowledge base's red flags and cause thresholds, compiled once for every case."""

    # a finding -> each red flag filed under it: (its place in kb.red_flags, the findings it needs,
    # its reason): triage looks up only the findings a case has
    by_finding: dict[str, tuple[tuple[int, frozenset[str], TriageReason], ...]]
    causes: dict[str, tuple[float | None, str, str]]  # cause id -> (its urgency's threshold if any, urgency, name)
    lowest: float  # the lowest threshold: below it no cause needs a look
    rank: dict[str, int]  # level -> its place, most urgent first


def compile_flags(kb: KnowledgeBase) -> Flags:
    by_finding = {}
    for finding, flags in kb.red_flags_by_finding.items():
        entries = []
        for number, flag in flags:
            kind = "finding" if flag.findings == (flag.origin,) else "red-flag"
            entries.append((number, frozenset(flag.findings), TriageReason(flag.level, flag.message, f"{kind}:{flag.origin}")))
        by_finding[finding] = tuple(entries)
    thresholds = kb.settings.cause_thresholds
    causes = {cause.id: (thresholds.get(cause.urgency), cause.urgency, cause.name) for cause in kb.causes.values()}
    levels = kb.settings.triage_levels
    return Flags(by_finding, causes, min(thresholds.values(), default=1.0), {level: levels.index(level) for level in levels})


def triage(kb: KnowledgeBase, case: Case, ranked: Sequence[ScoredCause]) -> Triage:
    flags = kb.derived(compile_flags)
    present = case.present
    # sorted: in declaration order, whatever the order of the case's findings
    fired = sorted(entry for finding in present for entry in flags.by_finding.get(finding, ()) if entry[1] <= present)
    reasons: list[TriageReason] = []
    seen: set[str] = set()
    for _, _, reason in fired:
        if reason.message not in seen:
            seen.add(reason.message)
            reasons.append(reason)
    causes = flags.causes
    for scored in ranked:
        posterior = scored.posterior
        if posterior < flags.lowest:
            break  # ranked is most probable first: no later cause can pass a threshold
        threshold, urgency, name = causes[scored.cause_id]
        if threshold is not None and posterior >= threshold:
            message = f"{name} is {posterior:.0%} probable and needs {urgency} attention."
            reasons.append(TriageReason(urgency, message, f"cause:{scored.cause_id}"))
    if len(reasons) > 1:
        rank = flags.rank
        reasons.sort(key=lambda reason: rank[reason.level])
    level = reasons[0].level if reasons else kb.settings.triage_levels[-1]
    return Triage(level, tuple(reasons))
