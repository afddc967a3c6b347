"""The Bayesian model: prior odds x product of likelihood ratios.

For a cause c and each finding f the case reports (present or known absent):

    LR(f, c) = P(f as observed | c) / P(f as observed | background)

where P(f | c) is the cause's listed frequency of f, or, if the cause does
not list f (does not explain it), f's background frequency times the
knowledge base's `unexplained` share (1: neutral), and P(f absent | c) =
1 - P(f | c). Findings the case does not mention are unknown and do not
count at all, except those of the categories model.yaml `unmentioned` names
(history: diabetes, heavy drinking, a neurotoxic drug), which a person who has
them usually mentions. With r the chance that such a finding is mentioned when
present, a case's silence about it is, for a cause that lists it,

    LR(f unmentioned, c) = (1 - r P(f | c)) / (1 - r P(f | background))

between 1 (r = 0: unknown) and the ratio of f absent (r = 1, which the
validator refuses: unknown is not absent). A cause that does not list f, or
lists it `via` another finding, stays neutral (`unmentioned_evidence`), and so
does silence about a finding beyond the public vocabulary (findings.yaml
`extra`), which a case written in that vocabulary cannot mention.

    score(c)      = ln(prior weight of c) + sum over f of ln LR(f, c)
    posterior(c)  = exp(score(c)) / sum over all causes of exp(score)

which is Bayes' rule with findings taken as independent given the cause.
A reported finding that another reported finding entails (knowledge base
`implies`: foot drop is leg weakness) carries no news of its own and is
counted once, through the more specific one (`nested`). Likewise a finding a
cause lists `via` another (smoking with alcohol neuropathy, via heavy
drinking) tells of the cause only through that other one: once the case
settles it, present or absent, the first is neutral for that cause
(LR 1, `settled`, `screens`).

A cause with clinically distinct presentations (`presentations` in its file) is a
mixture: component 0 is its own table, with weight 1 - the presentations' shares,
and component k its table with presentation k's entries replacing or adding to it,
with weight share(k). With L_k(c) the sum above for component k's table,

    score(c)      = ln(prior weight of c) + ln sum over k of exp(ln w_k + L_k(c))

(a log-sum-exp, taken from its largest term). Each component is scored as a column
of its own beside the causes' (`Tables.mixtures`), and its columns are folded into
the cause's before normalising (`_fold`). The explanation shown is that of the
component of largest posterior weight w_k exp(L_k) (ties: the lowest k).
docs/method.md works one example through by hand; tests/test_scoring.py
reproduces it value by value.

Speed: each finding's ln LRs are computed once per knowledge base, when a
case first reports it (`evidence`), and filed by finding, so scoring a case
touches only the causes that list one of its findings. The per-finding
explanation (`contributions`) is built only for the causes shown, read from
each finding's column of ready-made Contributions (the same records
`contributions` computes: tests/test_compiled_tables.py checks every one).
"""

from __future__ import annotations

import bisect
import heapq
import math
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from itertools import repeat
from typing import Any, NamedTuple

from gutnerve.model import (
    AgeBand,
    Case,
    Cause,
    Contribution,
    Finding,
    FindingLink,
    Implied,
    KnowledgeBase,
    PriorFactor,
    Ranked,
    ScoredCause,
    Settings,
    raised,
)

Terms = tuple[tuple[int, float], ...]  # (cause index, ln of a ratio or factor)

# Makes a NamedTuple record as its own constructor does (tuple.__new__(cls, fields)), without
# that constructor's Python call: records are made for every cause shown of every case.
_record = tuple.__new__


# A knowledge base of at most this many causes is scored with one row of ln LRs per
# finding covering every cause (the unexplained weight where a cause does not list it): adding a few
# rows element-wise is cheaper than a dict update per listed cause. Larger ones are
# scored sparsely, touching only the causes that list a finding (see `score`).
# Measured crossover on synthetic knowledge bases (12 findings a cause): dense is
# faster at 60 causes (211 vs 231 us a case), slower at 120 (246 vs 210).
DENSE_CAUSES = 100


class Evidence(NamedTuple):
    """What one finding, reported one way (present or known absent), says about each cause.

    Indexed by column: a cause's index, then one column for each presentation of a
    mixture cause (`Tables.owners`); with no presentations, the columns are the causes."""

    terms: Terms  # (column, ln LR - unexplained weight) for each column that lists the finding
    offset: float  # ln LR of a cause that does not list the finding (0.0 when neutral)
    row: tuple[float, ...]  # ln LR of every column in order (empty unless tables.dense)
    # each column's explanation: its own where it lists the finding, else the
    # unexplained one (None where that is neutral: not shown)
    shown: Sequence[Contribution | None]


class Mixture(NamedTuple):
    """A cause with presentations, as scoring folds its components' columns."""

    cause: int  # its index
    columns: tuple[int, ...]  # component k -> its column (component 0's is the cause's index)
    log_weights: tuple[float, ...]  # ln w_k
    presentations: tuple[str | None, ...]  # component k -> its presentation id (None: the typical one)
    prior_choice: int  # the component of largest weight (the first of equals): chosen when no finding differs
    weights: tuple[float, ...]  # w_k: the components' posterior weights when no finding moves them


class _Shown(Sequence[Contribution | None]):
    """Each cause's explanation by a finding, for a knowledge base too large for a full row."""

    def __init__(self, parts: dict[int, Contribution | None], unexplained: Contribution | None, count: int):
        self.parts, self.unexplained, self.size = parts, unexplained, count

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: Any) -> Any:
        return self.parts.get(index, self.unexplained)


