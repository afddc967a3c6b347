"""A batch case straight to its JSON line through the compiled accelerator, when it is built.

`gutnerve._speedups` (gutnerve/_speedups.c, optional: see hatch_build.py) does the generic
arithmetic and byte-joining of a batch case: the sums of the case's rows of ln likelihood
ratios, the exponentials, the correctly rounded normaliser and the ranking (as
`scoring.score` does them), the sums of the contributing causes' posteriors per test (as
`workup.plan` adds them, as `workup.PlanKey` tuples), the sums triage's joint rule reads
(`Ranked.raised_total`, and `Ranked.parts_mass` for the components of the causes it weighs
by their presentations), and the JSON line (as `jsonline.assessment_line` writes it), from
tables compiled here once per knowledge base: each finding's rows and each cause's
for/against entries, the priors of each age and sex, each cause's tests, and the JSON pieces
of `jsonline.pieces`. The C code holds no medical fact and no rule: the reasoning stays in
Python, with the nesting of findings (`scoring.nested`), triage, and the workup's choice of
contributing causes and its order (`workup.contributing`, `workup.chosen`) run on what the
kernel returns.

The accelerator is used by `batch` (JSONL) for knowledge bases scored densely (up to
`scoring.DENSE_CAUSES` causes), with or without causes with presentations (a column per
component, folded into its cause's by the kernel as `scoring._fold` does it, with the components'
posterior weights that triage shares the cause's posterior by); larger ones, a missing extension, or GUTNERVE_PURE=1 in the
environment take the pure Python path, which gives the same bytes (tests/test_fastline.py
compares both with the reference `dumps_line(assessment_dict(...))`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from itertools import combinations
from typing import TYPE_CHECKING, Any, NamedTuple

import orjson

from gutnerve import scoring, triage, workup
from gutnerve.jsonline import _HEAD, _LINES, _TAIL, _kept, assessment_line, pieces
from gutnerve.model import Case, KnowledgeBase, Ranked

if TYPE_CHECKING:
    from gutnerve._speedups import Dense, Triaged

PURE = "GUTNERVE_PURE"  # set (not "0") to use the pure Python path even when the extension is built
# The calling convention this module and gutnerve/_speedups.c share (the C module's LAYOUT): raise
# both together whenever an argument's or a result's shape changes.
LAYOUT = 7


def extension() -> Any:
    """The compiled module gutnerve._speedups, or None: not built, built from another version of
    the source (LAYOUT differs), or GUTNERVE_PURE is set."""
    if os.environ.get(PURE, "") not in ("", "0"):
        return None
    try:
        from gutnerve import _speedups
    except ImportError:
        return None
    return _speedups if getattr(_speedups, "LAYOUT", None) == LAYOUT else None  # else a stale build


class _Lazy(dict[Any, Any]):
    """key -> value, computed by `fill` when first asked for."""

    def __init__(self, fill: Callable[[Any], Any]):
        super().__init__()
        self.fill = fill

    def __missing__(self, key: Any) -> Any:
        self.fill(key)
        return self[key]


class Accelerator(NamedTuple):
    """A knowledge base compiled for the extension (built once per knowledge base)."""

    dense: Dense  # the rows, priors and JSON pieces
    cause_ids: tuple[str, ...]
    # finding id -> its row when present (2 x its slot), and (finding id, the via findings a case
    # settles) -> the row of its screened evidence (scoring.evidence with `screened_by`)
    present: _Lazy
    absent: _Lazy  # the same when known absent (that + 1)
    priors: _Lazy  # (age, sex) -> (its prior table's index in `dense`, the normalised priors)
    pieces: Any  # jsonline.Pieces
    raised_total: Callable[[Any, Any, Any, float], float]  # _speedups.raised_total, for Ranked
    parts_mass: Callable[[Any, Any, Any, Any, int, float], list[float]]  # _speedups.parts_mass, for Ranked
    mixed: bool  # some cause has presentations: score_mixed, and each cause's chosen column
    # the findings some cause lists `via` another (scoring.Tables.screens): a case reporting none
    # of them (nearly all) needs no further check before the kernel scores it
    screenable: frozenset[str]
    # (finding, settled vias; None: its silence) -> its slot: rows 2 x slot, + 1
    slots: dict[tuple[str, frozenset[str] | None], int]
    # the rows of the case silent about every finding whose silence counts (scoring.Tables.unmentioned,
    # by id: each the slot (finding, None), its first row; scoring.unmentioned_evidence), and
    # finding -> its place there: a case drops the few it settles rather than filter them all
    silent: tuple[int, ...]
    silent_at: dict[str, int]


def accelerator(kb: KnowledgeBase) -> Accelerator | None:
    """The knowledge base compiled for the extension, or None where the pure path runs."""
    if extension() is None or not kb.causes or not kb.derived(scoring.compile_tables).dense:
        return None
    return kb.derived(_compile)


def number_table() -> tuple[bytes, ...]:
    """The JSON the reference writes for k / 10,000, k = 0 .. 10,000 (`jsonline._Numbers`: orjson's
    `round(x, 4) + 0.0`), from one orjson call rather than 10,001 (tests/test_fastline.py checks each)."""
    return tuple(orjson.dumps([k / 10_000 for k in range(10_001)])[1:-1].split(b","))


def _compile(kb: KnowledgeBase) -> Accelerator:
    from gutnerve._speedups import Dense

    tables = kb.derived(scoring.compile_tables)
    table = kb.derived(pieces)
    ids = tables.cause_ids
    rows = [table.causes[cause_id] for cause_id in ids]
    numbers = table.numbers

    def fallback(value: float) -> bytes:  # a number the C table does not settle: as jsonline writes it
        return numbers[f"{value:.4f}"]

    # a middle piece per column: a mixture cause's names the presentation its column is (null for
    # its own), then one per presentation column (scoring.Tables.owners)
    middles = [
        table.middles[cause_id, None] if cause_id in table.mixed else row[1] for cause_id, row in zip(ids, rows, strict=True)
    ]
    for index, component in tables.owners:
        cause = kb.causes[ids[index]]
        middles.append(table.middles[cause.id, cause.presentation_id(component)])
    # a slot of two rows per finding, per screened evidence, and per finding whose silence counts
    slots = _slots(sorted(kb.findings), tables.screens, frozenset(tables.unmentioned))
    dense = Dense(
        heads=tuple(row[0] for row in rows),
        middles=tuple(middles),
        ends=tuple(row[2] for row in rows),
        findings=tuple(_kept(finding_id) for finding_id, _ in slots),
        numbers=number_table(),
        fallback=fallback,
        tests={test_id: table.tests[test_id] for test_id in kb.tests},
        names={test_id: table.names[test_id] for test_id in kb.tests},
        lines={second: _LINES["second" if second else "first"] for second in (False, True)},  # by PlanKey
        causes={cause_id: _kept(cause_id) for cause_id in ids},
        head=_HEAD,
        tail=_TAIL,
    )
    test_ids = tuple(kb.tests)
    test_index = {test_id: number for number, test_id in enumerate(test_ids)}
    listed = [tuple((test_index[test], first) for test, first in workup._tests(kb.causes[c])) for c in ids]
    dense.set_tests(ids, test_ids, tuple(listed))
    if tables.mixtures:
        dense.set_mixtures(tuple((m.cause, m.columns, m.log_weights) for m in tables.mixtures))
    place = {slot: number for number, slot in enumerate(slots)}
    unscreened: frozenset[str] = frozenset()

    def entries(evidence: scoring.Evidence) -> tuple[bytes | None, ...]:
        """Each column's for/against entry, as JSON (None: not shown)."""
        return tuple(None if part is None else table.entries[part] for part in evidence.shown)

    def fill_rows(key: str | tuple[str, frozenset[str]]) -> None:
        """Both rows of a finding (or of its screened evidence), when a case first needs them."""
        finding_id, settled = (key, unscreened) if isinstance(key, str) else key
        row = 2 * place[finding_id, settled]  # KeyError for an unknown finding, as the pure path
        for side, evidence in enumerate(scoring.evidence(kb, tables, finding_id, settled)):
            dense.set_row(row + side, evidence.row, entries(evidence))
        present[key], absent[key] = row, row + 1

    def silent_row(finding_id: str) -> int:
        """The row of a finding the case does not mention (its slot's second row stays unset)."""
        row = 2 * place[finding_id, None]
        evidence = scoring.unmentioned_evidence(kb, tables, finding_id)
        dense.set_row(row, evidence.row, entries(evidence))
        return row

    def fill_prior(key: tuple[int | None, str | None]) -> None:
        """The prior table of an age and sex (a few hundred at most), as scoring computes it."""
        case = Case(frozenset(), frozenset(), *key)
        base = scoring._priors(kb, case)
        factors = tuple(table.factors[scoring.prior_weight(kb.causes[cause_id], case)[1]] for cause_id in ids)
        priors[key] = (dense.add_prior(base.start, base.prior, factors), base.prior)

    present, absent, priors = _Lazy(fill_rows), _Lazy(fill_rows), _Lazy(fill_prior)
    silent = tuple(map(silent_row, tables.unmentioned))
    speedups = extension()
    return Accelerator(
        dense,
        ids,
        present,
        absent,
        priors,
        table,
        speedups.raised_total,
        speedups.parts_mass,
        bool(tables.mixtures),
        frozenset(tables.screens),
        place,
        silent,
        {finding_id: number for number, finding_id in enumerate(tables.unmentioned)},
    )


