"""The Bayesian engine, pinned by the worked example of docs/method.md."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from gutnerve import assess, make_case
from gutnerve.scoring import contributions, prior_weight, score

from .conftest import MINI_KB, synthetic_kb

MIX_KB = MINI_KB.parent / "mix-kb"

DOC = Path(__file__).parent.parent / "docs" / "method.md"


def by_id(assessment):
    return {s.cause_id: s for s in assessment.ranked}


def test_worked_example(mini_kb):
    """Every number of the worked example in docs/method.md, value by value."""
    result = by_id(assess(mini_kb, present=["burning-feet", "diarrhea"], absent=["weight-loss"]))
    sfn, ibs, b12 = result["small-fiber-neuropathy"], result["ibs-pain-sensitization"], result["vitamin-b12-deficiency"]
    # priors: 10/43, 30/43, 3/43
    assert sfn.prior == pytest.approx(0.2326, abs=1e-4)
    assert ibs.prior == pytest.approx(0.6977, abs=1e-4)
    assert b12.prior == pytest.approx(0.0698, abs=1e-4)
    weights = {(s.cause_id, c.finding): c.weight for s in (sfn, ibs, b12) for c in s.contributions}
    expected_weights = {
        ("small-fiber-neuropathy", "burning-feet"): 1.5041,
        ("small-fiber-neuropathy", "diarrhea"): -0.8557,
        ("small-fiber-neuropathy", "weight-loss"): -0.0810,
        ("ibs-pain-sensitization", "burning-feet"): -0.1625,
        ("ibs-pain-sensitization", "diarrhea"): 0.3185,
        ("ibs-pain-sensitization", "weight-loss"): 0.0800,
        ("vitamin-b12-deficiency", "burning-feet"): 1.0116,
        ("vitamin-b12-deficiency", "diarrhea"): -0.8557,
        ("vitamin-b12-deficiency", "weight-loss"): -0.6931,
    }
    assert weights == pytest.approx(expected_weights, abs=1e-4)
    assert [sfn.log_score, ibs.log_score, b12.log_score] == pytest.approx([2.8700, 3.6372, 0.5614], abs=1e-4)
    assert [sfn.posterior, ibs.posterior, b12.posterior] == pytest.approx([0.3074, 0.6620, 0.0306], abs=1e-4)


def test_worked_mixture_example():
    """Every number of the mixture example in docs/method.md (tests/fixtures/mix-kb: the mini
    knowledge base with one presentation of small-fiber neuropathy), value by value."""
    from gutnerve.knowledge import load
    from gutnerve.scoring import component_scores

    kb = load(MIX_KB, use_cache=False)
    case = make_case(kb, ["burning-feet", "diarrhea", "weight-loss"])
    sfn = kb.causes["small-fiber-neuropathy"]
    assert sfn.weights == pytest.approx((0.8, 0.2))
    # ln w_k + L_k: ln 0.8 + ln(4.5 x 0.425 x 1.7) and ln 0.2 + ln(4.5 x 1.375 x 5.5)
    typical, dysmotility = component_scores(kb, sfn, case)
    assert typical == pytest.approx(math.log(0.8) + 1.1790, abs=1e-4)
    assert dysmotility == pytest.approx(math.log(0.2) + 3.5273, abs=1e-4)
    assert [math.exp(typical), math.exp(dysmotility)] == pytest.approx([2.6010, 6.8063], abs=1e-4)
    result = by_id(assess(kb, present=["burning-feet", "diarrhea", "weight-loss"]))
    mixed, ibs, b12 = result["small-fiber-neuropathy"], result["ibs-pain-sensitization"], result["vitamin-b12-deficiency"]
    assert [mixed.log_score, ibs.log_score, b12.log_score] == pytest.approx([4.5441, 2.1708, 2.9593], abs=1e-4)
    assert [mixed.posterior, ibs.posterior, b12.posterior] == pytest.approx([0.7703, 0.0718, 0.1579], abs=1e-4)
    # the explanation is the presentation's (6.8063 > 2.6010): its diarrhoea and weight loss
    assert mixed.presentation == "with-gut-dysmotility"
    assert (ibs.presentation, b12.presentation) == (None, None)
    weights = {c.finding: c.weight for c in mixed.contributions}
    assert weights == pytest.approx({"burning-feet": 1.5041, "diarrhea": 0.3185, "weight-loss": 1.7047}, abs=1e-4)
    # the presentation's share of the cause's posterior, 6.8063 / 9.4073
    assert math.exp(dysmotility) / (math.exp(typical) + math.exp(dysmotility)) == pytest.approx(0.7235, abs=1e-4)
    text = DOC.read_text()
    assert re.search(r"\*\*0\.7703\*\*.*\*\*0\.0718\*\*.*\*\*0\.1579\*\*", text)


def test_worked_example_numbers_are_the_ones_in_the_doc():
    """The doc's table carries the posteriors the test above pins."""
    text = DOC.read_text()
    assert re.search(r"\*\*0\.3074\*\*.*\*\*0\.6620\*\*.*\*\*0\.0306\*\*", text)