class Nesting(NamedTuple):
    """The knowledge base's implications, both ways (chains already followed)."""

    implies: dict[str, tuple[str, ...]]  # A -> the findings A entails
    implied_by: dict[str, tuple[str, ...]]  # B -> the findings that entail B
    # the findings that can make another one nested: a case with none of them (most) skips the search
    specific: frozenset[str]  # findings that imply another (when present)
    general: frozenset[str]  # findings that another implies (when absent)


class PriorTable(NamedTuple):
    """Everything about the priors for one (age, sex): computed once, shared by every case."""

    logs: list[float]  # ln prior weight of each cause
    prior: list[float]  # normalised
    shift: float  # max(logs): odds are taken relative to it
    odds: list[float]  # exp(logs - shift)
    total: float  # fsum(odds)
    order: list[int]  # cause indices by falling prior (ties by id)
    start: list[float]  # ln prior weight of each column: its cause's (`logs` itself when no cause has presentations)


class Quiet(NamedTuple):
    """Sparse scoring where silences count (model.yaml `unmentioned`): the prior table of a case
    silent about every such finding, so that a case pays only for the few it settles. Computed
    once per (age, sex)."""

    table: PriorTable  # its logs, odds, order and starts include every silence's ln LR
    # the columns of the mixture causes whose components weigh the silences differently: their
    # fold is not their start's, so a case always scores them (column -> its quiet start)
    forced: dict[int, float]
    lifts: list[float]  # each cause's product of silence LRs: its quiet prior odds over its prior odds
    # (id of a group of causes, factor) -> (the group, its `thresholds`): triage weighs the same few
    # groups (the causes of an urgency) case after case
    groups: dict[tuple[int, float], tuple[Sequence[int], list[float], list[float], dict[int, float]]]

    def thresholds(
        self, indices: Sequence[int], base: Sequence[float], prior: Sequence[float], factor: float
    ) -> tuple[list[float], list[float], dict[int, float]]:
        """For a group of causes: each one's key, the least s at which s x lift moves it enough to
        count (`model.raised`: posterior = x prior counts when x > 1 and x >= factor / (1 - prior +
        factor x prior)); the keys sorted, the running sums of the causes' `base` values in that
        order, and cause -> key."""
        cached = self.groups.get((id(indices), factor))
        if cached is not None and cached[0] is indices:
            return cached[1], cached[2], cached[3]
        keys = {i: factor / (1.0 - prior[i] + factor * prior[i]) / self.lifts[i] for i in indices}
        ordered = sorted(indices, key=keys.__getitem__)
        running = [0.0]
        for i in ordered:
            running.append(running[-1] + base[i])
        sorted_keys = [keys[i] for i in ordered]
        self.groups[id(indices), factor] = (indices, sorted_keys, running, keys)
        return sorted_keys, running, keys


AgeSex = tuple[int | None, str | None]


class Tables(NamedTuple):
    """A knowledge base compiled for scoring; causes are numbered in kb.causes order."""

    cause_ids: tuple[str, ...]
    log_prior: tuple[float, ...]  # ln prevalence weight of each cause
    age_bands: tuple[tuple[int, AgeBand, float], ...]  # (cause index, band, ln factor)
    sex_terms: dict[str, Terms]  # sex -> ln factors
    dense: bool  # score with full rows (few causes) or sparse terms (many)
    nesting: Nesting
    tabled: tuple[dict[str, FindingLink], ...]  # column -> its table: finding -> entry
    width: int  # columns: the causes, then the presentations of the mixture causes
    owners: tuple[tuple[int, int], ...]  # column - causes -> (cause index, component), for the presentation columns
    mixtures: tuple[Mixture, ...]  # the causes with presentations, by index (empty: none has any)
    # Filled as cases need them (a single assess on a knowledge base of thousands of causes
    # needs only its own few findings):
    # finding -> its evidence when present and when known absent (see `evidence`)
    by_finding: dict[str, tuple[Evidence, Evidence]]
    # finding -> the findings some cause lists it `via` (most findings: none, so not a key)
    screens: dict[str, frozenset[str]]
    # (finding, the via findings the case settles) -> its evidence with those links neutral
    screened: dict[tuple[str, frozenset[str]], tuple[Evidence, Evidence]]
    # the findings whose silence counts (model.yaml `unmentioned`: of its categories, listed by
    # some cause), by id; and finding -> its evidence when unmentioned (`unmentioned_evidence`)
    unmentioned: tuple[str, ...]
    by_unmentioned: dict[str, Evidence]
    # finding -> (column, its entry) of each column listing it (`listing`): those of `unmentioned`
    # categories at once, the others as cases need them (indexing every entry of a large knowledge
    # base up front cost more than a case)
    listings: dict[str, tuple[tuple[int, FindingLink], ...]]
    silences_of: dict[int, tuple[str, ...]]  # column -> the findings whose silence counts that it lists, by id
    # (age, sex) -> the prior table: they depend on nothing else, so each of the few hundred
    # combinations is computed once (see `_priors`)
    priors: dict[AgeSex, PriorTable]
    quiet: dict[AgeSex, Quiet]  # (age, sex) -> its table of a case silent about all (sparse only)
    # (age, sex) -> cause index -> the prior factors that explain its prior, for the causes shown
    factors: dict[AgeSex, dict[int, tuple[PriorFactor, ...]]]


