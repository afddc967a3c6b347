"""Plain, immutable data: the knowledge base, a case and an assessment.

Everything the engine works on is one of these immutable records. They carry
no behaviour beyond small derived properties, so the functional core (scoring,
triage, workup) stays a set of pure functions over plain data.

Records are NamedTuples (change one with `record._replace(field=...)`): as
immutable as frozen dataclasses, and several times cheaper both to define,
which every start-up pays (a dataclass generates its methods with exec), and
to build, which every case pays. Cause and KnowledgeBase stay frozen
dataclasses because they keep derived look-up tables (cached_property), which
a tuple has nowhere to store.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any, Literal, NamedTuple, TypeVar, cast, overload

_T = TypeVar("_T")

Level = Literal["error", "warning"]


class Issue(NamedTuple):
    """One problem found while checking input: where, what, and how to fix it."""

    level: Level
    where: str  # file[:line], or "case", "case.present[2]", "line 7" ...
    message: str
    fix: str = ""

    def one_line(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        return f"{text} ({self.fix})" if self.fix else text


# --------------------------------------------------------------------------
# Knowledge base


class RedFlag(NamedTuple):
    """Findings that, all present together, set the triage level to at least `level`."""

    findings: tuple[str, ...]
    level: str
    message: str
    origin: str  # the finding or cause id that declares it
    basis: str = ""  # why this level: a source key of the declaring file, or "judgement"
    note: str = ""  # how the source supports the level, or how it was judged


class SuspectWhen(NamedTuple):
    """A cause file's `suspect_when`: the findings its cited guidance names as the reasons to
    suspect it. Triage counts the cause's probability (alone or summed with others) only when the
    case has one of them, or a finding that implies one; its red flags are not affected."""

    any: tuple[tuple[str, tuple[str, ...]], ...]  # (finding, unless): it counts unless one of those is present
    basis: str  # a source key of the cause's file, or "judgement"
    note: str = ""  # how the source says so


class Lasting(NamedTuple):
    """findings.yaml `lasting`: a symptom of one of `of`'s categories said in free text to have lasted
    between min_days and max_days ("numb feet for 6 months") reads the finding that has it."""

    min_days: float
    max_days: float  # math.inf: no upper bound
    of: frozenset[str]  # finding categories


class Recent(NamedTuple):
    """findings.yaml `recent`: a mention of the finding, or of one of `since`, dated in free text
    between min_days and max_days ago ("diarrhoea two weeks ago") reads the finding present."""

    min_days: float
    max_days: float
    since: tuple[str, ...] = ()  # other findings whose dated mention reads this one ("diarrhea")


class Scale(NamedTuple):
    """One unit scale of a measurement (findings.yaml `measured`): the value a text gives reads the
    finding present inside `present`, absent inside `absent`, and nothing in between."""

    units: tuple[str, ...]  # lower case, without spaces ("mmol/l"); a number without a unit takes the
    # one scale whose range holds it
    low: float  # the plausible range: a number outside it is not this measurement
    high: float
    present: tuple[float, float]  # (min, max), either end open (-inf, inf)
    absent: tuple[float, float]
    # ((sex, present, absent), ...): bounds that hold for one sex (a haemoglobin's), used where the
    # case's sex is known; `present` and `absent` above are where both sexes agree
    by_sex: tuple[tuple[str, tuple[float, float], tuple[float, float]], ...] = ()

    def bounds(self, sex: str | None) -> tuple[tuple[float, float], tuple[float, float]]:
        """(present, absent) for a case of `sex` (None: not known)."""
        return next(((p, a) for s, p, a in self.by_sex if s == sex), (self.present, self.absent))


class Measured(NamedTuple):
    """findings.yaml `measured`: a laboratory value or a vital sign that free text reads as the finding
    ("sodium 124", "temp 38.6"), with what says where the bounds lie."""

    names: tuple[str, ...]  # lower case, as written before the number ("sodium", "na")
    scales: tuple[Scale, ...]
    basis: str  # a key of findings.yaml `sources`, or "judgement"
    note: str = ""


class Finding(NamedTuple):
    id: str
    label: str
    meaning: str
    question: str
    category: str
    background: float
    background_basis: str
    hpo: str | None = None
    synonyms: tuple[str, ...] = ()
    red_flag: RedFlag | None = None
    implies: tuple[str, ...] = ()  # every finding this one entails, followed through chains (sorted)
    normal: tuple[str, ...] = ()  # phrases saying it was looked for and not found ("ck normal"): free text reads them as absent
    sided: bool = False  # the finding a side named in free text asks about ("swollen left calf": one leg only?)
    extra: bool = False  # beyond the public contract's vocabulary: a case written in that one cannot name it
    suggests: tuple[str, ...] = ()  # phrases that hint at it without saying it ("wet myself"): free text asks, never assumes
    broader: tuple[str, ...] = ()  # a wider complaint said with no place ("numbness"): asked about when said, absent when denied
    broader_normal: tuple[str, ...] = ()  # a wider examination found normal, with no place ("sensation intact"): absent
    together: tuple[str, ...] = ()  # phrases naming it with other findings at once ("tetraparesis"): read as each
    lasting: Lasting | None = None  # a course finding: how long a symptom said to have lasted reads it
    recent: Recent | None = None  # a finding bounded in time: how long ago a dated mention reads it
    measured: tuple[Measured, ...] = ()  # the values free text reads it by ("sodium 124")


class FindingLink(NamedTuple):
    """How often a finding occurs in one cause: P(finding | cause)."""

    finding: str
    frequency: float
    term: str | None  # the HPO frequency term, when one was used
    source: str  # a source key of the cause, or "judgement"
    note: str = ""
    # another finding this one goes with this cause only through (smoking with alcohol neuropathy,
    # through heavy drinking): when the case settles that finding, this one is neutral here
    via: str | None = None


class Presentation(NamedTuple):
    """A clinically distinct subtype of a cause (a component of its mixture): the cause's own
    table with these entries replacing or adding to it, in a share of the cause's cases."""

    id: str
    name: str
    share: float  # P(this presentation | cause)
    source: str  # a source key of the cause, or "judgement"
    note: str
    findings: tuple[FindingLink, ...]  # only the entries that differ from the cause's own table
    # how fast this presentation needs seeing, when that differs from its cause's `urgency` (None:
    # the cause's), with what says so (a source key or "judgement") and why
    urgency: str | None = None
    urgency_basis: str = ""
    urgency_note: str = ""


