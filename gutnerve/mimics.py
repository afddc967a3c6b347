"""A cause's closest mimics, and the findings that tell each apart: for the study card.

A mimic of cause A is a cause that would rank close to A on A's typical
picture. The picture is the findings A lists in at least half its cases (its
three most frequent, if fewer reach half). How well another cause B explains
it, against A itself, is the log likelihood ratio scoring would give,

    resemblance(B) = sum over f in the picture of ln P(f | B) - ln P(f | A)

(P: the listed frequency, else the unexplained share of the background; a
finding the picture also implies is counted once, as scoring counts it; the
picture's silence about history, model.yaml `unmentioned`, does not count: a
mimic is a cause that looks alike, whatever history it needs). It is
0 for a cause with A's own frequencies, negative for one that explains the
picture less well. The mimics are the causes with the largest resemblance.
Priors play no part: a mimic is a cause that looks alike, not one that is
common.

What tells a mimic apart is then ranked over every finding either cause lists
(in its own table or a presentation's), by the Jeffreys divergence of its two
Bernoulli likelihoods, each over all the cause's cases (for a cause with
presentations, the components' frequencies weighted by their shares: the card
says "how often here vs there", and a presentation's cases are cases too),

    J(p, q) = (p - q) * (logit p - logit q)

0 for a finding equally likely in both, growing as its presence or absence
favours one of them. Findings are independent given the cause in the model,
so the divergences add up: their sum (`divergence`) is how well a full
history would separate the two causes.

(Ranking mimics by that sum instead made causes with short tables close to
everything: a finding neither cause lists adds nothing, so a short table has
little to differ on.)

Pure functions over the knowledge base; nothing medical is written here.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from gutnerve.model import Case, Cause, KnowledgeBase
from gutnerve.scoring import log_likelihood, marginal_frequency

MIMICS_SHOWN = 3
TELLING_SHOWN = 4
TYPICAL_FREQUENCY = 0.5  # a finding in at least half the cases belongs to the typical picture
TYPICAL_LEAST = 3  # a cause with fewer such findings is pictured by its most frequent ones


class Telling(NamedTuple):
    """A finding that tells a cause from its mimic."""

    finding: str
    here: float  # P(finding | the cause), over all its cases (`marginal_frequency`)
    there: float  # P(finding | the mimic), likewise
    divergence: float  # J(here, there)
    listed_here: bool  # False: no table of the cause lists it (`here` is the unexplained share)
    listed_there: bool


class Mimic(NamedTuple):
    cause: str
    resemblance: float  # ln P(the cause's typical picture | mimic) / P(picture | the cause)
    divergence: float  # summed over every finding either cause lists
    telling: tuple[Telling, ...]  # largest share first


def jeffreys(p: float, q: float) -> float:
    """J(p, q) of two Bernoulli distributions (0 < p, q < 1)."""
    return (p - q) * (math.log(p / (1.0 - p)) - math.log(q / (1.0 - q)))


def typical(cause: Cause) -> tuple[str, ...]:
    """The findings of the cause's typical picture, most frequent first (then by id)."""
    ordered = sorted(cause.findings, key=lambda link: (-link.frequency, link.finding))
    common = [link.finding for link in ordered if link.frequency >= TYPICAL_FREQUENCY]
    if len(common) < TYPICAL_LEAST:
        common = [link.finding for link in ordered[:TYPICAL_LEAST]]
    return tuple(common)


def resemblance(kb: KnowledgeBase, cause: Cause, other: Cause, picture: tuple[str, ...]) -> float:
    """ln P(picture | other) - ln P(picture | cause), as scoring weighs a case reporting the picture
    (the shared background cancels)."""
    case = _reporting(picture)
    return _log_likelihood(kb, other, case) - _log_likelihood(kb, cause, case)


def _reporting(picture: tuple[str, ...]) -> Case:
    return Case(present=frozenset(picture), absent=frozenset(), age=None, sex=None, id=None)


def _log_likelihood(kb: KnowledgeBase, cause: Cause, case: Case) -> float:
    """ln P(case | cause) relative to the background: what scoring adds to the cause's prior (the
    sum of the findings' weights; for a cause with presentations, their mixture)."""
    return log_likelihood(kb, cause, case, silence=False)


def telling(kb: KnowledgeBase, cause: Cause, other: Cause) -> list[Telling]:
    """Every finding either cause lists, by how much it separates them (largest first, then by id)."""
    here_listed, there_listed = _listed(cause), _listed(other)
    parts = []
    for finding in here_listed | there_listed:
        here, there = marginal_frequency(kb, cause, finding), marginal_frequency(kb, other, finding)
        listed = (finding in here_listed, finding in there_listed)
        parts.append(Telling(finding, here, there, jeffreys(here, there), *listed))
    return sorted(parts, key=lambda part: (-part.divergence, part.finding))


def _listed(cause: Cause) -> set[str]:
    """The findings a cause lists in its own table or in any presentation's."""
    return {finding for component in range(cause.components) for finding in cause.component_table(component)}


def mimics(kb: KnowledgeBase, cause_id: str, count: int = MIMICS_SHOWN, shown: int = TELLING_SHOWN) -> list[Mimic]:
    """The `count` causes that explain `cause_id`'s typical picture best (largest resemblance,
    then by id), each with the `shown` findings that separate them most."""
    cause = kb.causes[cause_id]
    case = _reporting(typical(cause))
    own = _log_likelihood(kb, cause, case)  # once, not once per other cause
    scored = sorted(
        ((_log_likelihood(kb, other, case) - own, other.id) for other in kb.causes.values() if other.id != cause_id),
        key=lambda pair: (-pair[0], pair[1]),
    )
    found = []
    for value, other_id in scored[:count]:
        parts = telling(kb, cause, kb.causes[other_id])
        found.append(Mimic(other_id, value, math.fsum(part.divergence for part in parts), tuple(parts[:shown])))
    return found