def compile_tables(kb: KnowledgeBase) -> Tables:
    causes = list(kb.causes.values())
    age_bands: list[tuple[int, AgeBand, float]] = []
    sex_terms: dict[str, list[tuple[int, float]]] = {}
    for index, cause in enumerate(causes):
        age_bands += [(index, band, math.log(band.factor)) for band in cause.prior.age]
        for sex, factor in cause.prior.sex:
            if factor != 1.0:
                sex_terms.setdefault(sex, []).append((index, math.log(factor)))
    owners: list[tuple[int, int]] = []
    mixtures: list[Mixture] = []
    for index, cause in enumerate(causes):
        if cause.presentations:
            columns = [index]
            for component in range(1, cause.components):
                columns.append(len(causes) + len(owners))
                owners.append((index, component))
            log_weights = tuple(math.log(weight) for weight in cause.weights)
            ids = tuple(cause.presentation_id(k) for k in range(cause.components))
            best = max(range(len(log_weights)), key=log_weights.__getitem__)  # the first of equals
            mixtures.append(Mixture(index, tuple(columns), log_weights, ids, best, cause.weights))
    tabled_by = [(index, 0) for index in range(len(causes))] + owners  # (cause, component) of each column
    tabled = tuple(causes[index].component_table(component) for index, component in tabled_by)
    screens: dict[str, set[str]] = {}
    for table in tabled:
        for link in table.values():
            if link.via is not None:
                screens.setdefault(link.finding, set()).add(link.via)
    # the findings of `unmentioned` categories are indexed now (every case meets each one, silent or
    # not), all at once by a C-level set intersection per column: the batched twin of `listing`,
    # which gathers any other finding's on first use by scanning every column
    silenceable = frozenset(f.id for f in kb.findings.values() if unmentioned_share(kb.settings, f) > 0.0)
    gathered: dict[str, list[tuple[int, FindingLink]]] = {finding: [] for finding in silenceable}
    for column, table in enumerate(tabled):
        for finding in silenceable.intersection(table):
            gathered[finding].append((column, table[finding]))
    listings = {finding: tuple(entries) for finding, entries in gathered.items()}
    silent: list[str] = []  # the findings of `unmentioned` categories some column lists other than `via` another
    silences_of: dict[int, list[str]] = {}
    for finding in sorted(silenceable):
        listed = [(column, link) for column, link in listings[finding] if link.via is None]
        if listed:
            silent.append(finding)
        for column, _ in listed:  # by id: each column's list is sorted; a link `via` another is neutral, not shown
            silences_of.setdefault(column, []).append(finding)
    return Tables(
        cause_ids=tuple(c.id for c in causes),
        log_prior=tuple(math.log(c.prior.weight) for c in causes),
        age_bands=tuple(age_bands),
        sex_terms={sex: tuple(terms) for sex, terms in sex_terms.items()},
        dense=len(causes) <= DENSE_CAUSES,
        nesting=_nesting(kb),
        tabled=tabled,
        width=len(causes) + len(owners),
        owners=tuple(owners),
        mixtures=tuple(mixtures),
        by_finding={},
        screens={finding: frozenset(vias) for finding, vias in screens.items()},
        screened={},
        unmentioned=tuple(silent),
        by_unmentioned={},
        listings=listings,
        silences_of={column: tuple(findings) for column, findings in silences_of.items()},
        priors={},
        quiet={},
        factors={},
    )


def evidence(
    kb: KnowledgeBase, tables: Tables, finding_id: str, screened_by: frozenset[str] = frozenset()
) -> tuple[Evidence, Evidence]:
    """A finding's evidence, present and absent, for each cause that lists it (computed once per
    finding: a single assess on a knowledge base of thousands of causes needs only its own few).

    `screened_by`: the findings a case settles among those the finding is listed `via` (`screens`):
    the links via one of them are neutral, as if unlisted and unexplained-neutral (LR 1, not shown)."""
    if screened_by:
        return _screened(kb, tables, finding_id, screened_by)
    compiled = tables.by_finding.get(finding_id)
    if compiled is None:
        compiled = tables.by_finding[finding_id] = _evidence(kb, tables, finding_id, screened_by)
    return compiled


def _screened(kb: KnowledgeBase, tables: Tables, finding_id: str, screened_by: frozenset[str]) -> tuple[Evidence, Evidence]:
    compiled = tables.screened.get((finding_id, screened_by))
    if compiled is None:
        compiled = tables.screened[finding_id, screened_by] = _evidence(kb, tables, finding_id, screened_by)
    return compiled


def _links(
    kb: KnowledgeBase, tables: Tables, finding_id: str, neutral: Callable[[FindingLink], bool]
) -> dict[int, FindingLink | None]:
    """Each column that lists the finding, with its entry (None where `neutral` says the link is)."""
    return {column: None if neutral(link) else link for column, link in listing(tables, finding_id)}


def listing(tables: Tables, finding_id: str) -> tuple[tuple[int, FindingLink], ...]:
    """(column, its entry) of each column that lists the finding, by column (gathered on first use)."""
    found = tables.listings.get(finding_id)
    if found is None:
        found = tables.listings[finding_id] = tuple(
            (column, table[finding_id]) for column, table in enumerate(tables.tabled) if finding_id in table
        )
    return found


def _evidence(kb: KnowledgeBase, tables: Tables, finding_id: str, screened_by: frozenset[str]) -> tuple[Evidence, Evidence]:
    background = kb.findings[finding_id].background
    share = unexplained_share(kb.settings, kb.findings[finding_id])
    sides: list[Evidence] = []
    count = tables.width
    # listed via a finding the case settles: neutral
    links = _links(kb, tables, finding_id, lambda link: link.via in screened_by)
    for present in (True, False):
        reference = background if present else 1.0 - background
        parts: dict[int, Contribution | None] = {}
        for column, link in links.items():
            if link is None:
                parts[column] = None
            else:
                likelihood = link.frequency if present else 1.0 - link.frequency
                parts[column] = Contribution(finding_id, present, likelihood, reference, math.log(likelihood / reference))
        unexplained = None
        offset = 0.0
        if share != 1.0:  # a cause that does not list the finding does not explain it
            likelihood = share * background if present else 1.0 - share * background
            offset = math.log(likelihood / reference)
            unexplained = Contribution(finding_id, present, likelihood, reference, offset, explained=False)
        # sparse terms are relative to the unexplained weight, which every cause not listed
        # shares: a constant the posteriors do not see (it is added back to the log scores)
        terms = tuple((index, _weight(part) - offset) for index, part in parts.items())
        if tables.dense:
            row = tuple(_weight(parts[i]) if i in parts else offset for i in range(count))
            shown: Sequence[Contribution | None] = tuple(parts.get(i, unexplained) for i in range(count))
        else:  # a row per finding would cost memory in proportion to the causes: look up instead
            row, shown = (), _Shown(parts, unexplained, count)
        sides.append(Evidence(terms, offset, row, shown))
    return sides[0], sides[1]


