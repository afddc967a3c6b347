"""The combined workup: each test once, highest yield first.

The causes that contribute are those with posterior >= `workup.min_posterior`
and, always, the `workup.min_causes` most probable. A test's yield is the
posterior mass of the contributing causes that list it. Tests some
contributing cause lists as first-line come before second-line ones; within
each line, higher yield first, then the test id for a stable order. The plan
keeps at most `workup.max_tests` tests, so the JSON and the table agree.
"""

from __future__ import annotations

from collections.abc import Sequence

from gutnerve.model import KnowledgeBase, PlanItem, ScoredCause

CauseTests = dict[str, tuple[tuple[str, bool], ...]]  # cause id -> (test id, first line?), each test once


def cause_tests(kb: KnowledgeBase) -> CauseTests:
    """Each cause's tests, a test it names twice counted once (first line if either is)."""
    tables: CauseTests = {}
    for cause in kb.causes.values():
        first: dict[str, bool] = {}
        for step in cause.workup:
            first[step.test] = first.get(step.test, False) or step.line == "first"
        tables[cause.id] = tuple(first.items())
    return tables


def plan(kb: KnowledgeBase, ranked: Sequence[ScoredCause]) -> tuple[PlanItem, ...]:
    settings = kb.settings
    tests_of = kb.derived(cause_tests)
    yields: dict[str, float] = {}
    first_line: set[str] = set()
    causes: dict[str, list[str]] = {}
    for rank, scored in enumerate(ranked):
        if rank >= settings.workup_min_causes and scored.posterior < settings.workup_min_posterior:
            break  # ranked is most probable first: no later cause contributes
        for test, first in tests_of[scored.cause_id]:
            causes.setdefault(test, []).append(scored.cause_id)
            yields[test] = yields.get(test, 0.0) + scored.posterior
            if first:
                first_line.add(test)
    order = sorted(yields, key=lambda test: (test not in first_line, -yields[test], test))
    return tuple(
        PlanItem(test, "first" if test in first_line else "second", yields[test], tuple(causes[test]))
        for test in order[: settings.workup_max_tests]
    )