# A finding listed `via` at most this many others gets a slot of rows for each set of them a case
# can settle (2^k - 1); one listed via more (none is) takes the pure path when screened.
MAX_VIAS = 4


def _slots(
    finding_ids: list[str], screens: dict[str, frozenset[str]], silent: frozenset[str]
) -> list[tuple[str, frozenset[str] | None]]:
    """The kernel's row slots: each finding's own, followed by one for each set of its via findings
    a case can settle, and one (finding, None) for a finding whose silence counts (`silent`).
    Kept in finding id order, so that sorting a case's rows (as the kernel does, to add them in
    scoring's order) still sorts them by finding."""
    slots: list[tuple[str, frozenset[str] | None]] = []
    for finding_id in finding_ids:
        slots.append((finding_id, frozenset()))
        vias = sorted(screens.get(finding_id, ()))
        if len(vias) <= MAX_VIAS:
            slots += [(finding_id, frozenset(s)) for k in range(1, len(vias) + 1) for s in combinations(vias, k)]
        if finding_id in silent:
            slots.append((finding_id, None))
    return slots


def line(kb: KnowledgeBase, compiled: Accelerator, case: Case, top: int | None) -> bytes:
    """The JSON line of a case: `jsonline.assessment_line(kb, api.assess_case(kb, case, top))`
    (and so the reference's `dumps_line(assessment_dict(...))`), byte for byte."""
    arguments = _assess(kb, compiled, case, top)
    if arguments is None:
        return _pure_line(kb, case, top)
    return compiled.dense.line(*arguments)