def unmentioned_evidence(kb: KnowledgeBase, tables: Tables, finding_id: str) -> Evidence:
    """What a case's silence about a finding of model.yaml's `unmentioned` categories says of each
    cause (see the module's docstring): a cause that lists it (not `via` another) gets
    (1 - r P(f | c)) / (1 - r background); every other cause is neutral, so not shown."""
    compiled = tables.by_unmentioned.get(finding_id)
    if compiled is not None:
        return compiled
    parts: dict[int, Contribution | None] = {}
    for column, link in _links(kb, tables, finding_id, lambda link: link.via is not None).items():
        parts[column] = None if link is None else silence_contribution(kb, finding_id, link.frequency)
    terms = tuple((column, _weight(part)) for column, part in parts.items())
    count = tables.width
    if tables.dense:
        row = tuple(_weight(parts.get(i)) for i in range(count))
        shown: Sequence[Contribution | None] = tuple(parts.get(i) for i in range(count))
    else:
        row, shown = (), _Shown(parts, None, count)
    compiled = tables.by_unmentioned[finding_id] = Evidence(terms, 0.0, row, shown)
    return compiled


def silence_contribution(kb: KnowledgeBase, finding_id: str, frequency: float) -> Contribution:
    """A case's silence about a finding whose silence counts, for a cause listing it at
    `frequency`: ln of (1 - r P(f | c)) / (1 - r background) (the module's docstring)."""
    finding = kb.findings[finding_id]
    share = unmentioned_share(kb.settings, finding)
    likelihood, reference = 1.0 - share * frequency, 1.0 - share * finding.background
    return Contribution(finding_id, None, likelihood, reference, math.log(likelihood / reference))


def unmentioned(tables: Tables, case: Case) -> list[str]:
    """The findings whose silence counts (`Tables.unmentioned`) that the case leaves unsettled
    (neither reported, nor entailed by a present one, nor entailing an absent one), by id."""
    if not tables.unmentioned:
        return []
    known = settled(tables.nesting, case)
    return [finding for finding in tables.unmentioned if finding not in known]


def _weight(part: Contribution | None) -> float:
    """ln LR of a listed finding's entry (None, neutral: 0)."""
    return 0.0 if part is None else part.weight


def _nesting(kb: KnowledgeBase) -> Nesting:
    implied_by: dict[str, list[str]] = {}
    for finding in kb.findings.values():
        for other in finding.implies:
            implied_by.setdefault(other, []).append(finding.id)
    implies = {f.id: f.implies for f in kb.findings.values() if f.implies}
    return Nesting(implies, {b: tuple(a) for b, a in implied_by.items()}, frozenset(implies), frozenset(implied_by))


def nested(kb: KnowledgeBase, case: Case) -> tuple[Implied, ...]:
    """The reported findings that another reported finding entails, so are not counted again.

    If A implies B, then P(A and B | c) = P(A | c): a present B adds nothing to a present A.
    Likewise P(not A and not B | c) = P(not B | c): an absent A adds nothing to an absent B.
    (A present with B absent contradicts the knowledge base; both are then counted as given.)
    """
    nesting = kb.derived(compile_tables).nesting
    if nesting.specific.isdisjoint(case.present) and nesting.general.isdisjoint(case.absent):
        return ()  # no finding of the case can nest another
    out: dict[tuple[str, bool], Implied] = {}
    for specific in sorted(case.present):
        for other in nesting.implies.get(specific, ()):
            if other in case.present and (other, True) not in out:
                out[other, True] = Implied(other, True, specific)
    for general in sorted(case.absent):
        for other in nesting.implied_by.get(general, ()):
            if other in case.absent and (other, False) not in out:
                out[other, False] = Implied(other, False, general)
    return tuple(sorted(out.values()))


def settled(nesting: Nesting, case: Case) -> frozenset[str]:
    """The findings whose state the case settles: those it reports, those a present one entails,
    and those that entail an absent one (the same for a case and its `counted` form)."""
    known = set(case.present | case.absent)
    for finding in nesting.specific.intersection(case.present):
        known.update(nesting.implies[finding])
    for finding in nesting.general.intersection(case.absent):
        known.update(nesting.implied_by[finding])
    return frozenset(known)


def screening(tables: Tables, case: Case) -> dict[str, frozenset[str]]:
    """Reported finding -> the findings the case settles among those some cause lists it `via`
    (only the findings with any: for most cases, none)."""
    screens = tables.screens
    reported = [f for f in (*case.present, *case.absent) if f in screens]
    if not reported:
        return {}
    known = settled(tables.nesting, case)
    return {f: vias for f in reported if (vias := screens[f] & known)}


def counted(kb: KnowledgeBase, case: Case, implied: tuple[Implied, ...] | None = None) -> Case:
    """The case with the findings that `nested` finds (`implied`, if already known) left out:
    what scoring counts."""
    if implied is None:
        implied = nested(kb, case)
    if not implied:
        return case
    present = case.present - {i.finding for i in implied if i.present}
    absent = case.absent - {i.finding for i in implied if not i.present}
    return case._replace(present=present, absent=absent)