class WorkupStep(NamedTuple):
    test: str
    line: Literal["first", "second"]
    why: str


class Source(NamedTuple):
    key: str
    cite: str
    pmid: str | None = None
    doi: str | None = None
    url: str | None = None
    supports: str = ""

    @property
    def link(self) -> str:
        if self.pmid:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        if self.doi:
            return f"https://doi.org/{self.doi}"
        return self.url or ""


class AgeBand(NamedTuple):
    min: int | None
    max: int | None
    factor: float

    def covers(self, age: int) -> bool:
        return (self.min is None or age >= self.min) and (self.max is None or age <= self.max)


class Prior(NamedTuple):
    prevalence: str
    weight: float  # the prevalence class's relative weight
    basis: str
    age: tuple[AgeBand, ...] = ()
    sex: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Cause:
    id: str
    name: str
    summary: str
    mechanism: str
    mechanism_detail: str
    gut_link: str
    area: str
    severity: str
    course: str
    urgency: str
    prior: Prior
    findings: tuple[FindingLink, ...]
    red_flags: tuple[RedFlag, ...]
    workup: tuple[WorkupStep, ...]
    management: str
    icd10: tuple[str, ...]
    sources: tuple[Source, ...]
    path: str = ""
    # clinically distinct subtypes, scored as a mixture (empty: the cause's table is all there is)
    presentations: tuple[Presentation, ...] = ()
    # when its probability may raise triage (None: whenever the findings raised it enough)
    suspect_when: SuspectWhen | None = None

    @cached_property
    def _links(self) -> dict[str, FindingLink]:
        # derived once per cause: scoring looks a finding up for every cause of every case
        return {link.finding: link for link in self.findings}

    def link(self, finding_id: str) -> FindingLink | None:
        return self._links.get(finding_id)

    @cached_property
    def _component_links(self) -> tuple[dict[str, FindingLink], ...]:
        typical = self._links
        return (typical, *({**typical, **{link.finding: link for link in p.findings}} for p in self.presentations))

    @property
    def triaged_by_presentations(self) -> bool:
        """Whether a presentation needs seeing at another urgency than the cause's: triage then weighs
        the cause as its components (gutnerve/triage.py)."""
        return any(p.urgency not in (None, self.urgency) for p in self.presentations)

    @property
    def components(self) -> int:
        """How many components the cause's mixture has: 1 (its own table) + its presentations."""
        return 1 + len(self.presentations)

    def component_link(self, component: int, finding_id: str) -> FindingLink | None:
        """The entry of a finding in one component's table: 0 is the cause's own (the typical
        presentation), k its k-th presentation (its entries replacing or adding to the cause's)."""
        return self._component_links[component].get(finding_id)

    def component_table(self, component: int) -> dict[str, FindingLink]:
        """One component's table, finding id -> entry (read-only: shared, not a copy)."""
        return self._component_links[component]

    def component_findings(self, component: int) -> tuple[FindingLink, ...]:
        """Every entry of one component's table."""
        return tuple(self._component_links[component].values())

    @cached_property
    def weights(self) -> tuple[float, ...]:
        """Each component's weight, P(component | cause): 1 - the presentations' shares for the
        typical one, then each presentation's share."""
        shares = [p.share for p in self.presentations]
        return (1.0 - math.fsum(shares), *shares)

    def component_urgency(self, component: int) -> str:
        """How fast one component needs seeing: its presentation's own urgency, else the cause's."""
        if component == 0:
            return self.urgency
        return self.presentations[component - 1].urgency or self.urgency

    def presentation_id(self, component: int) -> str | None:
        """The id of a component's presentation (None: the typical one)."""
        return None if component == 0 else self.presentations[component - 1].id

    def component_of(self, presentation: str | None) -> int:
        """The component of a presentation id (0: None, the typical one); `presentation_id`'s inverse."""
        return 0 if presentation is None else 1 + [p.id for p in self.presentations].index(presentation)


