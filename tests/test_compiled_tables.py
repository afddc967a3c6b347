"""The tables compiled once per knowledge base agree with what they stand for.

Scoring, triage, the workup and the result object each keep tables built from
the knowledge base so that a case costs little (scoring.evidence, report's
entries, triage.compile_flags). These tests pin every entry of those tables on
the shipped knowledge base against the reference it replaces: the per-cause
explanation `scoring.contributions`, the cause's own link numbers, and the
straightforward versions of the ordering rules.
"""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gutnerve import make_case
from gutnerve.model import Case, Contribution, KnowledgeBase, PlanItem, ScoredCause, split
from gutnerve.report import _tables
from gutnerve.scoring import (
    compile_tables,
    component_scores,
    contributions,
    counted,
    evidence,
    score,
    unmentioned_evidence,
    unmentioned_share,
)
from gutnerve.triage import compile_flags, triage
from gutnerve.workup import cause_tests, plan

from .conftest import edit, synthetic_kb


def every_side(kb: KnowledgeBase):
    """(finding, present) for every finding of the knowledge base, each way it can be reported."""
    return [(finding, present) for finding in kb.findings for present in (True, False)]


def test_each_findings_evidence_is_the_reference_explanation_for_every_cause(shipped):
    """For every finding, reported either way, and every column (a cause's own table, then each
    presentation's): the compiled column gives the contribution `scoring.contributions` computes
    for that component of its cause, and the dense row its weight."""
    tables = compile_tables(shipped)
    assert tables.dense  # the shipped knowledge base is scored with full rows
    causes = list(shipped.causes.values())
    columns = [(cause, 0) for cause in causes] + [(causes[index], component) for index, component in tables.owners]
    assert tables.owners  # the shipped knowledge base has presentations: their columns are checked too
    for finding, present in every_side(shipped):
        side = evidence(shipped, tables, finding)[0 if present else 1]
        case = make_case(shipped, [finding] if present else [], [] if present else [finding])
        for column, (cause, component) in enumerate(columns):
            # the case's other entries are the history it is silent about (checked below)
            reference = [p for p in contributions(shipped, cause, case, component) if p.finding == finding]
            where = (finding, present, cause.id, cause.presentation_id(component))
            assert side.shown[column] == (reference[0] if reference else None), where
            weight = reference[0].weight if reference else 0.0
            assert side.row[column] == weight, where


def test_each_unmentioned_findings_evidence_is_the_reference_explanation_for_every_cause(shipped):
    """The same for a case silent about a finding whose silence counts (model.yaml `unmentioned`):
    an empty case's reference explanation holds exactly one entry for each such finding a column
    lists (not `via` another), and the compiled evidence gives it."""
    tables = compile_tables(shipped)
    causes = list(shipped.causes.values())
    columns = [(cause, 0) for cause in causes] + [(causes[index], component) for index, component in tables.owners]
    assert len(tables.unmentioned) >= 15  # the shipped history findings that some cause lists
    empty = make_case(shipped, [], [])
    seen = 0
    for column, (cause, component) in enumerate(columns):
        reference = {p.finding: p for p in contributions(shipped, cause, empty, component)}
        assert set(reference) <= set(tables.unmentioned), cause.id
        assert all(p.present is None for p in reference.values())
        for finding in tables.unmentioned:
            side = unmentioned_evidence(shipped, tables, finding)
            assert side.shown[column] == reference.get(finding), (finding, cause.id, component)
            assert side.row[column] == (reference[finding].weight if finding in reference else 0.0)
            seen += finding in reference
    assert seen >= 40


def test_each_for_against_entry_is_built_from_the_causes_own_numbers(shipped):
    """The result object's entry for a contribution: a listed finding's numbers come from the cause's
    link (frequency against background), an unlisted one's from the unexplained share."""
    entries = _tables(shipped).entries
    tables = compile_tables(shipped)
    for finding, present in every_side(shipped):
        side = evidence(shipped, tables, finding)[0 if present else 1]
        background = shipped.findings[finding].background
        reference = background if present else 1.0 - background
        for index, cause in enumerate(shipped.causes.values()):
            part = side.shown[index]
            if part is None:
                continue
            link = cause.link(finding)
            if link is None:
                share = shipped.settings.unexplained
                likelihood = share * background if present else 1.0 - share * background
            else:
                likelihood = link.frequency if present else 1.0 - link.frequency
            expected = entry(shipped, finding, present, likelihood, reference, link is not None)
            assert entries[part] == expected, (finding, present, cause.id)