def unmentioned_share(settings: Settings, finding: Finding) -> float:
    """r, the chance that a finding a person has is mentioned: model.yaml `unmentioned`'s share
    for the finding's category, else 0 (silence is unknown, neutral). 0 too for a finding beyond
    the public vocabulary (findings.yaml `extra`): a case written in that one cannot mention it."""
    return 0.0 if finding.extra else settings.mentioned_shares.get(finding.category, 0.0)


def unexplained_share(settings: Settings, finding: Finding) -> float:
    """P(f | a cause that does not list f) / background: model.yaml `unexplained`, or 1 (neutral)
    for a finding of one of its neutral categories. (The validator checks nesting with it too.)"""
    return 1.0 if finding.category in settings.neutral_categories else settings.unexplained


def frequency_in(kb: KnowledgeBase, cause: Cause, finding_id: str) -> float:
    """P(finding present | cause): the cause's listed frequency, else the unexplained share of the
    finding's background."""
    return listed_or_unexplained(kb.settings, kb.findings[finding_id], cause.link(finding_id))


def marginal_frequency(kb: KnowledgeBase, cause: Cause, finding_id: str) -> float:
    """P(finding present | cause) over all its cases: for a cause with presentations, each
    component's `frequency_in` weighted by the component's share (the typical table's included);
    for one without, `frequency_in`."""
    finding = kb.findings[finding_id]
    return math.fsum(
        weight * listed_or_unexplained(kb.settings, finding, cause.component_link(component, finding_id))
        for component, weight in enumerate(cause.weights)
    )


def listed_or_unexplained(settings: Settings, finding: Finding, link: FindingLink | None) -> float:
    """`frequency_in` from its parts, for callers that hold them (the validator, before a
    knowledge base exists; `contributions`, which has the link already)."""
    return link.frequency if link is not None else unexplained_share(settings, finding) * finding.background


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


def contributions(
    kb: KnowledgeBase, cause: Cause, case: Case, component: int | None = None, silence: bool = True
) -> tuple[Contribution, ...]:
    """ln LR of each reported finding that the cause lists, and of those it does not explain
    (unless model.yaml `unexplained` is 1, which makes them neutral and unshown); and, unless
    `silence` is False, of the case's silence about each finding of model.yaml's `unmentioned`
    categories that the cause lists (`unmentioned_evidence`), by finding id.

    For a cause with presentations, those of one component's table: `component`, else the
    one of largest posterior weight for the case (`chosen_component`)."""
    case = counted(kb, case)
    if component is None:
        component = chosen_component(kb, cause, case, silence) if cause.presentations else 0
    return _contributions(kb, cause, case, component, silence)


def _contributions(kb: KnowledgeBase, cause: Cause, case: Case, component: int, silence: bool = True) -> tuple[Contribution, ...]:
    """`contributions` of one component's table, for a case already `counted`."""
    result: list[Contribution] = []
    known: frozenset[str] | None = None  # `settled`, when a finding listed `via` another needs it
    silent = set(unmentioned(kb.derived(compile_tables), case)) if silence else set()
    for finding_id in sorted(case.present | case.absent | silent):
        link = cause.component_link(component, finding_id)
        if finding_id in silent:
            if link is not None and link.via is None:  # else neutral
                result.append(silence_contribution(kb, finding_id, link.frequency))
            continue
        share = unexplained_share(kb.settings, kb.findings[finding_id])
        if link is None and share == 1.0:
            continue  # an unlisted finding is neutral
        if link is not None and link.via is not None:
            if known is None:
                known = settled(kb.derived(compile_tables).nesting, case)
            if link.via in known:
                continue  # it tells of this cause only through a finding the case settles: neutral
        present = finding_id in case.present
        background = kb.findings[finding_id].background
        frequency = listed_or_unexplained(kb.settings, kb.findings[finding_id], link)
        likelihood = frequency if present else 1.0 - frequency
        reference = background if present else 1.0 - background
        weight = math.log(likelihood / reference)
        result.append(Contribution(finding_id, present, likelihood, reference, weight, explained=link is not None))
    return tuple(result)


def component_scores(kb: KnowledgeBase, cause: Cause, case: Case, silence: bool = True) -> list[float]:
    """ln w_k + L_k(c) of each component of the cause: its weight times the product of the
    likelihood ratios of its table (component 0 alone, with weight 1, for a cause without
    presentations); `silence` as in `contributions`."""
    case = counted(kb, case)
    return [
        math.log(weight) + math.fsum(part.weight for part in _contributions(kb, cause, case, component, silence))
        for component, weight in enumerate(cause.weights)
    ]


def chosen_component(kb: KnowledgeBase, cause: Cause, case: Case, silence: bool = True) -> int:
    """The component of largest posterior weight w_k exp(L_k) for the case (the lowest of those
    within rounding of it, `first_near_peak`): the one whose contributions explain the cause."""
    if not cause.presentations:
        return 0
    values = component_scores(kb, cause, case, silence)
    return first_near_peak(values, max(values))


def log_likelihood(kb: KnowledgeBase, cause: Cause, case: Case, silence: bool = True) -> float:
    """ln of the cause's likelihood ratio for the case's counted findings: the sum of their
    weights, or for a cause with presentations ln sum over k of w_k exp(L_k); `silence` as in
    `contributions`."""
    if not cause.presentations:
        return math.fsum(part.weight for part in contributions(kb, cause, case, silence=silence))
    return log_sum_exp(component_scores(kb, cause, case, silence))[0]


def log_sum_exp(values: Sequence[float]) -> tuple[float, int]:
    """(ln sum of exp(values), the index of the largest value, the first within rounding of
    it), taken from the largest so nothing overflows. Added in order, one rounding a step:
    the accelerator (gutnerve/_speedups.c, `fold`) does the same operations in the same order."""
    peak = max(values)
    total = 0.0
    for value in values:
        total += math.exp(value - peak)
    return peak + math.log(total), first_near_peak(values, peak)