class LabTest(NamedTuple):
    id: str
    name: str
    kind: str
    looks_for: str
    loinc: str | None = None


class Settings(NamedTuple):
    """knowledge/model.yaml: the numbers the engine uses that belong to no one cause."""

    frequency_terms: dict[str, float]
    prevalence_classes: dict[str, float]
    mechanisms: dict[str, str]
    triage_levels: tuple[str, ...]
    cause_thresholds: dict[str, float]
    workup_min_posterior: float
    workup_min_causes: int
    workup_max_tests: int | None = None  # the plan keeps at most this many tests, highest yield first
    # P(f | c) of a finding a cause does not list, as a share of the finding's background
    # (1.0: an unlisted finding is neutral; below 1: the cause does not explain it)
    unexplained: float = 1.0
    neutral_categories: frozenset[str] = frozenset()  # categories whose unlisted findings stay neutral
    # a cause counts toward triage only when the findings multiply its odds at least this much
    triage_evidence: float = 1.0
    # finding category -> r, the chance that a finding of it a person has is mentioned (a category
    # not named: 0, a finding the case does not report is unknown, neutral; above 0 its silence
    # counts a little against the causes that list it, see scoring.unmentioned_evidence)
    mentioned_shares: dict[str, float] = {}
    # model.yaml `text`: the categories of findings that say how a person is now (a symptom said
    # "<time> ago" is a past episode once the time reaches past_days), as free text reads them
    current_categories: frozenset[str] = frozenset()
    past_days: float = math.inf
    # model.yaml `triage.leading_cause_floor`: the most probable cause, raised as a cause must be to
    # count for triage, keeps the case this many levels below its urgency at most (None: no floor)
    leading_floor: int | None = None


