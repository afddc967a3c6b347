"""The Bayesian engine at its edges: exact posteriors, ties, age and sex factors, `detail`.

Written against the survivors of mutation testing (docs/mutation-testing.md):
each test pins a behaviour that no other test checked. Numbers come from the
fixture knowledge base (tests/fixtures/mini-kb), worked by hand in the comments.

Each test loads its own copy of the fixture: scoring memoises its compiled
tables on the knowledge-base object, so with one shared copy they would be
built (and their code exercised) only in whichever test ran first.
"""

from __future__ import annotations

import math

import pytest

from gutnerve import make_case
from gutnerve.model import AgeBand, Contribution, KnowledgeBase, PriorFactor, ScoredCause
from gutnerve.scoring import _normalise, compile_tables, contributions, log_priors, prior_weight, score

from .conftest import edit, with_cause

IBS, SFN, B12 = "ibs-pain-sensitization", "small-fiber-neuropathy", "vitamin-b12-deficiency"


def with_prior(kb: KnowledgeBase, cause_id: str, **changes: object) -> KnowledgeBase:
    return with_cause(kb, cause_id, prior=edit(kb.causes[cause_id].prior, **changes))


def by_id(ranked: tuple[ScoredCause, ...]) -> dict[str, ScoredCause]:
    return {s.cause_id: s for s in ranked}


def test_exact_posteriors_for_a_second_case(mini):
    """Numb feet present, diarrhoea known absent, worked by hand (weights 30, 10, 3;
    numb-feet background 0.25, diarrhoea 0.40):
    IBS 30 x 0.17/0.25 x 0.45/0.60 = 15.3;  SFN 10 x 0.55/0.25 x 0.83/0.60 = 30.4333;
    B12 3 x 0.90/0.25 x 0.83/0.60 = 14.94;  total 60.6733."""
    ranked = score(mini, make_case(mini, ["numb-feet"], ["diarrhea"]))
    assert [s.cause_id for s in ranked] == [SFN, IBS, B12]
    result = by_id(ranked)
    odds = {IBS: 15.3, SFN: 10 * 2.2 * 0.83 / 0.6, B12: 3 * 3.6 * 0.83 / 0.6}
    total = sum(odds.values())
    for cause_id, value in odds.items():
        assert result[cause_id].posterior == pytest.approx(value / total, rel=1e-12)
        assert result[cause_id].log_score == pytest.approx(math.log(value), rel=1e-12)
    assert result[SFN].posterior == pytest.approx(0.5016, abs=1e-4)


def test_contributions_carry_likelihood_background_and_direction(mini):
    """B12 in the worked example: each reported finding with P(as observed | B12),
    P(as observed | background) and ln of their ratio."""
    b12 = by_id(score(mini, make_case(mini, ["burning-feet", "diarrhea"], ["weight-loss"])))[B12]
    expected = [
        Contribution("burning-feet", True, 0.55, 0.2, math.log(0.55 / 0.2)),
        Contribution("diarrhea", True, 0.17, 0.4, math.log(0.17 / 0.4)),
        Contribution("weight-loss", False, 0.45, 0.9, math.log(0.5)),
    ]
    assert [(c.finding, c.present) for c in b12.contributions] == [(c.finding, c.present) for c in expected]
    numbers = [(c.likelihood, c.background, c.weight) for c in b12.contributions]
    assert numbers == [pytest.approx((c.likelihood, c.background, c.weight)) for c in expected]


def test_an_unlisted_finding_is_skipped_not_the_end_of_the_list(mini):
    """A cause that does not list the first reported finding (alphabetically) still
    explains the ones after it."""
    sfn = mini.causes[SFN]
    kb = with_cause(mini, SFN, findings=tuple(link for link in sfn.findings if link.finding != "burning-feet"))
    case = make_case(kb, ["burning-feet", "diarrhea"], ["weight-loss"])
    expected = ["diarrhea", "weight-loss"]
    assert [c.finding for c in contributions(kb, kb.causes[SFN], case)] == expected
    assert [c.finding for c in by_id(score(kb, case))[SFN].contributions] == expected


def test_a_finding_no_cause_lists_changes_nothing(mini):
    """Present or known absent, a finding that no cause lists leaves every posterior at its prior."""
    causes = {
        cid: edit(cause, findings=tuple(link for link in cause.findings if link.finding != "diarrhea"))
        for cid, cause in mini.causes.items()
    }
    kb = edit(mini, causes=causes)
    for present, absent in ((["diarrhea"], []), ([], ["diarrhea"])):
        ranked = score(kb, make_case(kb, present, absent))
        assert [s.cause_id for s in ranked] == [IBS, SFN, B12]
        assert [s.posterior for s in ranked] == pytest.approx([30 / 43, 10 / 43, 3 / 43])
        assert all(s.contributions == () for s in ranked)