# Component log scores closer than this are rounding apart, not different: the reference, the
# dense rows and the sparse terms add the same ln LRs in other orders and can disagree in the
# last bits, so which component explains a cause must not hang on those bits.
TIE = 1e-9


def first_near_peak(values: Sequence[float], peak: float) -> int:
    """The index of the first value within TIE of the peak (the largest value): the component
    chosen to explain a mixture cause. The accelerator's `fold` picks it the same way."""
    return next(i for i, value in enumerate(values) if value >= peak - TIE)


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
    # map over C functions rather than a comprehension: this runs for every cause of every case
    peak = max(logs)
    odds = list(map(math.exp, map(operator.sub, logs, repeat(peak))))
    return list(map(operator.mul, odds, repeat(1.0 / math.fsum(odds))))


def _priors(kb: KnowledgeBase, case: Case) -> PriorTable:
    """The prior table for the case's age and sex (kept in the compiled tables)."""
    tables = kb.derived(compile_tables)
    key = (case.age, case.sex)
    table = tables.priors.get(key)
    if table is None:
        logs = log_priors(tables, case)
        start = logs + [logs[index] for index, _ in tables.owners] if tables.owners else logs
        table = tables.priors[key] = _table(logs, start)
    return table


def _table(logs: list[float], start: list[float]) -> PriorTable:
    """The prior table of these ln prior weights, and of these columns' (`start`)."""
    shift = max(logs)
    odds = [math.exp(value - shift) for value in logs]
    order = sorted(range(len(logs)), key=logs.__getitem__, reverse=True)
    return PriorTable(logs, _normalise(logs), shift, odds, math.fsum(odds), order, start)


def _quiet(kb: KnowledgeBase, tables: Tables, base: PriorTable, key: AgeSex) -> Quiet:
    """The `Quiet` table of an (age, sex), kept in the compiled tables."""
    quiet = tables.quiet.get(key)
    if quiet is not None:
        return quiet
    silence = [0.0] * tables.width
    for finding in tables.unmentioned:  # by id: the same sums in the same order for every case
        for column, weight in unmentioned_evidence(kb, tables, finding).terms:
            silence[column] += weight
    start = [value + extra for value, extra in zip(base.start, silence, strict=True)]
    logs = start[: len(tables.cause_ids)]
    forced: dict[int, float] = {}
    for mixture in tables.mixtures:
        if len({silence[column] for column in mixture.columns}) > 1:
            forced.update((column, start[column]) for column in mixture.columns)
        else:  # every component moved alike: the cause by the same
            logs[mixture.cause] = base.logs[mixture.cause] + silence[mixture.cause]
    lifts = [math.exp(quiet - prior) for quiet, prior in zip(logs, base.logs, strict=True)]
    table = _table(logs, start)
    quiet = tables.quiet[key] = Quiet(table, forced, lifts, {})
    return quiet


def score(kb: KnowledgeBase, case: Case, detail: int | None = None, implied: tuple[Implied, ...] | None = None) -> Ranked:
    """Every cause with its posterior probability, most probable first (ties by id).

    `contributions` and `prior_factors` are filled for the first `detail`
    causes (all when None); the rest carry empty tuples, as a table of the
    top N never shows them. `implied` is `nested(kb, case)` when the caller
    already has it.

    Only the causes that list one of the case's findings move from their prior
    ("touched"). When they are few among many causes, the others keep their
    prior odds and prior order, so the normaliser and the ranking are updated
    rather than recomputed (`_sparse`); the result is the same up to rounding.
    """
    tables = kb.derived(compile_tables)
    base = _priors(kb, case)
    case = counted(kb, case, implied)
    present = sorted(case.present)  # sorted: the same sum in the same order, whatever the input order
    absent = sorted(case.absent)
    by_finding = tables.by_finding
    if tables.screens and (screens := screening(tables, case)):  # some finding is neutral for some cause
        reported = [evidence(kb, tables, f, screens.get(f, frozenset()))[0] for f in present]
        denied = [evidence(kb, tables, f, screens.get(f, frozenset()))[1] for f in absent]
    else:
        reported = [(by_finding.get(f) or evidence(kb, tables, f))[0] for f in present]
        denied = [(by_finding.get(f) or evidence(kb, tables, f))[1] for f in absent]
    hushed: list[Evidence] = []  # sparse: the silences the case ends (their ln LRs leave the `Quiet` table)
    known: frozenset[str] = frozenset()  # sparse: the findings the case settles
    if not tables.dense:
        if tables.unmentioned:
            known = settled(tables.nesting, case)
            hushed = [unmentioned_evidence(kb, tables, f) for f in tables.unmentioned if f in known]
    elif silent := unmentioned(tables, case):
        # added among the absent findings, by id: the order the accelerator adds its rows in
        silences = [tables.by_unmentioned.get(f) or unmentioned_evidence(kb, tables, f) for f in silent]
        merged = sorted([*zip(absent, denied, strict=True), *zip(silent, silences, strict=True)], key=operator.itemgetter(0))
        absent, denied = [f for f, _ in merged], [side for _, side in merged]
    reported += denied
    logs: Sequence[float]
    posterior: Sequence[float]
    order: Sequence[int]
    chosen: dict[int, int] = {}  # cause index -> the column of its chosen component (mixture causes)
    shares: list[float] = []  # each mixture cause's components' posterior weights, in mixture order
    if tables.dense:
        rows: Iterable[float] = base.start
        for side in reported:  # chained lazily: one list at the end, the same sums in the same order
            rows = map(operator.add, rows, side.row)
        full = list(rows)
        if tables.mixtures:
            full = _fold(tables, full, chosen, shares)
        logs, posterior = full, _normalise(full)
        order = sorted(range(len(full)), key=full.__getitem__, reverse=True)  # stable: ties by id
    else:
        quiet = _quiet(kb, tables, base, (case.age, case.sex)) if tables.unmentioned else None
        logs, posterior, order = _sparse_or_full(base, reported, tables, chosen, shares, quiet, hushed)
    ids = tables.cause_ids
    # each cause's explanation lists the reported findings it lists, by finding id
    explained = [side.shown for _, side in sorted(zip(present + absent, reported, strict=True))]
    # sparse: each cause shown also lists the silences it lists, by finding id (dense: among the rows)
    hush = not tables.dense and bool(tables.unmentioned)
    factors = tables.factors.setdefault((case.age, case.sex), {})  # filled as causes are shown
    shown = range(len(ids) if detail is None else min(detail, len(ids)))
    detailed = []
    if not tables.mixtures and not hush:  # the usual case, kept lean: each cause is explained by its own column
        for rank in shown:
            i = order[rank]
            parts = tuple(filter(None, map(operator.itemgetter(i), explained)))  # None: not shown (neutral)
            if i not in factors:
                factors[i] = prior_weight(kb.causes[ids[i]], case)[1]
            detailed.append(_record(ScoredCause, (ids[i], base.prior[i], factors[i], logs[i], posterior[i], parts, None)))
        return Ranked(ids, base.prior, logs, posterior, order, detailed)
    named = _named(tables, chosen)
    for rank in shown:  # a mixture cause is explained by its chosen component's column
        i = order[rank]
        column = chosen.get(i, i)
        parts = tuple(filter(None, map(operator.itemgetter(column), explained)))
        if hush:
            parts = tuple(sorted(parts + _silences(kb, tables, column, known), key=operator.itemgetter(0)))
        if i not in factors:
            factors[i] = prior_weight(kb.causes[ids[i]], case)[1]
        record = (ids[i], base.prior[i], factors[i], logs[i], posterior[i], parts, named.get(i))
        detailed.append(_record(ScoredCause, record))
    return Ranked(ids, base.prior, logs, posterior, order, detailed, presentations=named, shares=shares)