@dataclass(frozen=True)
class KnowledgeBase:
    root: str
    settings: Settings
    findings: dict[str, Finding]  # in the order of findings.yaml
    causes: dict[str, Cause]  # sorted by id
    tests: dict[str, LabTest]
    fingerprint: str = ""  # hash of the files it was loaded from
    finding_sources: dict[str, Source] = field(default_factory=dict)  # findings.yaml `sources`, by key

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.category for f in self.findings.values()))

    @cached_property
    def red_flags(self) -> tuple[RedFlag, ...]:
        """Every red flag declared, on findings and on causes (derived once, used for every case)."""
        flags = [f.red_flag for f in self.findings.values() if f.red_flag is not None]
        flags += [flag for cause in self.causes.values() for flag in cause.red_flags]
        return tuple(flags)

    @cached_property
    def red_flags_by_finding(self) -> dict[str, tuple[tuple[int, RedFlag], ...]]:
        """Each red flag, with its place in `red_flags`, filed under the first of its findings:
        triage then looks up only the findings a case has."""
        index: dict[str, list[tuple[int, RedFlag]]] = {}
        for number, flag in enumerate(self.red_flags):
            index.setdefault(flag.findings[0], []).append((number, flag))
        return {finding: tuple(flags) for finding, flags in index.items()}

    def source(self, origin: str, key: str) -> Source | None:
        """The source a basis key names, looked up in the file that declares it: the cause
        `origin`'s sources, or findings.yaml's for a finding; None for "judgement" or no key."""
        return self._sources_by_origin.get(origin, self.finding_sources).get(key)

    @cached_property
    def _sources_by_origin(self) -> dict[str, dict[str, Source]]:
        return {cause.id: {s.key: s for s in cause.sources} for cause in self.causes.values()}

    def derived(self, build: Callable[[KnowledgeBase], _T]) -> _T:
        """`build(self)`, computed once per knowledge base and kept: the tables that
        scoring and reporting compile from it so that each case costs little."""
        try:  # the usual case, first: each stage of every case asks for its tables
            return self.__dict__["_derived"][build]  # type: ignore[no-any-return]
        except KeyError:
            memo: dict[Callable[..., Any], Any] = self.__dict__.setdefault("_derived", {})
            memo[build] = build(self)
            return cast(_T, memo[build])


# --------------------------------------------------------------------------
# A case and its assessment


class Case(NamedTuple):
    present: frozenset[str]
    absent: frozenset[str]
    age: int | None = None
    sex: str | None = None
    id: str | None = None


class Contribution(NamedTuple):
    """One finding's weight for one cause: ln of its likelihood ratio."""

    finding: str
    present: bool | None  # None: not mentioned (model.yaml `unmentioned`)
    likelihood: float  # P(finding as observed | cause)
    background: float  # P(finding as observed | background)
    weight: float  # ln(likelihood / background)
    explained: bool = True  # False: the cause does not list the finding (model.yaml `unexplained`)


class Implied(NamedTuple):
    """A reported finding that another reported finding entails, so not counted again:
    present and implied by a present `by`, or absent and implied by the absence of `by`."""

    finding: str
    present: bool
    by: str


_weight = operator.attrgetter("weight")  # a sort key in C: explanations are sorted for every cause shown


class PriorFactor(NamedTuple):
    reason: str  # "age 54", "sex female"
    multiplier: float


# The records made for every case are NamedTuples, not frozen dataclasses:
# equally immutable, and several times cheaper to build on the batch hot path.


class ScoredCause(NamedTuple):
    cause_id: str
    prior: float  # normalised prior after age and sex adjustment
    prior_factors: tuple[PriorFactor, ...]
    log_score: float  # ln(prior weight) + sum of weights (unnormalised)
    posterior: float
    contributions: tuple[Contribution, ...]  # filled for the causes scored in detail (see scoring.score)
    # the presentation (a component of a mixture cause) the explanation is that of: the one of
    # largest posterior weight for the case; None for the typical one and for causes without
    presentation: str | None = None

    @property
    def supporting(self) -> tuple[Contribution, ...]:
        """The contributions for the cause, strongest first (see `split`)."""
        return tuple(split(self.contributions)[0])

    @property
    def opposing(self) -> tuple[Contribution, ...]:
        """The contributions against the cause, strongest first (see `split`)."""
        return tuple(split(self.contributions)[1])


def split(contributions: Sequence[Contribution]) -> tuple[list[Contribution], list[Contribution]]:
    """(for, against): the contributions that raise a cause's odds and those that lower them,
    strongest first; ties keep their order (by finding id). One pass: every cause shown needs both."""
    raising: list[Contribution] = []
    lowering: list[Contribution] = []
    for part in contributions:
        if part.weight > 0:
            raising.append(part)
        elif part.weight < 0:
            lowering.append(part)
    raising.sort(key=_weight, reverse=True)  # reverse keeps ties in order, as a key of -weight would
    lowering.sort(key=_weight)
    return raising, lowering