def append_line(out: bytearray, kb: KnowledgeBase, compiled: Accelerator, case: Case, top: int | None) -> None:
    """`line(...)` appended to `out` (a batch chunk's output: no bytes object, no join)."""
    arguments = _assess(kb, compiled, case, top)
    if arguments is None:
        out += _pure_line(kb, case, top)
        return
    compiled.dense.append_line(out, *arguments)


def kernel_rows(
    kb: KnowledgeBase, compiled: Accelerator, counted: Case, present: tuple[int, ...], absent: tuple[int, ...]
) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """The rows the kernel adds for a counted case, present and absent: `present` and `absent`,
    except a finding some cause lists `via` a finding the case settles (`scoring.screening`) takes
    the rows of its screened evidence; then, among the absent rows, the rows of the findings whose
    silence counts that the case does not mention (`scoring.unmentioned`: the kernel sorts rows by
    slot, so by finding, and adds them in scoring's order). None: screened rows with no slot (too
    many vias), so the pure path scores the case."""
    tables = kb.derived(scoring.compile_tables)
    silent = _unsettled(compiled, scoring.settled(tables.nesting, counted))
    screenable = compiled.screenable
    if screenable.isdisjoint(counted.present) and screenable.isdisjoint(counted.absent):
        return present, absent + silent  # nearly every case
    screens = scoring.screening(tables, counted)
    if not screens:
        return present, absent + silent
    if any((finding, settled) not in compiled.slots for finding, settled in screens.items()):
        return None
    present_rows, absent_rows = compiled.present, compiled.absent
    return (
        tuple(present_rows[(f, screens[f]) if f in screens else f] for f in counted.present),
        tuple(absent_rows[(f, screens[f]) if f in screens else f] for f in counted.absent) + silent,
    )


