"""The study card's closest mimics (gutnerve/mimics.py): the causes that explain a cause's typical
picture best, and the findings that tell them apart (Jeffreys divergence of the two likelihoods)."""

from __future__ import annotations

import math

import pytest

from gutnerve.mimics import TYPICAL_FREQUENCY, TYPICAL_LEAST, jeffreys, mimics, resemblance, telling, typical
from gutnerve.model import Case
from gutnerve.scoring import frequency_in, marginal_frequency, score

from .conftest import edit, with_cause


def test_jeffreys_worked_value():
    # (0.2 - 0.01) * (logit 0.2 - logit 0.01) = 0.19 * (ln 0.25 - ln(1/99)) = 0.19 * ln 24.75
    assert jeffreys(0.2, 0.01) == pytest.approx(0.19 * math.log(24.75), rel=1e-12)
    assert jeffreys(0.3, 0.3) == 0.0
    assert jeffreys(0.9, 0.4) == pytest.approx(jeffreys(0.4, 0.9), rel=1e-12)  # symmetric
    assert jeffreys(0.9, 0.4) > jeffreys(0.9, 0.6) > 0  # grows with the gap


def test_the_divergence_is_the_sum_over_every_finding(kb):
    """Summing over the findings either cause lists misses nothing: a finding neither lists has
    the same likelihood in both (the unexplained share) and adds 0."""
    for mimic in mimics(kb, "copper-deficiency", count=5):
        everything = math.fsum(
            jeffreys(marginal_frequency(kb, kb.causes["copper-deficiency"], f), marginal_frequency(kb, kb.causes[mimic.cause], f))
            for f in kb.findings
        )
        assert mimic.divergence == pytest.approx(everything, rel=1e-12)


def test_the_typical_picture_is_what_at_least_half_the_cases_show(kb):
    for cause in kb.causes.values():
        picture = typical(cause)
        common = {link.finding for link in cause.findings if link.frequency >= TYPICAL_FREQUENCY}
        if len(common) >= TYPICAL_LEAST:
            assert set(picture) == common, cause.id
        else:  # too few: the most frequent ones
            assert len(picture) == TYPICAL_LEAST
            assert min(cause.link(f).frequency for f in picture) >= max(
                link.frequency for link in cause.findings if link.finding not in picture
            )


def test_resemblance_is_the_log_likelihood_ratio_of_the_picture_worked_by_hand(kb):
    """Stress-related muscle tension's picture under IBS pain sensitisation, against muscle
    tension: the sum of ln(P(f | IBS) / P(f | muscle tension)). Neither has presentations (a
    mixture's resemblance is tests/test_presentations.py's)."""
    cause, other = kb.causes["stress-muscle-tension"], kb.causes["ibs-pain-sensitization"]
    assert not cause.presentations and not other.presentations
    picture = typical(cause)
    by_hand = math.fsum(math.log(frequency_in(kb, other, f) / frequency_in(kb, cause, f)) for f in picture)
    assert by_hand != 0.0  # the two differ on the picture: the sum is not trivially 0
    assert resemblance(kb, cause, other, picture) == pytest.approx(by_hand, rel=1e-12)
    assert resemblance(kb, cause, cause, picture) == 0.0


def test_mimics_are_the_causes_ranked_next_on_the_typical_picture(kb):
    """With equal priors, scoring the typical picture ranks the mimics next after the cause, in order:
    resemblance is scoring's own log likelihood ratio, the picture's silence about history left out
    (scored with model.yaml `unmentioned` off, it is the same)."""
    quiet = edit(kb, settings=edit(kb.settings, mentioned_shares={}))  # a new object: its own tables
    for cause_id in ("vitamin-b12-deficiency", "hypokalemia", "peripheral-artery-disease"):
        picture = typical(kb.causes[cause_id])
        ranked = score(quiet, Case(present=frozenset(picture), absent=frozenset(), age=None, sex=None, id=None))
        flat = {s.cause_id: s.log_score - math.log(kb.causes[s.cause_id].prior.weight) for s in ranked}
        best = sorted((flat[c] for c in flat if c != cause_id), reverse=True)[:4]
        found = mimics(kb, cause_id, count=4)
        # the same four values in the same order (exact ties, as two causes may have, may swap ids)
        assert [flat[m.cause] for m in found] == pytest.approx(best, abs=1e-9)
        assert cause_id not in [m.cause for m in found]
        for m in found:
            assert m.resemblance == pytest.approx(flat[m.cause] - flat[cause_id], abs=1e-9)