class Ranked(Sequence[ScoredCause]):
    """Every cause with its posterior, most probable first, as ScoredCause records made
    when read: a table or a batch line shows a handful of causes, and on a knowledge base
    of thousands building a record for each was most of the time spent per case."""

    __slots__ = (
        "_detailed",
        "_ids",
        "_logs",
        "_order",
        "_posterior",
        "_presentations",
        "_prior",
        "_sum_parts",
        "_sum_raised",
        "shares",
    )

    def __init__(
        self,
        ids: Sequence[str],
        prior: Sequence[float],
        logs: Sequence[float],
        posterior: Sequence[float],
        order: Sequence[int],
        detailed: Sequence[ScoredCause] = (),
        *,
        sum_raised: Callable[[Any, Any, Any, float], float] | None = None,
        presentations: Mapping[int, str | None] | None = None,
        shares: Sequence[float] | None = None,
        sum_parts: Callable[[Any, Any, Any, Any, int, float], list[float]] | None = None,
    ):
        self._ids, self._prior, self._logs, self._posterior = ids, prior, logs, posterior
        self._order = order  # cause indices, most probable first
        self._detailed = detailed  # the first causes, with their explanations
        # raised_total's sum over plain lists, compiled (gutnerve._speedups.raised_total): batch's
        # accelerated path passes it, for the same figure sooner
        self._sum_raised = sum_raised
        # cause index -> the presentation its explanation is that of, for the causes with presentations
        self._presentations: Mapping[int, str | None] = _NONE_CHOSEN if presentations is None else presentations
        # each cause with presentations' components' posterior weights (w_k exp L_k normalised), one
        # flat sequence in scoring.Tables.mixtures order, as scoring folds them (None: not given, as by
        # a hand-made ranking): triage shares such a cause's posterior by them
        self.shares = shares
        self._sum_parts = sum_parts  # parts_mass compiled (gutnerve._speedups.parts_mass), as sum_raised

    def __len__(self) -> int:
        return len(self._order)

    @overload
    def __getitem__(self, index: int) -> ScoredCause: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[ScoredCause, ...]: ...

    def __getitem__(self, index: int | slice) -> ScoredCause | tuple[ScoredCause, ...]:
        if isinstance(index, slice):
            ranks = range(*index.indices(len(self)))
            if ranks.step == 1 and ranks.stop <= len(self._detailed):  # the causes shown: made already
                return tuple(self._detailed[ranks.start : ranks.stop])
            return tuple(self._record(rank) for rank in ranks)
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("rank out of range")
        return self._record(index)

    def __iter__(self) -> Iterator[ScoredCause]:  # not Sequence's, which goes through __getitem__
        yield from self._detailed
        ids, prior, logs, posterior, order = self._ids, self._prior, self._logs, self._posterior, self._order
        chosen = self._presentations.get
        for rank in range(len(self._detailed), len(order)):
            i = order[rank]
            yield ScoredCause(ids[i], prior[i], (), logs[i], posterior[i], (), chosen(i))

    def posteriors(self) -> Iterator[tuple[str, float]]:
        """(cause id, posterior) of every cause, most probable first, without making records:
        triage and the workup walk the ranking past the causes shown."""
        ids, posterior, order = self._ids, self._posterior, self._order
        at = order.__getitem__  # by rank: a lazy order (scoring._LazyOrder) is read by index
        ranks = range(len(order))
        return zip(map(ids.__getitem__, map(at, ranks)), map(posterior.__getitem__, map(at, ranks)), strict=True)

    def raised_total(
        self, indices: Sequence[int], members: AbstractSet[int], factor: float = 1.0, reference: list[float] | None = None
    ) -> float:
        """The summed posterior of those causes at these indices whose odds the case's findings
        multiplied by at least `factor` (see `raised`), without making records: triage sums every
        cause of an urgency. `reference`: the probabilities to measure that against, by cause
        index, in place of the priors (triage.Reference)."""
        posterior, prior = self._posterior, self._prior if reference is None else reference
        if self._sum_raised is not None:
            return self._sum_raised(posterior, prior, indices, factor)
        fast = getattr(posterior, "raised_over", None)  # a lazy view over thousands of causes
        if fast is not None:
            return float(fast(indices, members, prior, factor))
        return math.fsum([p for i in indices if raised(p := posterior[i], prior[i], factor)])

    def parts_mass(
        self, parts: Sequence[tuple[int, int, float, int]], slots: int, factor: float = 1.0, reference: list[float] | None = None
    ) -> list[float]:
        """Per slot, the summed posterior of those parts of causes that the case's findings made
        more probable by at least `factor` (see `raised`): a part (cause index, place in `shares`,
        its share of the cause's prior, slot) has the cause's posterior x its share, against the
        cause's prior x its share of the prior. Added in the parts' order, from 0.0 (the compiled
        sum adds them alike). Triage sums the components of causes with presentations so.
        `reference`: as in raised_total (the parts then carry the reference's shares)."""
        posterior, prior, shares = self._posterior, self._prior if reference is None else reference, self.shares
        if shares is None:
            raise ValueError("parts_mass: a ranking without shares")
        if self._sum_parts is not None:
            return self._sum_parts(posterior, prior, shares, parts, slots, factor)
        totals = [0.0] * slots
        for index, place, share, slot in parts:
            if raised(part := posterior[index] * shares[place], prior[index] * share, factor):
                totals[slot] += part
        return totals

    def prior_and_posterior(self, index: int) -> tuple[float, float]:
        """(prior, posterior) of the cause at this index of the knowledge base, without a record."""
        return self._prior[index], self._posterior[index]

    def with_priors(self) -> Iterator[tuple[str, float, float]]:
        """(cause id, prior, posterior) of every cause, most probable first, without making records."""
        ids, prior, posterior, order = self._ids, self._prior, self._posterior, self._order
        for rank in range(len(order)):
            i = order[rank]
            yield ids[i], prior[i], posterior[i]

    def _record(self, rank: int) -> ScoredCause:
        if rank < len(self._detailed):
            return self._detailed[rank]
        i = self._order[rank]
        return ScoredCause(self._ids[i], self._prior[i], (), self._logs[i], self._posterior[i], (), self._presentations.get(i))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Ranked({list(self[:3])}{' ...' if len(self) > 3 else ''}, {len(self)} causes)"