def _silences(kb: KnowledgeBase, tables: Tables, column: int, known: frozenset[str]) -> tuple[Contribution, ...]:
    """A column's entries for the silences a case keeps (the findings whose silence counts that the
    column lists and the case does not settle, `known`), by id, for the sparse path."""
    return tuple(
        part
        for f in tables.silences_of.get(column, ())
        if f not in known and (part := unmentioned_evidence(kb, tables, f).shown[column]) is not None
    )


def _fold(tables: Tables, full: list[float], chosen: dict[int, int], shares: list[float]) -> list[float]:
    """The causes' log scores from the columns' (length `tables.width`): each mixture cause's
    components folded into it by log-sum-exp (ln w_k + its column), the column of the largest
    term recorded in `chosen`, the components' posterior weights appended to `shares`."""
    logs = full[: len(tables.cause_ids)]
    for mixture in tables.mixtures:
        values = [full[column] + log_weight for column, log_weight in zip(mixture.columns, mixture.log_weights, strict=True)]
        logs[mixture.cause], best = _fold_shares(values, shares)
        chosen[mixture.cause] = mixture.columns[best]
    return logs


def _fold_shares(values: list[float], shares: list[float]) -> tuple[float, int]:
    """log_sum_exp(values), in the same operations, with each value's posterior weight (its exp
    over the sum of them all, taken from the largest) appended to `shares`: the accelerator's
    `fold` divides the same terms by the same sum, so the two agree to the bit."""
    peak = max(values)
    terms = [math.exp(value - peak) for value in values]
    total = 0.0
    for term in terms:
        total += term
    shares += [term / total for term in terms]
    return peak + math.log(total), first_near_peak(values, peak)


def _named(tables: Tables, chosen: dict[int, int]) -> dict[int, str | None]:
    """Cause index -> the presentation id of its chosen component (None: the typical one)."""
    return {m.cause: m.presentations[m.columns.index(chosen[m.cause])] for m in tables.mixtures}


def _sparse_or_full(
    base: PriorTable,
    reported: list[Evidence],
    tables: Tables,
    chosen: dict[int, int],
    shares: list[float],
    quiet: Quiet | None = None,
    hushed: Sequence[Evidence] = (),
) -> tuple[Sequence[float], Sequence[float], Sequence[int]]:
    """(logs, posteriors, order) from the causes the reported findings touch (the column of each
    mixture cause's chosen component into `chosen`, its components' posterior weights onto `shares`).
    Where silences count, the causes start from `quiet` (a case silent about every such finding),
    and the silences the case ends (`hushed`) are taken out again: a case pays for the few history
    findings it settles, not for the many it does not."""
    touched: dict[int, float] = {}
    if quiet is not None:
        base, touched = quiet.table, dict(quiet.forced)
    start = base.start
    for side in hushed:
        for index, weight in side.terms:
            touched[index] = touched.get(index, start[index]) - weight
    for side in reported:
        for index, weight in side.terms:
            touched[index] = touched.get(index, start[index]) + weight
    if tables.mixtures:
        _fold_touched(tables, start, touched, chosen, shares)
    offset = math.fsum(side.offset for side in reported)  # what every cause gets for unexplained findings
    sparse = _sparse(base, touched, quiet)
    if sparse is not None:
        logs, posterior, order = sparse
        return (_Overlay(base.logs, touched, offset=offset) if offset else logs), posterior, order
    full = list(base.logs)
    for index, value in touched.items():
        full[index] = value
    order = sorted(range(len(full)), key=full.__getitem__, reverse=True)  # stable: ties by id
    return [value + offset for value in full] if offset else full, _normalise(full), order