def test_the_telling_findings_are_those_that_separate_most(kb):
    mimic = mimics(kb, "thiamine-deficiency", count=1, shown=3)[0]
    every = telling(kb, kb.causes["thiamine-deficiency"], kb.causes[mimic.cause])
    assert list(mimic.telling) == every[:3]
    assert all(a.divergence >= b.divergence for a, b in zip(every, every[1:], strict=False))
    first = mimic.telling[0]
    assert first.here == marginal_frequency(kb, kb.causes["thiamine-deficiency"], first.finding)
    thiamine = kb.causes["thiamine-deficiency"]
    assert first.listed_here == any(thiamine.component_link(k, first.finding) is not None for k in range(thiamine.components))


def test_how_often_here_counts_every_case_of_a_cause_with_presentations(kb):
    """'How often here vs there' is over all a cause's cases: its components' frequencies weighted by
    their shares. Thiamine deficiency's eye-movement problems, rare in its typical table and
    common in its Wernicke presentation, worked by hand."""
    cause = kb.causes["thiamine-deficiency"]
    by_hand = math.fsum(
        w * (cause.component_link(k, "eye-movement-problems") or cause.link("eye-movement-problems")).frequency
        for k, w in enumerate(cause.weights)
    )
    assert marginal_frequency(kb, cause, "eye-movement-problems") == pytest.approx(by_hand, rel=1e-12)
    assert marginal_frequency(kb, cause, "eye-movement-problems") > 5 * frequency_in(kb, cause, "eye-movement-problems")
    plain = kb.causes["stress-muscle-tension"]  # no presentations: its own table
    assert not plain.presentations
    assert all(marginal_frequency(kb, plain, f) == frequency_in(kb, plain, f) for f in kb.findings)


def test_divergence_is_symmetric_between_two_causes(kb):
    a, b = kb.causes["fibromyalgia"], kb.causes["stress-muscle-tension"]
    one = math.fsum(t.divergence for t in telling(kb, a, b))
    other = math.fsum(t.divergence for t in telling(kb, b, a))
    assert one == pytest.approx(other, rel=1e-12)


def test_a_cause_with_the_same_findings_resembles_it_exactly(kb):
    """Give B12 deficiency copper deficiency's findings (and none of its presentations): it explains
    copper's picture exactly as well (resemblance 0, above every cause that explains it less well),
    with nothing to tell them apart."""
    twin = with_cause(kb, "vitamin-b12-deficiency", findings=kb.causes["copper-deficiency"].findings, presentations=())
    found = mimics(twin, "copper-deficiency", count=len(twin.causes) - 1)
    mine = next(m for m in found if m.cause == "vitamin-b12-deficiency")
    assert mine.resemblance == 0.0 and mine.divergence == 0.0
    assert all(t.divergence == 0.0 for t in mine.telling)
    assert all(m.resemblance > 0.0 for m in found[: found.index(mine)])
    assert all(m.resemblance < 0.0 for m in found[found.index(mine) + 1 :] if m.divergence > 0.0)


def test_explain_shows_the_mimics(run, kb):
    card = run("explain", "copper-deficiency", "--json").json()
    assert len(card["mimics"]) == 3
    first = card["mimics"][0]
    assert set(first) == {"id", "name", "resemblance", "divergence", "telling"}
    assert [f["finding"] for f in card["typical"]] == list(typical(kb.causes["copper-deficiency"]))
    assert {"finding", "label", "here", "there", "listed_here", "listed_there"} == set(first["telling"][0])
    out = run("explain", "copper-deficiency").out
    assert "Closest mimics" in out
    assert card["typical"][0]["label"].lower() in out
    assert f"{first['name']} ({first['id']})" in out
    assert out.count("not a diagnosis") == 1