def entry(kb: KnowledgeBase, finding: str, present: bool | None, likelihood: float, reference: float, explained: bool):
    """A for/against entry as the result object writes it, from its numbers."""
    return {
        "finding": finding,
        "label": kb.findings[finding].label,
        "present": present,
        "weight": round(math.log(likelihood / reference), 3) + 0.0,
        "likelihood_ratio": round(likelihood / reference, 3) + 0.0,
        "explained": explained,
    }


def test_each_unmentioned_entry_is_built_from_the_causes_own_numbers(shipped):
    """A silent finding's entry: present null, likelihood 1 - r x frequency against 1 - r x
    background (r: model.yaml `unmentioned`), for a cause that lists it."""
    entries = _tables(shipped).entries
    tables = compile_tables(shipped)
    for finding in tables.unmentioned:
        share = unmentioned_share(shipped.settings, shipped.findings[finding])
        assert 0.0 < share < 1.0
        side = unmentioned_evidence(shipped, tables, finding)
        reference = 1.0 - share * shipped.findings[finding].background
        for index, cause in enumerate(shipped.causes.values()):
            part = side.shown[index]
            link = cause.link(finding)
            if link is None or link.via is not None:
                assert part is None, (finding, cause.id)
                continue
            likelihood = 1.0 - share * link.frequency
            assert entries[part] == entry(shipped, finding, None, likelihood, reference, True), (finding, cause.id)


def test_the_compiled_red_flags_are_the_declared_ones(shipped):
    flags = compile_flags(shipped)
    filed = {number: (needs, reason) for entries in flags.by_finding.values() for number, needs, reason in entries}
    redundant = plain_echoes(shipped)
    assert redundant, "the shipped knowledge base files some flags again under causes"
    assert sorted(filed) == [n for n in range(len(shipped.red_flags)) if n not in redundant]
    for number, flag in enumerate(shipped.red_flags):
        if number in redundant:
            continue
        needs, reason = filed[number]
        assert needs == frozenset(flag.findings) and (reason.level, reason.message) == (flag.level, flag.message)
        assert reason.trigger == ("finding:" if flag.findings == (flag.origin,) else "red-flag:") + flag.origin
    assert flags.causes == {c.id: (c.urgency, c.name) for c in shipped.causes.values()}


def reference_plan(kb: KnowledgeBase, ranked: list[ScoredCause]) -> tuple[PlanItem, ...]:
    """workup.plan as its docstring states it, written plainly."""
    settings = kb.settings
    tests = cause_tests(kb)
    yields: dict[str, float] = {}
    causes: dict[str, list[str]] = {}
    first_line: set[str] = set()
    for rank, scored in enumerate(ranked):
        if rank >= settings.workup_min_causes and scored.posterior < settings.workup_min_posterior:
            break
        for test, first in tests[scored.cause_id]:
            yields[test] = yields.get(test, 0.0) + scored.posterior
            causes.setdefault(test, []).append(scored.cause_id)
            if first:
                first_line.add(test)
    order = sorted(yields, key=lambda test: (test not in first_line, -yields[test], test))
    return tuple(
        PlanItem(test, "first" if test in first_line else "second", yields[test], tuple(causes[test]))
        for test in order[: settings.workup_max_tests]
    )


def plain_echoes(kb: KnowledgeBase) -> set[int]:
    """The flags another flag on the same findings makes redundant: more urgent, or as urgent and first."""
    levels = kb.settings.triage_levels
    flags = kb.red_flags
    return {
        n
        for n, flag in enumerate(flags)
        for m, other in enumerate(flags)
        if set(other.findings) == set(flag.findings) and (levels.index(other.level), m) < (levels.index(flag.level), n)
    }


