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

Speed: each finding's ln LRs are computed once per knowledge base, when a
case first reports it (`evidence`), and filed by finding, so scoring a case
touches only the causes that list one of its findings. The per-finding
explanation (`contributions`) is built only for the causes shown.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from gutnerve.model import AgeBand, Case, Cause, Contribution, KnowledgeBase, PriorFactor, Ranked, ScoredCause

Terms = tuple[tuple[int, float], ...]  # (cause index, ln of a ratio or factor)


class Tables(NamedTuple):
    """A knowledge base compiled for scoring; causes are numbered in kb.causes order."""

    cause_ids: tuple[str, ...]
    log_prior: tuple[float, ...]  # ln prevalence weight of each cause
    age_bands: tuple[tuple[int, AgeBand, float], ...]  # (cause index, band, ln factor)
    sex_terms: dict[str, Terms]  # sex -> ln factors
    # finding -> (ln LR when present, ln LR when known absent) for the causes that list it;
    # filled a finding at a time, when a case first reports it (see `evidence`)
    by_finding: dict[str, tuple[Terms, Terms]]


def compile_tables(kb: KnowledgeBase) -> Tables:
    causes = list(kb.causes.values())
    age_bands: list[tuple[int, AgeBand, float]] = []
    sex_terms: dict[str, list[tuple[int, float]]] = {}
    for index, cause in enumerate(causes):
        age_bands += [(index, band, math.log(band.factor)) for band in cause.prior.age]
        for sex, factor in cause.prior.sex:
            if factor != 1.0:
                sex_terms.setdefault(sex, []).append((index, math.log(factor)))
    return Tables(
        cause_ids=tuple(c.id for c in causes),
        log_prior=tuple(math.log(c.prior.weight) for c in causes),
        age_bands=tuple(age_bands),
        sex_terms={sex: tuple(terms) for sex, terms in sex_terms.items()},
        by_finding={},
    )


def evidence(kb: KnowledgeBase, tables: Tables, finding_id: str) -> tuple[Terms, Terms]:
    """ln LR of a finding, present and absent, for each cause that lists it (computed once per
    finding: a single assess on a knowledge base of thousands of causes needs only its own few)."""
    terms = tables.by_finding.get(finding_id)
    if terms is None:
        background = kb.findings[finding_id].background
        present: list[tuple[int, float]] = []
        absent: list[tuple[int, float]] = []
        for index, cause in enumerate(kb.causes.values()):
            link = cause.link(finding_id)
            if link is not None:
                present.append((index, math.log(link.frequency / background)))
                absent.append((index, math.log((1.0 - link.frequency) / (1.0 - background))))
        terms = tables.by_finding[finding_id] = (tuple(present), tuple(absent))
    return terms


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
    return _contributions(kb, cause, case, sorted(case.present | case.absent))


def _contributions(kb: KnowledgeBase, cause: Cause, case: Case, reported: list[str]) -> tuple[Contribution, ...]:
    result: list[Contribution] = []
    for finding_id in reported:
        link = cause.link(finding_id)
        if link is None:
            continue
        present = finding_id in case.present
        background = kb.findings[finding_id].background
        likelihood = link.frequency if present else 1.0 - link.frequency
        reference = background if present else 1.0 - background
        result.append(Contribution(finding_id, present, likelihood, reference, math.log(likelihood / reference)))
    return tuple(result)


def log_priors(tables: Tables, case: Case) -> list[float]:
    """ln prior weight of each cause after the case's age and sex factors."""
    logs = list(tables.log_prior)
    if case.age is not None:
        for index, band, log_factor in tables.age_bands:
            if band.covers(case.age):
                logs[index] += log_factor
    if case.sex is not None:
        for index, log_factor in tables.sex_terms.get(case.sex, ()):
            logs[index] += log_factor
    return logs


def _normalise(logs: list[float]) -> list[float]:
    peak = max(logs)
    exp = math.exp  # a local name: this runs once per cause per case
    odds = [exp(value - peak) for value in logs]
    scale = 1.0 / math.fsum(odds)
    return [value * scale for value in odds]


def _priors(kb: KnowledgeBase, case: Case) -> tuple[list[float], list[float]]:
    """(ln prior weights, normalised priors) for the case's age and sex: they depend on
    nothing else, so each of the few hundred combinations is computed once."""
    memo: dict[tuple[int | None, str | None], tuple[list[float], list[float]]] = kb.derived(_prior_memo)
    key = (case.age, case.sex)
    if key not in memo:
        logs = log_priors(kb.derived(compile_tables), case)
        memo[key] = (logs, _normalise(logs))
    return memo[key]


def _prior_memo(kb: KnowledgeBase) -> dict[tuple[int | None, str | None], tuple[list[float], list[float]]]:
    return {}


def score(kb: KnowledgeBase, case: Case, detail: int | None = None) -> Ranked:
    """Every cause with its posterior probability, most probable first (ties by id).

    `contributions` and `prior_factors` are filled for the first `detail`
    causes (all when None); the rest carry empty tuples, as a table of the
    top N never shows them.
    """
    tables = kb.derived(compile_tables)
    priors, prior = _priors(kb, case)
    logs = list(priors)
    for finding_id in sorted(case.present):  # sorted: the same sum in the same order, whatever the input order
        for index, weight in evidence(kb, tables, finding_id)[0]:
            logs[index] += weight
    for finding_id in sorted(case.absent):
        for index, weight in evidence(kb, tables, finding_id)[1]:
            logs[index] += weight
    posterior = _normalise(logs)
    order = sorted(range(len(logs)), key=logs.__getitem__, reverse=True)  # same order as posterior; stable: ties by id
    ids = tables.cause_ids
    reported = sorted(case.present | case.absent)
    detailed = []
    for i in order[: len(order) if detail is None else detail]:
        cause = kb.causes[ids[i]]
        parts = _contributions(kb, cause, case, reported)
        detailed.append(ScoredCause(ids[i], prior[i], prior_weight(cause, case)[1], logs[i], posterior[i], parts))
    return Ranked(ids, prior, logs, posterior, order, detailed)