def _fold_touched(
    tables: Tables, start: list[float], touched: dict[int, float], chosen: dict[int, int], shares: list[float]
) -> None:
    """`_fold` for the sparse path: a mixture cause none of whose columns a finding touched
    keeps its prior (every component moved alike), its component of largest weight and its
    components' prior weights."""
    causes = len(tables.cause_ids)
    for mixture in tables.mixtures:
        columns = mixture.columns
        if any(column in touched for column in columns):
            values = [touched.get(c, start[c]) + w for c, w in zip(columns, mixture.log_weights, strict=True)]
            touched[mixture.cause], best = _fold_shares(values, shares)
        else:
            best = mixture.prior_choice
            shares += mixture.weights
        chosen[mixture.cause] = columns[best]
    for column in [column for column in touched if column >= causes]:
        del touched[column]


def _sparse(
    base: PriorTable, touched: dict[int, float], lifts: Quiet | None = None
) -> tuple[Sequence[float], Sequence[float], Sequence[int]] | None:
    """(logs, posteriors, order) as lazy views when few causes are touched, else None. `lifts`: the
    `Quiet` table `base` is, whose untouched causes moved from their priors by different ratios."""
    count = len(base.logs)
    if not touched or len(touched) * 8 > count:
        return None
    exp = math.exp
    new_odds = {index: value - base.shift for index, value in touched.items()}
    if max(new_odds.values()) > 700:  # exp would overflow: recompute in full
        return None
    new_odds = {index: exp(value) for index, value in new_odds.items()}
    removed = math.fsum(base.odds[index] for index in touched)
    if removed > 0.5 * base.total:  # most prior mass moved: subtracting would lose precision
        untouched = math.fsum(odds for index, odds in enumerate(base.odds) if index not in touched)
    else:
        untouched = base.total - removed
    scale = 1.0 / (untouched + math.fsum(new_odds.values()))
    moved = sorted(touched, key=lambda index: (-touched[index], index))
    order = _LazyOrder(count, heapq.merge(moved, (i for i in base.order if i not in touched), key=_Rank(touched, base.logs)))
    return _Overlay(base.logs, touched), _Overlay(base.odds, new_odds, scale, lifts=lifts), order


class _Rank:
    """Sort key of a cause index: falling log score, then index (= id order)."""

    __slots__ = ("base", "touched")

    def __init__(self, touched: dict[int, float], base: list[float]):
        self.touched, self.base = touched, base

    def __call__(self, index: int) -> tuple[float, int]:
        return (-self.touched.get(index, self.base[index]), index)


class _Overlay(Sequence[float]):
    """base[i], or overrides[i] where given; plus `offset`, times `scale`. `lifts`: for posteriors
    whose base is a `Quiet` table, each cause's ratio to its prior before the case's findings."""

    def __init__(
        self, base: list[float], overrides: dict[int, float], scale: float = 1.0, offset: float = 0.0, lifts: Quiet | None = None
    ):
        self.base, self.overrides, self.scale, self.offset, self.lifts = base, overrides, scale, offset, lifts

    def __len__(self) -> int:
        return len(self.base)

    def __getitem__(self, index: Any) -> Any:
        return (self.overrides.get(index, self.base[index]) + self.offset) * self.scale

    def sum_over(self, indices: Sequence[int], members: AbstractSet[int]) -> float:
        """sum(self[i] for i in indices), `members` being the same indices as a set: the base
        summed in C, then corrected for the few overrides (triage sums thousands of causes)."""
        base = self.base
        total = sum(map(base.__getitem__, indices))
        total += sum(value - base[index] for index, value in self.overrides.items() if index in members)
        return (total + self.offset * len(indices)) * self.scale

    def raised_over(
        self, indices: Sequence[int], members: AbstractSet[int], prior: Sequence[float], factor: float = 1.0
    ) -> float:
        """sum(self[i] for i in indices if raised(self[i], prior[i], factor)), `members` as in
        sum_over. The causes with no override all moved from their prior by the same ratio s
        (posterior = s x prior): none is raised when s <= 1, all are when s >= factor (their odds
        grew at least s-fold), and between the two it depends on each prior, so they are read.
        Over a `Quiet` table, cause i moved by s x lift(i): the causes whose threshold s passes count,
        read off the group's thresholds sorted once (`Quiet.thresholds`)."""
        overrides = self.overrides
        touched = [index for index in overrides if index in members]
        total = math.fsum(value for index in touched if raised(value := self[index], prior[index], factor))
        if len(touched) < len(indices):
            probe = next(index for index in indices if index not in overrides)
            ratio = self[probe] / prior[probe]
            if self.lifts is not None:  # s from the probe: the untouched causes whose key s passes count
                common = ratio / self.lifts.lifts[probe]
                keys, running, key = self.lifts.thresholds(indices, self.base, prior, factor)
                if factor == 1.0:  # x > 1, strictly
                    counted = bisect.bisect_left(keys, common)
                    passed = [i for i in touched if key[i] < common]
                else:  # x >= the threshold
                    counted = bisect.bisect_right(keys, common)
                    passed = [i for i in touched if key[i] <= common]
                return total + (running[counted] - math.fsum(self.base[i] for i in passed)) * self.scale
            if ratio > 1.0 and ratio >= factor:
                total += self.sum_over(indices, members) - math.fsum(self[index] for index in touched)
            elif ratio > 1.0:
                total += math.fsum(
                    value for index in indices if index not in overrides and raised(value := self[index], prior[index], factor)
                )
        return total


class _LazyOrder(Sequence[int]):
    """A ranking materialised only as far as it is read."""

    def __init__(self, size: int, source: Iterator[int]):
        self.size, self.source = size, source
        self.done: list[int] = []

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, rank: Any) -> Any:
        while len(self.done) <= rank:
            self.done.append(next(self.source))
        return self.done[rank]