def odds_grew(kb: KnowledgeBase, scored: ScoredCause) -> bool:
    """The findings made the cause more probable, multiplying its odds by model.yaml
    `triage.cause_evidence` or more."""

    def odds(p: float) -> float:
        return math.inf if p >= 1.0 else p / (1.0 - p)

    return scored.posterior > scored.prior and odds(scored.posterior) >= kb.settings.triage_evidence * odds(scored.prior)


def weighed(kb: KnowledgeBase, case, scored: ScoredCause) -> list[tuple[str, str, ScoredCause]]:
    """(urgency, cause id, its reference and posterior) of what triage weighs for a cause: itself, or,
    when a presentation has an urgency of its own, each component, with the cause's reference times
    its reference share and the cause's posterior times its posterior weight (w_k exp L_k,
    normalised). The reference is a case of the same age and sex that reports nothing (silent about
    everything where silence counts): what it would score, and its components' weights."""
    empty = Case(frozenset(), frozenset(), case.age, case.sex)
    nothing = next(s for s in score(kb, empty) if s.cause_id == scored.cause_id)
    scored = scored._replace(prior=nothing.posterior)
    cause = kb.causes[scored.cause_id]
    if all(p.urgency in (None, cause.urgency) for p in cause.presentations):
        return [(cause.urgency, cause.id, scored)]

    def weights(values: list[float]) -> list[float]:
        total = math.fsum(math.exp(v) for v in values)
        return [math.exp(v) / total for v in values]

    before = weights(component_scores(kb, cause, empty))
    after = weights(component_scores(kb, cause, counted(kb, case)))
    return [
        (cause.component_urgency(k), cause.id, scored._replace(prior=scored.prior * w, posterior=scored.posterior * v))
        for k, (w, v) in enumerate(zip(before, after, strict=True))
    ]


def suspected(kb: KnowledgeBase, case, cause_id: str) -> bool:
    """The cause may count in triage: it has no `suspect_when`, or the case has one entry's finding (or
    a finding implying it) and none of that entry's `unless`."""
    when = kb.causes[cause_id].suspect_when
    if when is None:
        return True
    return any(
        any(f == finding or finding in kb.findings[f].implies for f in case.present) and not case.present & set(unless)
        for finding, unless in when.any
    )


def reference_triage_levels(kb: KnowledgeBase, case, ranked: list[ScoredCause]) -> list[tuple[str, str]]:
    """(level, trigger) of every reason, as triage's docstring states them, written plainly."""
    reasons = []
    redundant = plain_echoes(kb)
    for number, flag in enumerate(kb.red_flags):
        if number in redundant:
            continue
        if all(f in case.present for f in flag.findings) and flag.message not in [m for _, _, m in reasons]:
            kind = "finding" if flag.findings == (flag.origin,) else "red-flag"
            reasons.append((flag.level, f"{kind}:{flag.origin}", flag.message))
    units = [unit for scored in ranked if suspected(kb, case, scored.cause_id) for unit in weighed(kb, case, scored)]
    for urgency, cause_id, unit in units:
        threshold = kb.settings.cause_thresholds.get(urgency)
        if threshold is not None and unit.posterior >= threshold and odds_grew(kb, unit):
            reasons.append((urgency, f"cause:{cause_id}", ""))
    levels = kb.settings.triage_levels
    reached = min((levels.index(level) for level, _, _ in reasons), default=len(levels))
    for index, level in enumerate(levels[:reached]):  # causes this urgent or more, together
        threshold = kb.settings.cause_thresholds.get(level)
        if threshold is None:
            break
        together = sum(unit.posterior for urgency, _, unit in units if levels.index(urgency) <= index and odds_grew(kb, unit))
        if together >= threshold:
            reasons.append((level, f"causes:{level}", ""))
            break
    below = kb.settings.leading_floor  # the floor the cause ranked first sets, by its most probable unit
    if below is not None and ranked and suspected(kb, case, ranked[0].cause_id):
        urgency, cause_id, unit = max(weighed(kb, case, ranked[0]), key=lambda weighed: weighed[2].posterior)
        floor = levels[min(levels.index(urgency) + below, len(levels) - 1)]
        reached = min((levels.index(level) for level, _, _ in reasons), default=len(levels) - 1)
        if levels.index(floor) < reached and odds_grew(kb, unit):
            reasons.append((floor, f"leading:{cause_id}", ""))
    reasons.sort(key=lambda r: levels.index(r[0]))
    return [(level, trigger) for level, trigger, _ in reasons]


