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

from gutnerve.model import Cause, KnowledgeBase, PlanItem, ScoredCause

CauseTests = dict[str, tuple[tuple[str, bool], ...]]  # cause id -> (test id, first line?), each test once


def cause_tests(kb: KnowledgeBase) -> CauseTests:
    """Each cause's tests, a test it names twice counted once (first line if either is)."""
    return {cause.id: _tests(cause) for cause in kb.causes.values()}


def _tests(cause: Cause) -> tuple[tuple[str, bool], ...]:
    first: dict[str, bool] = {}
    for step in cause.workup:
        first[step.test] = first.get(step.test, False) or step.line == "first"
    return tuple(first.items())


def _tests_memo(kb: KnowledgeBase) -> CauseTests:
    return {}  # filled per cause as causes contribute: a plan reads a handful of thousands


def plan(kb: KnowledgeBase, ranked: Sequence[ScoredCause]) -> tuple[PlanItem, ...]:
    settings = kb.settings
    tests_of = kb.derived(_tests_memo)
    yields: dict[str, float] = {}
    first_line: set[str] = set()
    causes: dict[str, list[str]] = {}
    for rank, scored in enumerate(ranked):
        if rank >= settings.workup_min_causes and scored.posterior < settings.workup_min_posterior:
            break  # ranked is most probable first: no later cause contributes
        if scored.cause_id not in tests_of:
            tests_of[scored.cause_id] = _tests(kb.causes[scored.cause_id])
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
