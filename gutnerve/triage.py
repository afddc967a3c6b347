"""Triage: the most urgent of the red flags present and the likely urgent causes.

A red flag (a finding, or a cause's combination of findings) sets its level
as soon as its findings are present, whatever else the case says: it never
depends on the posteriors, so no other finding can outweigh it. A cause whose
own urgency is above routine also raises the level once its posterior reaches
the threshold for that urgency (knowledge/model.yaml `triage.cause_thresholds`).
So do the causes of an urgency together: the chance that a case needs at least
that level of care is the sum of the posteriors of every cause that urgent or
more, and several causes each below the threshold can pass it together
(appendicitis 10% and Guillain-Barre 7% make an emergency 17% probable).
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
    return Flags(by_finding, causes, {level: levels.index(level) for level in levels})


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
    rank = flags.rank
    mass = dict.fromkeys(kb.settings.cause_thresholds, 0.0)  # urgency -> posterior of its causes
    named: dict[str, list[tuple[str, float]]] = {urgency: [] for urgency in mass}
    for scored in ranked:
        posterior = scored.posterior
        threshold, urgency, name = causes[scored.cause_id]
        if threshold is None:
            continue
        mass[urgency] += posterior
        named[urgency].append((name, posterior))
        if posterior >= threshold:
            message = f"{name} is {posterior:.0%} probable and needs {urgency} attention."
            reasons.append(TriageReason(urgency, message, f"cause:{scored.cause_id}"))
    reasons += _together(kb, flags, mass, named, reasons)
    if len(reasons) > 1:
        reasons.sort(key=lambda reason: rank[reason.level])
    level = reasons[0].level if reasons else kb.settings.triage_levels[-1]
    return Triage(level, tuple(reasons))


def _together(
    kb: KnowledgeBase,
    flags: Flags,
    mass: dict[str, float],
    named: dict[str, list[tuple[str, float]]],
    reasons: list[TriageReason],
) -> list[TriageReason]:
    """The most urgent level whose causes, with every more urgent cause, pass its threshold
    together, when no reason already sets that level or a more urgent one."""
    rank = flags.rank
    reached = min((rank[reason.level] for reason in reasons), default=len(rank))
    thresholds = kb.settings.cause_thresholds
    total = 0.0
    contributors: list[tuple[str, float]] = []
    for level in kb.settings.triage_levels:  # most urgent first
        if level not in thresholds or rank[level] >= reached:
            break
        total += mass[level]
        contributors += named[level]
        if total >= thresholds[level]:
            shown = sorted(contributors, key=lambda item: -item[1])
            listed = ", ".join(f"{name} {posterior:.0%}" for name, posterior in shown[:3])
            more = ", ..." if len(shown) > 3 else ""
            message = f"Causes needing {level} attention are together {total:.0%} probable ({listed}{more})."
            return [TriageReason(level, message, f"causes:{level}")]
    return []