def random_case(kb: KnowledgeBase, rng: random.Random, most: int, ages: list, sexes: list):
    """Up to `most` distinct findings, split at random into present and absent, with an age and sex drawn."""
    chosen = rng.sample(list(kb.findings), rng.randint(0, most))
    cut = rng.randint(0, len(chosen))
    return make_case(kb, chosen[:cut], chosen[cut:], age=rng.choice(ages), sex=rng.choice(sexes))


def test_plan_and_triage_agree_with_their_plain_statements_on_random_cases(shipped):
    rng = random.Random(3)
    for _ in range(300):
        case = random_case(shipped, rng, most=10, ages=[None, 20, 75], sexes=[None, "male"])
        ranked = list(score(shipped, case, detail=5))
        assert plan(shipped, ranked) == reference_plan(shipped, ranked)
        assert [(r.level, r.trigger) for r in triage(shipped, case, ranked).reasons] == reference_triage_levels(
            shipped, case, ranked
        )


def test_triage_agrees_with_its_plain_statement_where_the_leading_cause_sets_the_floor(shipped):
    """Random cases seldom end with the floor the leading cause sets (model.yaml `leading_cause_floor`),
    so these do: Guillain-Barre leading at 10% in a woman of 60, and the single findings."""
    gbs = make_case(shipped, ["tingling-feet", "recent-gastroenteritis", "obesity"], ["fever"], age=60, sex="female")
    cases = [gbs, *(make_case(shipped, [finding], []) for finding in shipped.findings)]
    floors = 0
    for case in cases:
        ranked = list(score(shipped, case, detail=5))
        got = [(r.level, r.trigger) for r in triage(shipped, case, ranked).reasons]
        assert got == reference_triage_levels(shipped, case, ranked), sorted(case.present)
        floors += any(trigger.startswith("leading:") for _, trigger in got)
    assert floors >= 2


weights = st.sampled_from([-1.5, -0.693, -0.2, 0.0, 0.054, 0.693, 1.2, 2.8])  # few values: ties are common


@given(st.lists(weights, max_size=9))
def test_split_orders_as_sorting_by_falling_strength_with_ties_in_place(drawn):
    parts = tuple(Contribution(f"f{n}", True, 0.5, 0.5, weight) for n, weight in enumerate(drawn))
    raising, lowering = split(parts)
    assert raising == sorted((c for c in parts if c.weight > 0), key=lambda c: -c.weight)
    assert lowering == sorted((c for c in parts if c.weight < 0), key=lambda c: c.weight)
    scored = ScoredCause("x", 0.1, (), 0.0, 0.1, parts)
    assert (list(scored.supporting), list(scored.opposing)) == (raising, lowering)


def test_tables_are_kept_per_knowledge_base_not_shared_with_an_edited_copy(shipped):
    """An edited copy (a new object) compiles its own tables: a changed background changes its rows."""
    finding = next(iter(shipped.findings))
    findings = dict(shipped.findings)
    findings[finding] = edit(findings[finding], background=findings[finding].background / 2)
    edited = edit(shipped, findings=findings)
    original = evidence(shipped, compile_tables(shipped), finding)[0].row
    changed = evidence(edited, edited.derived(compile_tables), finding)[0].row
    assert original != changed


def test_a_lazy_posterior_view_sums_a_group_of_causes_as_read_one_by_one():
    """Triage sums each urgency's causes; on a large knowledge base the posteriors are a lazy
    view (scoring._Overlay) whose sum_over must equal reading every member."""
    from gutnerve.scoring import _Overlay

    rng = random.Random(5)
    for _ in range(200):
        base = [rng.random() for _ in range(rng.randint(1, 60))]
        overrides = {i: rng.random() * 3 for i in rng.sample(range(len(base)), rng.randint(0, len(base)))}
        view = _Overlay(base, overrides, scale=rng.random(), offset=rng.choice([0.0, 0.4]))
        indices = tuple(sorted(rng.sample(range(len(base)), rng.randint(0, len(base)))))
        assert view.sum_over(indices, frozenset(indices)) == pytest.approx(sum(view[i] for i in indices), rel=1e-12, abs=1e-12)


