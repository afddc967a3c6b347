"""Findings a cause lists `via` another: neutral for that cause once the case settles the other.

Smoking goes with alcohol-related neuropathy only because heavy drinkers smoke. Counting it
when drinking is already known (yes or no) counts the drinking twice, or, for a non-drinker,
brings back the alcohol the answer ruled out. knowledge/causes/README.md documents `via`;
scoring.settled / scoring.screening decide when it applies.
"""

from __future__ import annotations

import math

import pytest

from gutnerve import assess, make_case, scoring
from gutnerve.knowledge import load
from gutnerve.model import FindingLink, KnowledgeBase

from .conftest import with_cause


def via_links(kb: KnowledgeBase) -> list[tuple[str, int, FindingLink]]:
    """(cause id, component, link) of every entry listed `via` another finding."""
    return [
        (cause.id, component, link)
        for cause in kb.causes.values()
        for component in range(cause.components)
        for link in cause.component_findings(component)
        if link.via is not None
    ]


def b12_weight_loss_via_diarrhea(kb: KnowledgeBase) -> KnowledgeBase:
    """The mini knowledge base with B12's weight-loss entry listed via diarrhoea."""
    cause = kb.causes["vitamin-b12-deficiency"]
    links = tuple(link._replace(via="diarrhea") if link.finding == "weight-loss" else link for link in cause.findings)
    return with_cause(kb, cause.id, findings=links)


def log_scores(kb: KnowledgeBase, present: list[str], absent: list[str] = ()) -> dict[str, float]:
    return {s.cause_id: s.log_score for s in assess(kb, present=present, absent=list(absent)).ranked}


def test_a_finding_listed_via_another_counts_while_that_one_is_unknown(mini_kb):
    kb = b12_weight_loss_via_diarrhea(mini_kb)
    b12 = {s.cause_id: s for s in assess(kb, present=["weight-loss", "burning-feet"]).ranked}["vitamin-b12-deficiency"]
    assert "weight-loss" in {part.finding for part in b12.contributions}
    assert log_scores(kb, ["weight-loss", "burning-feet"]) == pytest.approx(log_scores(mini_kb, ["weight-loss", "burning-feet"]))


@pytest.mark.parametrize("diarrhea_present", [True, False])
@pytest.mark.parametrize("weight_loss_present", [True, False])
def test_it_is_neutral_for_that_cause_alone_once_the_other_is_reported(mini_kb, diarrhea_present, weight_loss_present):
    kb = b12_weight_loss_via_diarrhea(mini_kb)
    settled = (["diarrhea"], []) if diarrhea_present else ([], ["diarrhea"])
    with_it = (settled[0] + ["weight-loss"], settled[1]) if weight_loss_present else (settled[0], settled[1] + ["weight-loss"])
    without = log_scores(kb, *settled)
    scores = log_scores(kb, *with_it)
    plain = log_scores(mini_kb, *with_it)  # the same case where nothing is listed via anything
    assert scores["vitamin-b12-deficiency"] == pytest.approx(without["vitamin-b12-deficiency"], abs=1e-12)
    assert plain["vitamin-b12-deficiency"] != pytest.approx(without["vitamin-b12-deficiency"], abs=1e-3)
    for other in ("small-fiber-neuropathy", "ibs-pain-sensitization"):  # the others still count it
        assert scores[other] == pytest.approx(plain[other], abs=1e-12)
    b12 = {s.cause_id: s for s in assess(kb, present=with_it[0], absent=with_it[1]).ranked}["vitamin-b12-deficiency"]
    assert "weight-loss" not in {part.finding for part in b12.contributions}


def test_a_finding_another_reported_finding_implies_counts_as_settled(shipped):
    """`settled` follows `implies`: a present finding settles what it entails, an absent one
    what entails it, so a case and its `counted` form settle the same findings."""
    nesting = scoring.compile_tables(shipped).nesting
    specific = next(iter(sorted(nesting.specific)))
    entailed = nesting.implies[specific]
    case = make_case(shipped, [specific], [])
    assert set(entailed) <= scoring.settled(nesting, case)
    general = entailed[0]
    case = make_case(shipped, [], [general])
    assert set(nesting.implied_by[general]) <= scoring.settled(nesting, case)
    both = make_case(shipped, [specific, *entailed], [])
    assert scoring.settled(nesting, scoring.counted(shipped, both)) == scoring.settled(nesting, both)


def test_the_shipped_knowledge_base_lists_some_findings_via_another(shipped):
    """So that the tests below check something (smoking via heavy drinking, at least)."""
    assert any(link.via for _, _, link in via_links(shipped))


def cases_settling(kb: KnowledgeBase, link: FindingLink) -> list[tuple[list[str], list[str]]]:
    """Every way to report a finding and the one it is listed via, with and without one other finding."""
    extra = next(f for f in sorted(kb.findings) if f not in (link.finding, link.via))
    cases = []
    for via_side in (True, False):
        for finding_side in (True, False):
            present = [f for f, side in ((link.via, via_side), (link.finding, finding_side)) if side]
            absent = [f for f, side in ((link.via, via_side), (link.finding, finding_side)) if not side]
            cases += [(present, absent), (present + [extra], absent)]
    return cases


