"""The combined workup: each test once, highest yield first.

The causes that contribute are those with posterior >= `workup.min_posterior`
and, always, the `workup.min_causes` most probable. A test's yield is the
posterior mass of the contributing causes that list it. Tests some
contributing cause lists as first-line come before second-line ones; within
each line, higher yield first, then the test id for a stable order.
"""

from __future__ import annotations

from gutnerve.model import KnowledgeBase, PlanItem, ScoredCause


def plan(kb: KnowledgeBase, ranked: tuple[ScoredCause, ...]) -> tuple[PlanItem, ...]:
    settings = kb.settings
    contributing = [
        s for i, s in enumerate(ranked) if i < settings.workup_min_causes or s.posterior >= settings.workup_min_posterior
    ]
    yields: dict[str, float] = {}
    first_line: set[str] = set()
    causes: dict[str, list[str]] = {}
    for scored in contributing:
        for step in kb.causes[scored.cause_id].workup:
            if scored.cause_id in causes.setdefault(step.test, []):
                continue  # a cause naming a test twice counts once
            causes[step.test].append(scored.cause_id)
            yields[step.test] = yields.get(step.test, 0.0) + scored.posterior
            if step.line == "first":
                first_line.add(step.test)
    items = [PlanItem(test, "first" if test in first_line else "second", yields[test], tuple(causes[test])) for test in yields]
    return tuple(sorted(items, key=lambda p: (p.line != "first", -p.yield_, p.test)))