def test_posteriors_sum_to_one_and_are_sorted(mini_kb):
    ranked = assess(mini_kb, present=["numb-feet"], absent=["diarrhea"]).ranked
    assert math.fsum(s.posterior for s in ranked) == pytest.approx(1.0, abs=1e-12)
    assert [s.posterior for s in ranked] == sorted((s.posterior for s in ranked), reverse=True)


def test_no_findings_gives_the_priors(mini_kb):
    for scored in score(mini_kb, make_case(mini_kb)):
        assert scored.posterior == pytest.approx(scored.prior)
        assert scored.contributions == ()


def test_unknown_is_not_absent(mini_kb):
    unknown = by_id(assess(mini_kb, present=["burning-feet"]))
    absent = by_id(assess(mini_kb, present=["burning-feet"], absent=["weight-loss"]))
    # B12 lists weight loss as frequent: knowing it is absent lowers B12, not knowing leaves it
    assert absent["vitamin-b12-deficiency"].posterior < unknown["vitamin-b12-deficiency"].posterior
    assert "weight-loss" not in {c.finding for c in unknown["vitamin-b12-deficiency"].contributions}


def test_unlisted_finding_is_neutral(mini_kb):
    """A finding a cause does not list has LR exactly 1 for it, present or absent."""
    from dataclasses import replace

    from gutnerve.scoring import contributions

    listed = mini_kb.causes["small-fiber-neuropathy"]
    unlisted = replace(listed, findings=tuple(link for link in listed.findings if link.finding != "diarrhea"))
    for present, absent in ((["diarrhea"], []), ([], ["diarrhea"])):
        case = make_case(mini_kb, present, absent)
        assert len(contributions(mini_kb, listed, case)) == 1
        assert contributions(mini_kb, unlisted, case) == ()


def test_excluded_finding_argues_hard_against(mini_kb):
    # IBS lists leg-weakness as excluded (0.005 against a background of 0.10): LR 0.05
    ibs = by_id(assess(mini_kb, present=["leg-weakness"]))["ibs-pain-sensitization"]
    (part,) = ibs.contributions
    assert part.weight == pytest.approx(math.log(0.005 / 0.10))


def test_supporting_and_opposing_split_by_sign(mini_kb):
    sfn = by_id(assess(mini_kb, present=["burning-feet", "diarrhea"]))["small-fiber-neuropathy"]
    assert [c.finding for c in sfn.supporting] == ["burning-feet"]
    assert [c.finding for c in sfn.opposing] == ["diarrhea"]


def test_age_and_sex_factors_change_the_prior(tmp_path):
    import shutil

    from gutnerve.knowledge import load

    from .conftest import MINI_KB

    copy = tmp_path / "kb"
    shutil.copytree(MINI_KB, copy)
    path = copy / "causes" / "vitamin-b12-deficiency.yaml"
    path.write_text(
        path.read_text().replace(
            "  basis: illustrative", "  basis: illustrative\n  age: [{min: 60, factor: 4}]\n  sex: {female: 2}"
        )
    )
    kb = load(copy)
    young = by_id(assess(kb, age=30, sex="male"))["vitamin-b12-deficiency"]
    old_woman = by_id(assess(kb, age=70, sex="female"))["vitamin-b12-deficiency"]
    assert young.prior == pytest.approx(3 / 43)
    assert old_woman.prior == pytest.approx(24 / 64)  # 3 x 4 x 2 = 24 against 10 + 30
    assert [f.reason for f in old_woman.prior_factors] == ["age 70", "sex female"]