def test_a_lazy_posterior_view_sums_the_raised_causes_as_read_one_by_one():
    """Triage sums only the causes whose odds the findings multiplied by `triage.cause_evidence` or
    more. In the lazy view the causes with no override all moved by the same ratio s from their prior:
    none raised when s <= 1, all when s >= the factor, and in between it depends on each prior."""
    from gutnerve.model import raised
    from gutnerve.scoring import _Overlay

    rng = random.Random(6)
    for _ in range(600):
        base = [rng.random() * 0.05 for _ in range(rng.randint(1, 60))]
        overrides = {i: rng.random() * 0.2 for i in rng.sample(range(len(base)), rng.randint(0, len(base)))}
        scale = rng.uniform(0.5, 3.0)
        view = _Overlay(base, overrides, scale=scale)
        shift = rng.choice([0.1, 0.3, 0.6, 0.9, 1.5])  # untouched causes moved 1 / shift-fold
        prior = [b * scale * shift for b in base]
        factor = rng.choice([1.0, 2.0, 5.0])
        indices = tuple(sorted(rng.sample(range(len(base)), rng.randint(0, len(base)))))
        expected = sum(view[i] for i in indices if raised(view[i], prior[i], factor))
        got = view.raised_over(indices, frozenset(indices), prior, factor)
        assert got == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_a_lazy_posterior_view_over_a_quiet_table_sums_the_raised_causes_as_read_one_by_one():
    """The same where the base is a case silent about every history finding (scoring.Quiet, sparse
    scoring): the untouched causes moved from their priors by s x lift(i), each by its own silences."""
    from gutnerve.model import raised
    from gutnerve.scoring import Quiet, _Overlay

    rng = random.Random(16)
    reads = 0
    for _ in range(800):
        base = [rng.random() * 0.05 for _ in range(rng.randint(1, 60))]
        overrides = {i: rng.random() * 0.2 for i in rng.sample(range(len(base)), rng.randint(0, len(base)))}
        lifts = [rng.choice([1.0, rng.uniform(0.4, 1.2)]) for _ in base]
        scale = rng.uniform(0.5, 3.0)
        view = _Overlay(base, overrides, scale=scale, lifts=Quiet(None, {}, lifts, {}))
        shift = rng.choice([0.1, 0.3, 0.6, 0.9, 1.5])
        prior = [b * scale * shift / lift for b, lift in zip(base, lifts, strict=True)]  # moved lift / shift-fold
        factor = rng.choice([1.0, 2.0, 5.0])
        indices = tuple(sorted(rng.sample(range(len(base)), rng.randint(0, len(base)))))
        expected = sum(view[i] for i in indices if raised(view[i], prior[i], factor))
        got = view.raised_over(indices, frozenset(indices), prior, factor)
        assert got == pytest.approx(expected, rel=1e-12, abs=1e-12)
        reads += expected > 0
    assert reads > 100  # raised causes were among them, not only empty sums


def test_plan_and_triage_read_a_ranking_as_they_read_its_records(shipped, tmp_path):
    """Triage and the workup walk a Ranked by (cause id, posterior) without making records
    (Ranked.posteriors); they must find what they find in the records themselves, on the
    shipped knowledge base (dense) and on a large one, whose ranking is a lazy view (sparse)."""

    for kb in (shipped, synthetic_kb(tmp_path / "kb", causes=400, findings=300, links=12, seed=5)):
        rng = random.Random(8)
        for _ in range(150):
            case = random_case(kb, rng, most=9, ages=[None, 30, 80], sexes=[None, "female"])
            ranked = score(kb, case, detail=rng.choice([1, 5]))
            records = list(ranked)
            assert list(ranked.posteriors()) == [(s.cause_id, s.posterior) for s in records]
            assert plan(kb, ranked) == plan(kb, records)
            assert triage(kb, case, ranked) == triage(kb, case, records)