_NONE_CHOSEN: Mapping[int, str | None] = MappingProxyType({})  # a Ranked of a knowledge base without presentations


def raised(posterior: float, prior: float, factor: float = 1.0) -> bool:
    """Whether the findings made a cause more probable, multiplying its odds by at least `factor`
    (posterior odds >= factor x prior odds, written without dividing; factor 1: posterior > prior)."""
    return posterior > prior and posterior * (1.0 - prior) >= factor * prior * (1.0 - posterior)


def by_rank(ranked: Sequence[ScoredCause]) -> Iterator[tuple[str, float]]:
    """(cause id, posterior) of each cause, most probable first: from a Ranked without making
    a record per cause (see Ranked.posteriors), from any other sequence of records as they are."""
    if isinstance(ranked, Ranked):
        return ranked.posteriors()
    return ((scored.cause_id, scored.posterior) for scored in ranked)


def by_rank_with_priors(ranked: Sequence[ScoredCause]) -> Iterator[tuple[str, float, float]]:
    """(cause id, prior, posterior) of each cause, most probable first, as `by_rank` does."""
    if isinstance(ranked, Ranked):
        return ranked.with_priors()
    return ((scored.cause_id, scored.prior, scored.posterior) for scored in ranked)


class TriageReason(NamedTuple):
    level: str
    message: str
    trigger: str  # "finding:<id>", "red-flag:<cause>", "cause:<id>", "causes:<level>", "leading:<cause>"
    basis: str = ""  # a red flag's: a source key of the file that declares it, or "judgement"


class Triage(NamedTuple):
    level: str
    reasons: tuple[TriageReason, ...]


class PlanItem(NamedTuple):
    test: str
    line: Literal["first", "second"]
    yield_: float  # posterior mass of the causes it addresses
    causes: tuple[str, ...]


class Assessment(NamedTuple):
    case: Case
    ranked: Sequence[ScoredCause]  # every cause, most probable first (a Ranked)
    triage: Triage
    plan: tuple[PlanItem, ...]
    top: int | None = None
    implied: tuple[Implied, ...] = ()  # reported findings not counted again (scoring.nested)

    @property
    def shown(self) -> tuple[ScoredCause, ...]:
        return tuple(self.ranked[: self.top] if self.top is not None else self.ranked)