def test_ties_are_broken_by_cause_id(mini):
    """Equal weights and no findings: equal posteriors, listed in id order."""
    kb = mini
    for cause_id in (B12, IBS, SFN):
        kb = with_prior(kb, cause_id, weight=5.0)
    ranked = score(kb, make_case(kb))
    assert [s.cause_id for s in ranked] == [IBS, SFN, B12]
    assert [s.posterior for s in ranked] == pytest.approx([1 / 3] * 3)
    # two tied below a clear leader: the leader first, then the tie in id order
    kb = with_prior(kb, SFN, weight=20.0)
    assert [s.cause_id for s in score(kb, make_case(kb))] == [SFN, IBS, B12]


def test_age_bands_are_inclusive_at_both_ends(mini):
    """A band {min: 40, max: 60, factor: 2} on IBS (the first cause, so the band must
    survive the compiling of the causes after it): 60 against 10 + 3 inside the band."""
    kb = with_prior(mini, IBS, age=(AgeBand(40, 60, 2.0),))
    for age, weight in ((39, 30), (40, 60), (50, 60), (60, 60), (61, 30)):
        ibs = by_id(score(kb, make_case(kb, age=age)))[IBS]
        assert ibs.prior == pytest.approx(weight / (weight + 13)), age
        assert ibs.prior_factors == ((PriorFactor(f"age {age}", 2.0),) if weight == 60 else ())


def test_age_bands_of_several_causes_all_count(mini):
    kb = with_prior(mini, IBS, age=(AgeBand(None, 30, 0.5),))
    kb = with_prior(kb, B12, age=(AgeBand(60, None, 4.0), AgeBand(80, None, 2.0)))
    young = by_id(score(kb, make_case(kb, age=25)))
    assert young[IBS].prior == pytest.approx(15 / 28)
    old = by_id(score(kb, make_case(kb, age=85)))
    assert old[B12].prior == pytest.approx(24 / 64)  # 3 x 4 x 2 against 30 + 10
    assert old[B12].prior_factors == (PriorFactor("age 85", 4.0), PriorFactor("age 85", 2.0))


def test_sex_factor_applies_to_its_sex_only_and_one_is_ignored(mini):
    kb = with_prior(mini, B12, sex=(("female", 2.0), ("male", 1.0)))
    male = by_id(score(kb, make_case(kb, sex="male")))[B12]
    assert male.prior == pytest.approx(3 / 43)
    assert male.prior_factors == ()  # a factor of 1 changes nothing and is not shown
    female = by_id(score(kb, make_case(kb, sex="female")))[B12]
    assert female.prior == pytest.approx(6 / 46)
    assert female.prior_factors == (PriorFactor("sex female", 2.0),)
    unknown = by_id(score(kb, make_case(kb)))[B12]
    assert unknown.prior == pytest.approx(3 / 43) and unknown.prior_factors == ()


@pytest.mark.parametrize(("age", "sex"), [(None, None), (70, "female"), (70, "male"), (30, "female"), (30, None)])
def test_prior_weight_agrees_with_the_compiled_tables(mini, age, sex):
    """prior_weight (which explains the prior) and log_priors (which scores) compute the
    same adjusted weight, factor by factor."""
    kb = with_prior(mini, B12, age=(AgeBand(60, None, 4.0),), sex=(("female", 2.0), ("male", 1.0)))
    kb = with_prior(kb, IBS, sex=(("male", 0.5),))
    case = make_case(kb, age=age, sex=sex)
    logs = log_priors(compile_tables(kb), case)
    for index, cause in enumerate(kb.causes.values()):
        weight, factors = prior_weight(cause, case)
        assert weight == pytest.approx(math.exp(logs[index]))
        assert weight == pytest.approx(cause.prior.weight * math.prod(f.multiplier for f in factors))
    weight, factors = prior_weight(kb.causes[B12], make_case(kb, age=70, sex="female"))
    assert (weight, factors) == (24.0, (PriorFactor("age 70", 4.0), PriorFactor("sex female", 2.0)))
    assert prior_weight(kb.causes[IBS], make_case(kb, age=70, sex="male")) == (15.0, (PriorFactor("sex male", 0.5),))


def test_detail_fills_explanations_for_the_first_n_causes_only(mini):
    kb = with_prior(mini, B12, age=(AgeBand(60, None, 4.0),))
    kb = with_prior(kb, IBS, age=(AgeBand(60, None, 0.5),))
    case = make_case(kb, ["numb-feet", "weight-loss"], ["diarrhea"], age=70)
    full = score(kb, case)
    assert [s.cause_id for s in full] == [B12, SFN, IBS]
    assert all(s.contributions for s in full)
    assert full[0].prior_factors and full[2].prior_factors

    def numbers(ranked: tuple[ScoredCause, ...]) -> list[tuple[str, float, float, float]]:
        return [(s.cause_id, s.prior, s.log_score, s.posterior) for s in ranked]

    for detail, filled in ((0, 0), (1, 1), (2, 2), (3, 3), (10, 3)):
        ranked = score(kb, case, detail=detail)
        assert all(type(s) is ScoredCause for s in ranked)
        assert numbers(ranked) == numbers(full), detail
        assert ranked[:filled] == full[:filled], detail
        assert all(s.contributions == () and s.prior_factors == () for s in ranked[filled:]), detail
    assert score(kb, case, detail=None) == full