def test_ranked_is_a_sequence_built_on_read(kb):
    """score() returns every cause most probable first; records past `detail` are made when read."""
    case = make_case(kb, ["burning-feet", "diarrhea"], ["weight-loss"])
    full, lazy = score(kb, case), score(kb, case, detail=2)
    assert len(full) == len(lazy) == len(kb.causes)
    assert [s.cause_id for s in lazy] == [s.cause_id for s in full]
    assert [s.posterior for s in lazy] == [s.posterior for s in full]
    assert lazy[0] == full[0] and lazy[1] == full[1]  # the detailed ones, with their explanations
    assert lazy[2].contributions == () and full[2].contributions != ()
    assert lazy[-1].cause_id == full[-1].cause_id and lazy[2:4] == tuple(lazy)[2:4]
    assert list(lazy) == [lazy[i] for i in range(len(lazy))]
    with pytest.raises(IndexError):
        lazy[len(lazy)]
    assert score(kb, case) == full and score(kb, case) == tuple(full)


def test_sparse_update_agrees_with_full_recomputation(tmp_path, monkeypatch):
    """On a large knowledge base a case touches few causes: score() updates the prior
    normaliser and order instead of recomputing them. Both ways must agree."""
    import random

    from gutnerve import scoring

    kb = synthetic_kb(tmp_path / "kb", causes=400, findings=300, links=12, seed=5)
    findings = list(kb.findings)
    rng = random.Random(11)
    cases = []
    for _ in range(40):
        chosen = rng.sample(findings, rng.randint(1, 6))
        cut = rng.randint(0, len(chosen))
        cases.append(make_case(kb, chosen[:cut], chosen[cut:], age=rng.choice([None, 30, 70]), sex=rng.choice([None, "male"])))
    sparse = [list(score(kb, case, detail=3)) for case in cases]
    assert any(scoring._sparse(scoring._priors(kb, c), {0: 1.0}) is not None for c in cases)  # the sparse path ran
    monkeypatch.setattr(scoring, "_sparse", lambda base, touched, lifts=None: None)
    for case, fast in zip(cases, sparse, strict=True):
        full = list(score(kb, case, detail=3))
        assert [s.cause_id for s in fast] == [s.cause_id for s in full]
        assert [s.posterior for s in fast] == pytest.approx([s.posterior for s in full], rel=1e-9, abs=1e-15)
        assert [s.log_score for s in fast] == pytest.approx([s.log_score for s in full], abs=1e-12)
        assert [s.contributions for s in fast[:3]] == [s.contributions for s in full[:3]]
        assert math.fsum(s.posterior for s in fast) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize(
    ("moved", "takes_sparse_path"),
    [
        ({3: 1.0}, True),  # a little mass moves: the normaliser is updated by subtraction
        ({0: 5.0}, True),  # most prior mass moves: the untouched causes are summed afresh
        ({0: 900.0}, False),  # odds would overflow: recompute in full
        ({i: 1.0 for i in range(4)}, False),  # a quarter of the causes move: recompute in full
    ],
)
def test_sparse_normaliser_matches_a_full_recomputation(moved, takes_sparse_path):
    from gutnerve.scoring import PriorTable, _normalise, _sparse

    logs = [10.0] + [0.0] * 15  # cause 0 holds nearly all the prior mass
    shift = max(logs)
    odds = [math.exp(v - shift) for v in logs]
    base = PriorTable(logs, _normalise(logs), shift, odds, math.fsum(odds), sorted(range(16), key=lambda i: -logs[i]), logs)
    sparse = _sparse(base, moved)
    assert (sparse is not None) == takes_sparse_path
    if sparse is None:
        return
    full = [moved.get(i, v) for i, v in enumerate(logs)]
    new_logs, posterior, order = sparse
    assert [new_logs[i] for i in range(16)] == full
    assert [posterior[i] for i in range(16)] == pytest.approx(_normalise(full), rel=1e-12, abs=1e-300)
    assert [order[i] for i in range(16)] == sorted(range(16), key=lambda i: (-full[i], i))


