"""The study card's closest mimics (gutnerve/mimics.py): Jeffreys divergence between two causes'
likelihoods, summed over findings, and the findings that carry most of it."""

from __future__ import annotations

import math

import pytest

from gutnerve.mimics import jeffreys, mimics, telling
from gutnerve.scoring import frequency_in

from .conftest import with_cause


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
            jeffreys(frequency_in(kb, kb.causes["copper-deficiency"], f), frequency_in(kb, kb.causes[mimic.cause], f))
            for f in kb.findings
        )
        assert mimic.divergence == pytest.approx(everything, rel=1e-12)


def test_mimics_are_the_closest_causes_in_order(kb):
    cause = kb.causes["vitamin-b12-deficiency"]
    every = sorted(
        (math.fsum(t.divergence for t in telling(kb, cause, other)), other.id)
        for other in kb.causes.values()
        if other is not cause
    )
    found = mimics(kb, cause.id, count=4)
    assert [m.cause for m in found] == [cause_id for _, cause_id in every[:4]]
    assert cause.id not in [m.cause for m in found]


def test_the_telling_findings_are_those_that_separate_most(kb):
    mimic = mimics(kb, "thiamine-deficiency", count=1, shown=3)[0]
    every = telling(kb, kb.causes["thiamine-deficiency"], kb.causes[mimic.cause])
    assert list(mimic.telling) == every[:3]
    assert all(a.divergence >= b.divergence for a, b in zip(every, every[1:], strict=False))
    first = mimic.telling[0]
    assert first.here == frequency_in(kb, kb.causes["thiamine-deficiency"], first.finding)
    assert first.listed_here == (kb.causes["thiamine-deficiency"].link(first.finding) is not None)


def test_divergence_is_symmetric_between_two_causes(kb):
    a, b = kb.causes["fibromyalgia"], kb.causes["stress-muscle-tension"]
    one = math.fsum(t.divergence for t in telling(kb, a, b))
    other = math.fsum(t.divergence for t in telling(kb, b, a))
    assert one == pytest.approx(other, rel=1e-12)


def test_a_cause_with_the_same_findings_is_the_closest_mimic_at_zero(kb):
    """Give B12 deficiency copper deficiency's findings: it becomes copper's closest mimic, with
    nothing to tell them apart."""
    twin = with_cause(kb, "vitamin-b12-deficiency", findings=kb.causes["copper-deficiency"].findings)
    first = mimics(twin, "copper-deficiency")[0]
    assert first.cause == "vitamin-b12-deficiency"
    assert first.divergence == 0.0
    assert all(t.divergence == 0.0 for t in first.telling)


def test_explain_shows_the_mimics(run):
    card = run("explain", "copper-deficiency", "--json").json()
    assert len(card["mimics"]) == 3
    first = card["mimics"][0]
    assert set(first) == {"id", "name", "divergence", "telling"}
    assert {"finding", "label", "here", "there", "listed_here", "listed_there"} == set(first["telling"][0])
    out = run("explain", "copper-deficiency").out
    assert "Closest mimics" in out
    assert f"{first['name']} ({first['id']})" in out
    assert out.count("not a diagnosis") == 1