@pytest.mark.parametrize("peak", [1000.0, 0.0, -1000.0])
def test_normalising_is_safe_far_from_zero(peak):
    """Log scores are shifted by their maximum before exp: a score of +-1000 (a long list
    of findings) neither overflows nor underflows."""
    assert _normalise([peak, peak - math.log(3)]) == pytest.approx([0.75, 0.25])


def without_link(kb: KnowledgeBase, cause_id: str, finding: str, unexplained: float) -> KnowledgeBase:
    """kb with one finding taken off a cause's list, and model.yaml `unexplained` set."""
    cause = kb.causes[cause_id]
    kb = with_cause(kb, cause_id, findings=tuple(link for link in cause.findings if link.finding != finding))
    return edit(kb, settings=edit(kb.settings, unexplained=unexplained))


def test_findings_of_a_neutral_category_stay_neutral_when_unlisted(mini):
    """model.yaml `unexplained.neutral_categories`: diarrhoea (gastrointestinal) unlisted by SFN
    counts nothing for it, while leg weakness (neuropathic) unlisted counts ln 0.5."""
    kb = without_link(mini, SFN, "leg-weakness", 0.5)
    kb = with_cause(kb, SFN, findings=tuple(link for link in kb.causes[SFN].findings if link.finding != "diarrhea"))
    kb = edit(kb, settings=edit(kb.settings, neutral_categories=frozenset({"gastrointestinal"})))
    shown = by_id(score(kb, make_case(kb, ["leg-weakness", "diarrhea"])))[SFN]
    assert [(part.finding, part.explained) for part in shown.contributions] == [("leg-weakness", False)]
    assert shown.contributions[0].weight == pytest.approx(math.log(0.5), abs=1e-12)


@pytest.mark.parametrize("present", [True, False])
def test_a_finding_the_cause_does_not_list_counts_by_the_unexplained_share(mini, present):
    """SFN no longer lists leg weakness (background 0.10). With `unexplained` 0.5 its
    P(leg weakness | SFN) is 0.5 x 0.10 = 0.05: LR 0.05/0.10 = 0.5 when present,
    0.95/0.90 when known absent; the causes that list it are unchanged. With 1 it is neutral."""
    case = make_case(mini, ["leg-weakness"] if present else [], [] if present else ["leg-weakness"])
    neutral = by_id(score(without_link(mini, SFN, "leg-weakness", 1.0), case))
    halved_kb = without_link(mini, SFN, "leg-weakness", 0.5)
    halved = by_id(score(halved_kb, case))
    likelihood = 0.05 if present else 0.95
    reference = 0.10 if present else 0.90
    expected = Contribution("leg-weakness", present, likelihood, reference, math.log(likelihood / reference), explained=False)
    assert halved[SFN].contributions == (expected,)
    assert halved[SFN].contributions == contributions(halved_kb, halved_kb.causes[SFN], case)
    assert neutral[SFN].contributions == ()
    assert halved[SFN].log_score - neutral[SFN].log_score == pytest.approx(expected.weight, abs=1e-12)
    for other in (IBS, B12):
        assert halved[other].log_score == pytest.approx(neutral[other].log_score, abs=1e-12)
        assert all(part.explained for part in halved[other].contributions)


def test_unexplained_findings_are_shown_and_marked_in_the_result(mini):
    """The JSON lists an unexplained finding against the cause, with `explained: false`, and the
    table's words say so; a finding the cause lists is `explained: true`."""
    from gutnerve.api import assess_case
    from gutnerve.render.formats import reason
    from gutnerve.report import assessment_dict

    kb = without_link(mini, SFN, "leg-weakness", 0.5)
    result = assessment_dict(kb, assess_case(kb, make_case(kb, ["leg-weakness", "burning-feet"])))
    sfn = next(row for row in result["differential"] if row["id"] == SFN)
    assert sfn["against"] == [
        {
            "finding": "leg-weakness",
            "label": "Leg weakness",
            "present": True,
            "weight": round(math.log(0.5), 3),
            "likelihood_ratio": 0.5,
            "explained": False,
        }
    ]
    assert [entry["explained"] for entry in sfn["for"]] == [True]
    assert reason(sfn["against"][0]) == "Leg weakness (not a feature, LR 0.5)"
    assert reason(sfn["for"][0]) == "Burning feet (LR 4.5)"