def test_dense_rows_and_sparse_terms_score_alike(monkeypatch):
    """A small knowledge base is scored by adding full rows of ln LRs, a large one by touching
    only the causes that list a finding (scoring.DENSE_CAUSES). Both ways, and the reference
    explanation `contributions`, must agree on the shipped knowledge base."""
    import random

    from gutnerve import scoring
    from gutnerve.knowledge import load

    dense_kb = load(use_cache=False)
    assert scoring.compile_tables(dense_kb).dense
    monkeypatch.setattr(scoring, "DENSE_CAUSES", 0)
    sparse_kb = load(use_cache=False)
    assert not scoring.compile_tables(sparse_kb).dense
    findings = list(dense_kb.findings)
    rng = random.Random(5)
    for _ in range(60):
        chosen = rng.sample(findings, rng.randint(0, 9))
        cut = rng.randint(0, len(chosen))
        age, sex = rng.choice([None, 25, 70]), rng.choice([None, "female", "male"])
        dense = list(score(dense_kb, make_case(dense_kb, chosen[:cut], chosen[cut:], age=age, sex=sex), detail=5))
        case = make_case(sparse_kb, chosen[:cut], chosen[cut:], age=age, sex=sex)
        sparse = list(score(sparse_kb, case, detail=5))
        assert [s.cause_id for s in dense] == [s.cause_id for s in sparse]
        assert [s.posterior for s in dense] == pytest.approx([s.posterior for s in sparse], rel=1e-12, abs=1e-15)
        assert [s.log_score for s in dense] == pytest.approx([s.log_score for s in sparse], abs=1e-12)
        for shown in dense[:5]:
            assert shown.contributions == contributions(sparse_kb, sparse_kb.causes[shown.cause_id], case)
            assert shown.prior_factors == prior_weight(sparse_kb.causes[shown.cause_id], case)[1]


def test_components_within_rounding_of_the_peak_count_as_tied():
    """Sums of the same ln LRs taken in another order differ in the last bits; the explaining
    component is the first within scoring.TIE of the peak, whichever path added them."""
    from gutnerve.scoring import TIE, first_near_peak, log_sum_exp

    one_ulp_more = math.nextafter(1.3130651236448572, 2.0)
    assert first_near_peak([1.3130651236448572, one_ulp_more], one_ulp_more) == 0
    assert log_sum_exp([1.3130651236448572, one_ulp_more])[1] == 0
    assert log_sum_exp([1.0, 1.0 + 10 * TIE])[1] == 1  # a real difference still wins
    assert first_near_peak([0.0, 2.0, 2.0], 2.0) == 1


def test_silence_about_a_finding_beyond_the_public_vocabulary_is_neutral(kb):
    """A case written in the public vocabulary cannot mention the knowledge base's `extra`
    findings, so saying nothing of them argues against no cause; said, they count as any finding."""
    from gutnerve.scoring import compile_tables, unmentioned

    tables = compile_tables(kb)
    extra = {fid for fid, finding in kb.findings.items() if finding.extra}
    assert len(extra) >= 15
    assert tables.unmentioned and not extra & set(tables.unmentioned)
    # vitamin B12 deficiency lists extra findings commoner than their background (large red cells,
    # lost vibration sense) beside public ones whose silence still counts (weight loss)
    b12 = kb.causes["vitamin-b12-deficiency"]
    assert {"macrocytosis", "vibration-sense-loss"} <= {link.finding for link in b12.findings}
    case = make_case(kb, ["tingling-feet", "balance-problems"], [])
    silent = {c.finding for c in contributions(kb, b12, case) if c.present is None}
    assert silent and not silent & extra
    assert set(unmentioned(tables, case)) >= silent
    said = {c.finding: c for c in contributions(kb, b12, make_case(kb, ["tingling-feet", "macrocytosis"], []))}
    assert said["macrocytosis"].weight > 0
