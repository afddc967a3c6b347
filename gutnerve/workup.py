"""The combined workup: each test once, highest yield first.

The causes that contribute are those with posterior >= `workup.min_posterior`
and, always, the `workup.min_causes` most probable. A test's yield is the
posterior mass of the contributing causes that list it. Tests some
contributing cause lists as first-line come before second-line ones; within
each line, higher yield first, then the test id for a stable order. The plan
keeps at most `workup.max_tests` tests, so the JSON and the table agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice
from operator import itemgetter
from typing import Any

from gutnerve.model import Cause, KnowledgeBase, PlanItem, ScoredCause, Settings, by_rank

CauseTests = dict[str, tuple[tuple[str, bool], ...]]  # cause id -> (test id, first line?), each test once

# A test as the plan orders it: (listed second-line only?, minus its yield, its id, the contributing
# causes that list it). Sorting the keys puts the plan in its order (first-line tests first, then
# falling yield, then test id); the accelerator gathers them in this shape and writes the plan
# from them (gutnerve.fastline).
PlanKey = tuple[bool, float, str, tuple[str, ...]]


def cause_tests(kb: KnowledgeBase) -> CauseTests:
    """Each cause's tests, a test it names twice counted once (first line if either is)."""
    return {cause.id: _tests(cause) for cause in kb.causes.values()}


def _tests(cause: Cause) -> tuple[tuple[str, bool], ...]:
    first: dict[str, bool] = {}
    for step in cause.workup:
        first[step.test] = first.get(step.test, False) or step.line == "first"
    return tuple(first.items())


def _tests_memo(kb: KnowledgeBase) -> dict[str, tuple[tuple[str, ...], frozenset[str]]]:
    """cause id -> (its tests, those of them first-line), filled per cause as causes contribute:
    a plan reads a handful of thousands."""
    return {}


# Makes a NamedTuple record as its own constructor does, without that constructor's Python call.
_record = tuple.__new__


def plan(kb: KnowledgeBase, ranked: Sequence[ScoredCause]) -> tuple[PlanItem, ...]:
    settings = kb.settings
    count = contributing(settings, map(itemgetter(1), by_rank(ranked)))
    tests_of = kb.derived(_tests_memo)
    found: dict[str, list[Any]] = {}  # test -> [yield, cause ids...], as tests are met
    first_line: set[str] = set()  # the tests some contributing cause lists as first-line
    for cause_id, posterior in islice(by_rank(ranked), count):
        memo = tests_of.get(cause_id)
        if memo is None:
            steps = _tests(kb.causes[cause_id])
            memo = tests_of[cause_id] = (tuple(test for test, _ in steps), frozenset(test for test, first in steps if first))
        tests, firsts = memo
        first_line |= firsts
        for test in tests:  # this loop runs for every (cause, test) pair: keep it short
            slot = found.get(test)
            if slot is None:
                found[test] = [posterior, cause_id]
            else:
                slot[0] += posterior
                slot.append(cause_id)
    return ordered(settings, [(test not in first_line, -slot[0], test, tuple(slot[1:])) for test, slot in found.items()])


def contributing(settings: Settings, posteriors: Iterable[float]) -> int:
    """How many causes contribute, from their posteriors most probable first: the
    `workup.min_causes` most probable, and any other with posterior >= `workup.min_posterior`."""
    min_causes, min_posterior = settings.workup_min_causes, settings.workup_min_posterior
    count = 0
    for posterior in posteriors:
        if count >= min_causes and posterior < min_posterior:
            break  # most probable first: no later cause contributes
        count += 1
    return count


def chosen(settings: Settings, keys: Iterable[PlanKey]) -> tuple[PlanKey, ...]:
    """The tests the plan keeps, in its order: first-line tests first, then by falling yield, then
    by test id; at most `workup.max_tests` of them."""
    return tuple(sorted(keys)[: settings.workup_max_tests])


def ordered(settings: Settings, keys: Iterable[PlanKey]) -> tuple[PlanItem, ...]:
    """The plan from the key of each test the contributing causes list (see PlanKey, `chosen`)."""
    return tuple(
        [
            _record(PlanItem, (test, "second" if second else "first", -negative, causes))
            for second, negative, test, causes in chosen(settings, keys)
        ]
    )