def test_every_via_entry_of_the_shipped_knowledge_base_is_neutral_on_every_path(shipped, monkeypatch):
    """For each entry listed via another finding, on cases that settle that finding: the cause's
    score is that of the case without the entry's finding, and the dense rows, the sparse terms
    and the reference `contributions` agree."""
    sparse_kb = None
    nesting = scoring.compile_tables(shipped).nesting
    for cause_id, component, link in via_links(shipped):
        cause = shipped.causes[cause_id]
        for present, absent in cases_settling(shipped, link):
            case = make_case(shipped, present, absent)
            parts = scoring.contributions(shipped, cause, case, component)
            assert link.finding not in {part.finding for part in parts}, (cause_id, present, absent)
            without = make_case(shipped, [f for f in present if f != link.finding], [f for f in absent if f != link.finding])
            # like for like only: leaving out a finding that others nest with (an absent
            # ibd-diagnosed settles ibd-flare absent) unsettles them too, and their silence then counts
            alike = scoring.settled(nesting, without) == scoring.settled(nesting, case) - {link.finding}
            if not cause.presentations and alike:
                assert scoring.log_likelihood(shipped, cause, case) == pytest.approx(
                    scoring.log_likelihood(shipped, cause, without), abs=1e-12
                )
            dense = {s.cause_id: s for s in scoring.score(shipped, case)}
            for scored in dense.values():  # the dense rows agree with the reference sums
                reference = scoring.log_likelihood(shipped, shipped.causes[scored.cause_id], case)
                prior = math.log(scoring.prior_weight(shipped.causes[scored.cause_id], case)[0])
                assert scored.log_score == pytest.approx(prior + reference, abs=1e-9)
                assert scored.contributions == scoring.contributions(shipped, shipped.causes[scored.cause_id], case)
            if sparse_kb is None:
                monkeypatch.setattr(scoring, "DENSE_CAUSES", 0)
                sparse_kb = load(use_cache=False)
                assert not scoring.compile_tables(sparse_kb).dense
            sparse = {s.cause_id: s for s in scoring.score(sparse_kb, make_case(sparse_kb, present, absent))}
            assert set(sparse) == set(dense)  # (the order of causes tied to the last bit may differ)
            for cid, scored in sparse.items():
                assert scored.log_score == pytest.approx(dense[cid].log_score, abs=1e-12)
                assert scored.contributions == dense[cid].contributions


def test_a_non_drinking_smoker_gets_no_alcohol_from_smoking(shipped):
    """The case that showed the need: smoking had brought alcohol-related neuropathy back to
    first place for someone who said they do not drink."""
    smoker_links = [(c, link) for c, _, link in via_links(shipped) if link.finding == "smoker"]
    assert smoker_links
    for cause_id, link in smoker_links:
        no_drink = log_scores(shipped, ["burning-feet", "smoker"], [link.via])
        no_drink_no_smoke = log_scores(shipped, ["burning-feet"], [link.via])
        assert no_drink[cause_id] == pytest.approx(no_drink_no_smoke[cause_id], abs=1e-12)


def test_the_accelerated_batch_line_is_the_reference_for_a_screened_case(shipped):
    """The compiled kernel keeps rows of each screened evidence beside the finding's own
    (fastline._slots); a case that screens a link is scored from them, with the same bytes as the
    reference."""
    from gutnerve import fastline
    from gutnerve.api import assess_case
    from gutnerve.jsonline import assessment_line

    compiled = fastline.accelerator(shipped)
    if compiled is None:
        pytest.skip("the accelerator is not built")
    for cause_id, _, link in via_links(shipped):
        for present, absent in cases_settling(shipped, link):
            case = make_case(shipped, present, absent)
            assert fastline._assess(shipped, compiled, case, 5) is not None  # the kernel scored it
            assert fastline.line(shipped, compiled, case, 5) == assessment_line(shipped, assess_case(shipped, case, 5)), cause_id


def test_a_finding_listed_via_too_many_others_takes_the_pure_path(monkeypatch):
    """With no slot for a screened evidence (fastline.MAX_VIAS), the case is scored by the pure
    path inside fastline, with the same bytes."""
    from gutnerve import fastline
    from gutnerve.api import assess_case
    from gutnerve.jsonline import assessment_line

    monkeypatch.setattr(fastline, "MAX_VIAS", 0)
    kb = load(use_cache=False)
    compiled = fastline.accelerator(kb)
    if compiled is None:
        pytest.skip("the accelerator is not built")
    assert all(not settled for _, settled in compiled.slots)
    for cause_id, _, link in via_links(kb):
        for present, absent in cases_settling(kb, link):
            case = make_case(kb, present, absent)
            assert fastline._assess(kb, compiled, case, 5) is None
            assert fastline.line(kb, compiled, case, 5) == assessment_line(kb, assess_case(kb, case, 5)), cause_id
