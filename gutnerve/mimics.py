"""A cause's closest mimics, and the findings that tell each apart: for the study card.

Two causes are hard to tell apart when every finding is about as likely in
one as in the other. How far apart a single finding sets them, averaged over
both causes, is the Jeffreys divergence of its two Bernoulli likelihoods,

    J(p, q) = (p - q) * (logit p - logit q)

(p, q: P(finding present | each cause), as scoring uses them: the listed
frequency, else the unexplained share of the background). It is 0 for a
finding equally likely in both and grows as its presence or absence favours
one of them. Findings are independent given the cause in the model, so their
divergences add up: the sum over all findings is how well a full history
would separate the two causes, before their priors. The mimics are the causes
with the smallest sum; the findings shown for each are those with the largest
share of it.

Pure functions over the knowledge base; nothing medical is written here.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from gutnerve.model import Cause, KnowledgeBase
from gutnerve.scoring import frequency_in

MIMICS_SHOWN = 3
TELLING_SHOWN = 4


class Telling(NamedTuple):
    """A finding that tells a cause from its mimic."""

    finding: str
    here: float  # P(finding | the cause)
    there: float  # P(finding | the mimic)
    divergence: float  # J(here, there)
    listed_here: bool  # False: the cause does not list it (`here` is the unexplained share)
    listed_there: bool


class Mimic(NamedTuple):
    cause: str
    divergence: float  # summed over every finding either cause lists
    telling: tuple[Telling, ...]  # largest share first


def jeffreys(p: float, q: float) -> float:
    """J(p, q) of two Bernoulli distributions (0 < p, q < 1)."""
    return (p - q) * (math.log(p / (1.0 - p)) - math.log(q / (1.0 - q)))


def telling(kb: KnowledgeBase, cause: Cause, other: Cause) -> list[Telling]:
    """Every finding either cause lists, by how much it separates them (largest first, then by id)."""
    findings = {link.finding for link in cause.findings} | {link.finding for link in other.findings}
    parts = []
    for finding in findings:
        here, there = frequency_in(kb, cause, finding), frequency_in(kb, other, finding)
        listed = (cause.link(finding) is not None, other.link(finding) is not None)
        parts.append(Telling(finding, here, there, jeffreys(here, there), *listed))
    return sorted(parts, key=lambda part: (-part.divergence, part.finding))


def mimics(kb: KnowledgeBase, cause_id: str, count: int = MIMICS_SHOWN, shown: int = TELLING_SHOWN) -> list[Mimic]:
    """The `count` causes closest to `cause_id` (smallest summed divergence, then by id), each with
    the `shown` findings that separate them most."""
    cause = kb.causes[cause_id]
    ranked = []
    for other in kb.causes.values():
        if other.id != cause_id:
            parts = telling(kb, cause, other)
            ranked.append(Mimic(other.id, math.fsum(part.divergence for part in parts), tuple(parts[:shown])))
    return sorted(ranked, key=lambda mimic: (mimic.divergence, mimic.cause))[:count]
