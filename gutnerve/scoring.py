"""The Bayesian model: prior odds x product of likelihood ratios.

For a cause c and each finding f the case reports (present or known absent):

    LR(f, c) = P(f as observed | c) / P(f as observed | background)

where P(f | c) is the cause's listed frequency of f, or f's background
frequency if the cause does not list it (so LR = 1: an unlisted finding is
neutral), and P(f absent | c) = 1 - P(f | c). Findings the case does not
mention are unknown and do not count at all.

    score(c)      = ln(prior weight of c) + sum over f of ln LR(f, c)
    posterior(c)  = exp(score(c)) / sum over all causes of exp(score)

which is Bayes' rule with findings taken as independent given the cause.
docs/method.md works one example through by hand; tests/test_scoring.py
reproduces it value by value.
"""

from __future__ import annotations

import math

from gutnerve.model import Case, Cause, Contribution, KnowledgeBase, PriorFactor, ScoredCause


def prior_weight(cause: Cause, case: Case) -> tuple[float, tuple[PriorFactor, ...]]:
    """The cause's prevalence weight, adjusted for the case's age and sex."""
    weight = cause.prior.weight
    factors: list[PriorFactor] = []
    if case.age is not None:
        for band in cause.prior.age:
            if band.covers(case.age):
                weight *= band.factor
                factors.append(PriorFactor(f"age {case.age}", band.factor))
    if case.sex is not None:
        for sex, factor in cause.prior.sex:
            if sex == case.sex and factor != 1.0:
                weight *= factor
                factors.append(PriorFactor(f"sex {sex}", factor))
    return weight, tuple(factors)


def contributions(kb: KnowledgeBase, cause: Cause, case: Case) -> tuple[Contribution, ...]:
    """ln LR of each reported finding that the cause lists (unlisted ones are 0)."""
    result: list[Contribution] = []
    for finding_id in sorted(case.present | case.absent):
        link = cause.link(finding_id)
        if link is None:
            continue
        present = finding_id in case.present
        background = kb.findings[finding_id].background
        likelihood = link.frequency if present else 1.0 - link.frequency
        reference = background if present else 1.0 - background
        result.append(Contribution(finding_id, present, likelihood, reference, math.log(likelihood / reference)))
    return tuple(result)


def score(kb: KnowledgeBase, case: Case) -> tuple[ScoredCause, ...]:
    """Every cause with its posterior probability, most probable first."""
    rows = []
    for cause in kb.causes.values():
        weight, factors = prior_weight(cause, case)
        parts = contributions(kb, cause, case)
        rows.append((cause.id, weight, factors, math.log(weight) + sum(c.weight for c in parts), parts))
    total_weight = sum(weight for _, weight, _, _, _ in rows)
    peak = max(log for _, _, _, log, _ in rows)
    norm = sum(math.exp(log - peak) for _, _, _, log, _ in rows)
    scored = [
        ScoredCause(cid, weight / total_weight, factors, log, math.exp(log - peak) / norm, parts)
        for cid, weight, factors, log, parts in rows
    ]
    return tuple(sorted(scored, key=lambda s: (-s.posterior, s.cause_id)))
