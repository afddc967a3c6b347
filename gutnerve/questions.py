"""What to ask next (`assess --ask N`): the unanswered questions whose answer would most change
the differential, and those whose "yes" would raise the triage level.

For each finding the case does not report, score the case twice, once with the
finding present and once with it absent. How much an answer is worth to expect
is the expected information gain (in bits) about which cause it is:

    gain(f) = H(posterior) - [P(yes) H(posterior | yes) + P(no) H(posterior | no)]

where H is the Shannon entropy of the posterior over every cause and

    P(yes) = sum over causes c of P(c | case) P(f | c)

the chance, under the model, that the person would answer yes. Scoring works in
likelihood ratios (P(f | c) / background), so P(yes) is read from the two
scorings' normalisers: sum_c P(c | case) P(f | c) = background x Z(yes) / Z,
Z being the sum of exp(log score) over causes, and likewise for no with
1 - background. Where nesting makes one answer count other findings differently
(foot drop present counts leg weakness once), the two are normalised to sum to 1.
For a finding whose silence the case's scores count (model.yaml `unmentioned`, r),
the person has not mentioned it, so P(yes | c) = P(f | c) (1 - r) / (1 - r P(f | c))
and P(no | c) = (1 - P(f | c)) / (1 - r P(f | c)): the normalisers, which divide the
silence's ratio out, give the same with yes weighed by 1 - r.

A finding whose answer the case already gives is not asked: one implied by a
present finding (leg weakness when foot drop is present) or one that implies an
absent finding (foot drop when leg weakness is absent). A finding no cause among
the most probable lists is not asked either: it moves every cause alike.

Pure functions over the knowledge base and the case; nothing medical is written here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

from gutnerve import scoring, triage
from gutnerve.model import Case, KnowledgeBase, ScoredCause

# Findings are asked about when one of this many most probable causes lists them: enough to
# cover every cause of the shipped knowledge base, few enough on one of thousands.
CAUSES_CONSIDERED = 50
TOP_SHOWN = 3  # causes shown for each answer


class Answer(NamedTuple):
    probability: float  # P(this answer | case), under the model
    top: tuple[tuple[str, float], ...]  # (cause id, posterior) of the most probable causes after it
    level: str  # the triage level after it


class Question(NamedTuple):
    finding: str
    gain: float  # expected information gain, bits
    yes: Answer
    no: Answer


class Asked(NamedTuple):
    entropy: float  # H(posterior) of the case as it is, bits
    level: str  # its triage level
    questions: tuple[Question, ...]  # the most informative, highest gain first
    raising: tuple[Question, ...]  # every question whose yes would raise the triage level, most urgent first


def entropy(posterior: Sequence[float]) -> float:
    """Shannon entropy in bits."""
    return -math.fsum(p * math.log2(p) for p in posterior if p > 0.0)


def _log_total(logs: Sequence[float]) -> float:
    """ln of the sum of exp(logs), without overflow."""
    values = list(logs)
    peak = max(values)
    return peak + math.log(math.fsum(math.exp(value - peak) for value in values))


def unanswered(kb: KnowledgeBase, case: Case, ranked: Sequence[ScoredCause]) -> list[str]:
    """The findings worth asking about, in knowledge-base order (see the module's docstring)."""
    nesting = kb.derived(scoring.compile_tables).nesting
    known = set(case.present) | set(case.absent)
    for finding in case.present:
        known.update(nesting.implies.get(finding, ()))
    for finding in case.absent:
        known.update(nesting.implied_by.get(finding, ()))
    listed: set[str] = set()
    for scored in ranked[:CAUSES_CONSIDERED]:
        cause = kb.causes[scored.cause_id]
        listed.update(link.finding for link in cause.findings)
        for presentation in cause.presentations:  # a finding only a presentation lists moves its cause too
            listed.update(link.finding for link in presentation.findings)
    return [finding for finding in kb.findings if finding in listed and finding not in known]


def _answer(kb: KnowledgeBase, case: Case) -> tuple[list[ScoredCause], str]:
    """Every cause, most probable first, and the triage level of a case."""
    ranked = scoring.score(kb, case, detail=0, implied=scoring.nested(kb, case))
    return list(ranked), triage.triage(kb, case, ranked).level


def ask(kb: KnowledgeBase, case: Case, count: int) -> Asked:
    """The `count` most informative questions for this case, and those that could raise its triage."""
    ranked, now = _answer(kb, case)
    levels = kb.settings.triage_levels
    before = entropy([s.posterior for s in ranked])
    base_total = _log_total([s.log_score for s in ranked])
    questions = []
    silent = frozenset(scoring.unmentioned(kb.derived(scoring.compile_tables), case))
    for finding in unanswered(kb, case, ranked):
        background = kb.findings[finding].background
        sides = []
        for present in (True, False):
            changed = case._replace(
                present=case.present | {finding} if present else case.present,
                absent=case.absent if present else case.absent | {finding},
            )
            after, level = _answer(kb, changed)
            reference = background if present else 1.0 - background
            if present and finding in silent:  # not mentioned: less likely yes than its background says
                reference *= 1.0 - scoring.unmentioned_share(kb.settings, kb.findings[finding])
            weight = reference * math.exp(_log_total([s.log_score for s in after]) - base_total)  # unnormalised P(answer)
            top = tuple((s.cause_id, s.posterior) for s in after[:TOP_SHOWN])
            sides.append((weight, top, level, entropy([s.posterior for s in after])))
        (w_yes, top_yes, level_yes, h_yes), (w_no, top_no, level_no, h_no) = sides
        p_yes = w_yes / (w_yes + w_no)
        gain = before - (p_yes * h_yes + (1.0 - p_yes) * h_no)
        questions.append(
            Question(finding, max(gain, 0.0), Answer(p_yes, top_yes, level_yes), Answer(1.0 - p_yes, top_no, level_no))
        )
    order = {finding: number for number, finding in enumerate(kb.findings)}
    best = sorted(questions, key=lambda q: (-q.gain, order[q.finding]))[:count]
    rank = levels.index
    raising = sorted(
        (q for q in questions if rank(q.yes.level) < rank(now)),
        key=lambda q: (rank(q.yes.level), -q.yes.probability, order[q.finding]),
    )
    return Asked(before, now, tuple(best), tuple(raising))


def raised_by(kb: KnowledgeBase, case: Case, findings: Sequence[str]) -> dict[str, str]:
    """Of `findings` (said but not confirmed, e.g. hedged in free text), each whose presence would raise
    the case's triage level, with the level it would reach. One already answered is left out."""
    _, now = _answer(kb, case)
    rank = kb.settings.triage_levels.index
    raised: dict[str, str] = {}
    for finding in dict.fromkeys(findings):
        if finding in case.present or finding in case.absent:
            continue
        _, level = _answer(kb, case._replace(present=case.present | {finding}))
        if rank(level) < rank(now):
            raised[finding] = level
    return raised