def _unsettled(compiled: Accelerator, known: frozenset[str]) -> tuple[int, ...]:
    """The rows of the silences a case keeps (`scoring.unmentioned`, by id): all of them but those
    of the findings it settles (`known`), cut out of the precompiled tuple."""
    rows, at = compiled.silent, compiled.silent_at
    cuts = sorted([at[finding] for finding in known if finding in at])
    if not cuts:
        return rows
    kept: list[int] = []
    start = 0
    for cut in cuts:
        kept += rows[start:cut]
        start = cut + 1
    kept += rows[start:]
    return tuple(kept)


def _pure_line(kb: KnowledgeBase, case: Case, top: int | None) -> bytes:
    from gutnerve.api import assess_case

    return assessment_line(kb, assess_case(kb, case, top))


def _assess(kb: KnowledgeBase, compiled: Accelerator, case: Case, top: int | None) -> tuple[Any, ...] | None:
    """Score, triage and plan the case; the arguments of Dense.line for it (None: the kernel has
    no rows for its screened findings, `kernel_rows`)."""
    if top is not None and top < 1:  # the reference refuses it (CaseError): so does this path
        from gutnerve.api import assess_case

        assess_case(kb, case, top)
    dense, ids, present_rows, absent_rows, priors, table, raised_total, parts_mass, mixed = compiled[:9]
    present = tuple(map(present_rows.__getitem__, case.present))
    absent = tuple(map(absent_rows.__getitem__, case.absent))
    implied = scoring.nested(kb, case)
    counted = case
    if implied:  # scoring counts the findings that no other finding of the case entails
        counted = scoring.counted(kb, case, implied)
        present_counted = tuple(map(present_rows.__getitem__, counted.present))
        absent_counted = tuple(map(absent_rows.__getitem__, counted.absent))
        implied_json = b",".join(map(table.implied.__getitem__, implied))
    else:
        present_counted, absent_counted, implied_json = present, absent, b""
    kernel = kernel_rows(kb, compiled, counted, present_counted, absent_counted)
    if kernel is None:
        return None
    present_counted, absent_counted = kernel
    prior_index, prior = priors[case.age, case.sex]
    chosen: list[int] | None = None
    shares: list[float] | None = None  # each mixture's components' posterior weights, for triage
    if mixed:  # each cause's explanation is that of a column: its chosen component's
        logs, posterior, order, chosen, shares = dense.score_mixed(prior_index, present_counted, absent_counted)
    else:
        logs, posterior, order = dense.score(prior_index, present_counted, absent_counted)
    ranked = Ranked(ids, prior, logs, posterior, order, sum_raised=raised_total, shares=shares, sum_parts=parts_mass)
    level = triaged(kb, table, case, ranked)
    # the workup: which causes contribute and the plan's order as workup.plan decides them, the
    # posteriors summed per test by the accelerator
    count = workup.contributing(kb.settings, map(posterior.__getitem__, order))
    plan = workup.chosen(kb.settings, dense.gather(order, posterior, count))
    rows = present_counted + absent_counted
    shown = len(ids) if top is None else top
    line = (case.id, case.age, case.sex, present, absent, implied_json, level, prior_index, rows, posterior, order)
    return (*line, shown, plan) if chosen is None else (*line, shown, plan, chosen)


def triaged(kb: KnowledgeBase, table: Any, case: Case, ranked: Ranked) -> Triaged:
    """The case's triage as Dense.line takes it: each reason with the end of its JSON trigger
    (its basis and source, from jsonline.Pieces `table`, encoded once per knowledge base)."""
    result = triage.triage(kb, case, ranked)
    bases = table.bases
    return result.level, tuple((r.level, r.message, r.trigger, bases[r.trigger, r.basis]) for r in result.reasons)
