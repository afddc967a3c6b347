"""An assessment straight to the bytes of its JSON line, for `batch` (JSONL out).

Why this exists: building the result object (`report.assessment_dict`, ~40 small
dicts copied per case) and encoding it took ~74 us of a batch case's ~190 us,
yet most of it depends only on the knowledge base: a cause's name, urgency,
mechanism and first-line tests, a for/against entry, a test's fields. Here
those pieces are encoded once per knowledge base (by orjson itself, from the
very dicts the reference builds) and each case joins them with its few dynamic
parts (its id, age, sex, findings, posteriors, triage, plan).

The output is byte-for-byte `jsonio.dumps_line(report.assessment_dict(kb, a))`,
which stays the reference and is what every other format and `assess --json`
use; tests/test_jsonline.py compares the two over the vignettes and thousands
of random cases on the shipped and on a large synthetic knowledge base. Every
string and float is formatted by orjson (floats through a table orjson built,
see `_Numbers`), so the two can only differ in the layout written out below:
when the contract's result object changes, change both (the test will say).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any, Generic, NamedTuple, TypeVar

import orjson

from gutnerve.model import Assessment, KnowledgeBase, PriorFactor, TriageReason, split
from gutnerve.report import DISCLAIMER, SCHEMA_VERSION, _cause_fields, _tables, implied_dict, shown_urgency, trigger_dicts

_dumps: Callable[[Any], bytes] = orjson.dumps


def _kept(value: Any) -> bytes:
    """orjson's JSON of `value`, copied: the bytes orjson returns hold a 4 kB buffer however
    short the JSON, which for the thousands of pieces kept was 50 MB."""
    return bytes(memoryview(_dumps(value)))


_V = TypeVar("_V")


class _Encoded(dict[Any, _V], Generic[_V]):
    """key -> its JSON bytes, encoded when first asked for (the knowledge base has
    thousands of causes or findings; a run meets few of them)."""

    def __init__(self, encode: Callable[[Any], _V]):
        super().__init__()
        self.encode = encode

    def __missing__(self, key: Any) -> _V:
        value = self[key] = self.encode(key)
        return value


class _Numbers(dict[str, bytes]):
    """`f"{x:.4f}"` -> the JSON the reference writes for that number, `orjson.dumps(round(x, 4) + 0.0)`
    (orjson writes 1e-05 as 0.00001, unlike Python's repr). The text has the digits of
    `round(x, 4)` (both come from CPython's correctly rounded dtoa, mode 3), so `round(x, 4)` is
    `float(text)`; formatting is the cheaper of the two. Kept for numbers in [0, 1], as
    posteriors, priors and yields are: at most 10,001 of them."""

    def __missing__(self, text: str) -> bytes:
        value = float(text) + 0.0  # + 0.0 as the reference: -0.0000 is 0.0
        if 0.0 <= value <= 1.0:
            encoded = self[text] = _kept(value)
            return encoded
        return _dumps(value)


class Pieces(NamedTuple):
    """What a JSON line reads that depends only on the knowledge base."""

    # cause id -> its row in three pieces: after the rank up to "probability":, from "urgency" to
    # the opening of "for", and from the close of "against" to the row's end
    causes: _Encoded[tuple[bytes, bytes, bytes]]
    entries: _Encoded[bytes]  # contribution -> its for/against entry
    factors: _Encoded[bytes]  # a cause's prior factors (a tuple) -> their list
    implied: _Encoded[bytes]  # an Implied -> its entry in case.implied
    tests: _Encoded[bytes]  # test id -> its workup_plan item up to "line":
    names: _Encoded[bytes]  # test id -> its name
    numbers: _Numbers  # see _Numbers
    # (trigger, basis) of a triage reason -> the end of its trigger object, from "basis" to before its }
    bases: _Encoded[bytes]
    mixed: dict[str, dict[str | None, str | None]]  # report.ReportTables.presentations (empty: none)
    # (cause id, presentation id or None) of a cause with presentations -> its row's middle piece,
    # naming the presentation its reasons are those of
    middles: _Encoded[bytes]


def pieces(kb: KnowledgeBase) -> Pieces:
    """Built once per knowledge base (kb.derived), filled as causes, findings and tests are met."""
    tables = _tables(kb)
    entries, tests = tables.entries, tables.tests

    def cause(cause_id: str) -> tuple[bytes, bytes, bytes]:
        name, urgency, mechanism, workup = _cause_fields(kb, cause_id)
        head = b',"id":' + _dumps(cause_id) + b',"name":' + _dumps(name) + b',"probability":'
        middle = b',"urgency":' + _dumps(urgency) + b',"mechanism":' + _dumps(mechanism) + b',"for":['
        return head, middle, b'],"workup":' + _dumps(list(workup)) + b"},"  # the comma: see assessment_line

    def factors(items: tuple[PriorFactor, ...]) -> bytes:
        return _kept([{"reason": f.reason, "multiplier": f.multiplier} for f in items])

    def basis(key: tuple[str, str]) -> bytes:
        (entry,) = trigger_dicts(kb, (TriageReason("", "", *key),))
        return b',"basis":' + _dumps(entry["basis"]) + b',"source":' + _dumps(entry["source"])

    def test(test_id: str) -> bytes:
        return _dumps(tests[test_id])[:-1] + b',"line":'  # {"test":..,"name":..(,"loinc":..)} without its }

    def middle(key: tuple[str, str | None]) -> bytes:
        cause_id, presentation = key
        named = b',"presentation":' + _dumps(presentation) + b',"presentation_name":' + _dumps(mixed[cause_id][presentation])
        urgency = shown_urgency(kb.causes[cause_id], presentation)
        _, _, mechanism, _ = _cause_fields(kb, cause_id)
        return b',"urgency":' + _dumps(urgency) + b',"mechanism":' + _dumps(mechanism) + named + b',"for":['

    mixed = tables.presentations

    return Pieces(
        causes=_Encoded(cause),
        entries=_Encoded(lambda part: _kept(entries[part])),
        factors=_Encoded(factors),
        implied=_Encoded(lambda item: _kept(implied_dict(kb, item))),
        tests=_Encoded(test),
        names=_Encoded(lambda test_id: _kept(tests[test_id]["name"])),
        numbers=_Numbers(),
        bases=_Encoded(basis),
        mixed=mixed,
        middles=_Encoded(middle),
    )


_SEXES = {None: b"null", "female": b'"female"', "male": b'"male"'}
_LINES = {"first": b'"first","yield":', "second": b'"second","yield":'}
_HEAD = b'{"schema_version":' + _dumps(SCHEMA_VERSION)
_TAIL = b',"disclaimer":' + _dumps(DISCLAIMER) + b"}"
_test_of = operator.attrgetter("test")


def assessment_line(kb: KnowledgeBase, assessment: Assessment) -> bytes:
    """`jsonio.dumps_line(report.assessment_dict(kb, assessment))`, without building the dict.

    Written for speed (this runs for every case): records unpacked rather than read field by
    field, map over bound methods rather than comprehensions, each item of a list written
    with a trailing comma and the last one's dropped.
    """
    causes, entries, factors, implied, tests, names, numbers, bases, mixed, middles = kb.derived(pieces)
    case = assessment.case
    out = [_HEAD]
    if case.id is not None:
        out += (b',"id":', _dumps(case.id))
    out += (
        b',"case":{"age":',
        b"null" if case.age is None else b"%d" % case.age,
        b',"sex":',
        _SEXES.get(case.sex) or _dumps(case.sex),
        b',"present":',
        _dumps(sorted(case.present)),
        b',"absent":',
        _dumps(sorted(case.absent)),
        b',"implied":[',
        b",".join(map(implied.__getitem__, assessment.implied)),
        b"]}",
    )
    triage = assessment.triage
    reasons = triage.reasons
    fields = {"level": triage.level, "reasons": [r.message for r in reasons]}
    out += (b',"triage":', _dumps(fields)[:-1], b',"triggers":[')
    for number, r in enumerate(reasons):
        trigger = {"level": r.level, "trigger": r.trigger, "message": r.message}
        out += (b"," if number else b"", _dumps(trigger)[:-1], bases[r.trigger, r.basis], b"}")
    out.append(b']},"differential":[')
    entry = entries.__getitem__
    rank = 0
    for cause_id, prior, prior_factors, _, posterior, contributions, presentation in assessment.shown:  # ScoredCause
        rank += 1
        head, middle, end = causes[cause_id]
        if mixed and cause_id in mixed:
            middle = middles[cause_id, presentation]
        raising, lowering = split(contributions)
        out += (
            b'{"rank":%d' % rank,
            head,
            numbers[f"{posterior:.4f}"],
            b',"prior":',
            numbers[f"{prior:.4f}"],
            b',"prior_factors":',
            factors[prior_factors],
            middle,
            b",".join(map(entry, raising)),
            b'],"against":[',
            b",".join(map(entry, lowering)),
            end,
        )
    if rank:
        out[-1] = out[-1][:-1]  # the last row: no comma after it
    plan = assessment.plan
    out += (b'],"workup":[', b",".join(map(names.__getitem__, map(_test_of, plan))), b'],"workup_plan":[')
    for test, line, yield_, plan_causes in plan:  # PlanItem
        out += (
            tests[test],
            _LINES[line],
            numbers[f"{yield_:.4f}"],
            b',"causes":',
            _dumps(plan_causes),
            b"},",
        )
    if plan:
        out[-1] = b"}"
    out += (b"]", _TAIL)
    return b"".join(out)
