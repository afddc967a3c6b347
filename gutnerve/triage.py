"""Triage: the most urgent of the red flags present and the likely urgent causes.

A red flag (a finding, or a cause's combination of findings) sets its level
as soon as its findings are present, whatever else the case says: it never
depends on the posteriors, so no other finding can outweigh it. A cause whose
own urgency is above routine also raises the level once its posterior reaches
the threshold for that urgency (knowledge/model.yaml `triage.cause_thresholds`).
"""

from __future__ import annotations

from collections.abc import Sequence

from gutnerve.model import Case, KnowledgeBase, ScoredCause, Triage, TriageReason


def triage(kb: KnowledgeBase, case: Case, ranked: Sequence[ScoredCause]) -> Triage:
    levels = kb.settings.triage_levels
    by_finding = kb.red_flags_by_finding
    fired = sorted(
        entry
        for finding in case.present
        for entry in by_finding.get(finding, ())
        if all(f in case.present for f in entry[1].findings)
    )  # in declaration order, whatever the order of the case's findings
    reasons: list[TriageReason] = []
    seen: set[str] = set()
    for _, flag in fired:
        if flag.message not in seen:
            seen.add(flag.message)
            kind = "finding" if flag.findings == (flag.origin,) else "red-flag"
            reasons.append(TriageReason(flag.level, flag.message, f"{kind}:{flag.origin}"))
    thresholds = kb.settings.cause_thresholds
    lowest = min(thresholds.values(), default=1.0)
    for scored in ranked:
        if scored.posterior < lowest:
            break  # ranked is most probable first: no later cause can pass a threshold
        cause = kb.causes[scored.cause_id]
        threshold = thresholds.get(cause.urgency)
        if threshold is not None and scored.posterior >= threshold:
            reasons.append(
                TriageReason(
                    cause.urgency,
                    f"{cause.name} is {scored.posterior:.0%} probable and needs {cause.urgency} attention.",
                    f"cause:{cause.id}",
                )
            )
    reasons.sort(key=lambda r: levels.index(r.level))
    level = reasons[0].level if reasons else levels[-1]
    return Triage(level, tuple(reasons))
