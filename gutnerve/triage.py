"""Triage: the most urgent of the red flags present and the likely urgent causes.

A red flag (a finding, or a cause's combination of findings) sets its level
as soon as its findings are present, whatever else the case says: it never
depends on the posteriors, so no other finding can outweigh it. A cause whose
own urgency is above routine also raises the level once its posterior reaches
the threshold for that urgency (knowledge/model.yaml `triage.cause_thresholds`).
So do the causes of an urgency together: the chance that a case needs at least
that level of care is the sum of the posteriors of every cause that urgent or
more, and several causes each below the threshold can pass it together
(appendicitis 10% and Guillain-Barre 7% make an emergency 17% probable). Only
the causes the case's findings made more probable (posterior above prior) count
in that sum: with no finding, or findings that point elsewhere, the urgent
causes' prior mass alone (several percent each, summed) would otherwise raise
every case ("smoker" alone was an emergency). Nor, in either rule, does a cause
the findings lifted only a little: its odds must have grown at least
`triage.cause_evidence`-fold (model.yaml says why: with flat priors, weak evidence
for several rare emergencies added up to an emergency for low back pain alone).

The cause ranked first also sets a floor (model.yaml `triage.leading_cause_floor` levels
below its urgency) when the findings raised it as much as either rule asks: Guillain-Barre
leading at 10% in a woman of 60 with tingling feet two weeks after a gastroenteritis, below its emergency
threshold, makes the case urgent, not routine.

"Made more probable" is measured against a case that reports nothing (`Reference`),
not against the bare priors. Where a case's silence counts (model.yaml `unmentioned`),
it weighs against the causes whose typical findings go unsaid, and so lifts those with
short tables: with the bare priors as the yardstick, "acute onset" alone lifted
appendicitis past the emergency threshold because the person said nothing else. The
silence shapes the ranking; only what the case reports raises its urgency.

A cause with presentations (knowledge base `presentations`) of another urgency than its
own is triaged as its components: each presentation's share of the cause's posterior,
P(cause, presentation | findings) = posterior x its posterior weight among the cause's
components (w_k exp L_k, normalised; scoring.py), counts at its own urgency, against its
share of the prior (prior x w_k). A psoas abscess explaining most of a case's visceral
referred pain is triaged as the emergency it is, not at the urgency of referred pain.

A red flag that needs exactly the findings of another is not repeated when the
other is at least as urgent (declared first among equals): saddle anaesthesia
raises its own emergency flag, and the same flag filed again under cauda equina,
radiculopathy, stenosis and constipation adds nothing but five near-identical
lines. The cause's study card (`gutnerve explain`) still lists it.

A cause whose file says when to suspect it (`suspect_when`: the findings its cited guidance
names, such as saddle numbness, sphincter trouble or leg weakness for cauda equina) counts
in neither rule unless the case has one of them, or a finding that implies one: the
deliberately flat priors make a rare emergency look a few percent likely, and silence
about one's other leg left back pain with sciatica 14% "cauda equina", an emergency that no
guidance would send to hospital without those findings. Its red flags still apply.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from typing import NamedTuple

from gutnerve.model import Case, Cause, KnowledgeBase, Ranked, ScoredCause, Triage, TriageReason, by_rank_with_priors, raised


class Split(NamedTuple):
    """A cause triaged by its components: one with a presentation of another urgency."""

    cause_index: int  # the cause's index in kb.causes
    urgencies: tuple[str, ...]  # component k -> its urgency
    names: tuple[str, ...]  # component k -> what a reason calls it ("Cause as presentation")
    weights: tuple[float, ...]  # w_k: the components' shares of the cause's prior
    offset: int  # where its components' posterior weights start in a ranking's shares (Ranked.shares)


class Flags(NamedTuple):
    """The knowledge base's red flags and cause thresholds, compiled once for every case."""

    # a finding -> each red flag filed under it: (its place in kb.red_flags, the findings it needs,
    # its reason): triage looks up only the findings a case has
    by_finding: dict[str, tuple[tuple[int, frozenset[str], TriageReason], ...]]
    flagged: frozenset[str]  # the findings with a red flag filed under them (by_finding's keys)
    causes: dict[str, tuple[str, str]]  # cause id -> (its urgency, its name)
    lowest: float  # the lowest threshold: below it no cause passes one alone
    rank: dict[str, int]  # level -> its place, most urgent first
    by_urgency: dict[str, tuple[tuple[int, ...], frozenset[int]]]  # urgency with a threshold -> its causes'
    # indices in kb.causes order, as a tuple and as a set (split causes left out: see `split`)
    split: dict[str, Split]  # cause id -> its components, for the causes triaged by them
    # the split causes' components, as Ranked.parts_mass reads them: (cause index, place among the
    # shares, share of the prior, its urgency's place in `rank`), in `split` order
    parts: tuple[tuple[int, int, float, int], ...]
    # cause id -> its `suspect_when`, for the causes with one: (the findings that open it, one of
    # them or any finding implying it; those that then keep it shut), of which a case needs one
    # open and not shut for the cause's probability to count
    gates: dict[str, tuple[tuple[frozenset[str], frozenset[str]], ...]]
    gated: dict[str, int]  # the same causes' indices in kb.causes


class Reference(NamedTuple):
    """What triage measures a case's evidence against, for one (age, sex): the posteriors of a
    case that reports nothing (where silence counts, it is silent about everything)."""

    prior: list[float]  # each cause's, by index in kb.causes
    by_id: dict[str, float]  # the same, by cause id
    weights: dict[str, tuple[float, ...]]  # split cause -> its components' posterior weights there
    parts: tuple[tuple[int, int, float, int], ...]  # Flags.parts with those weights


def _references(kb: KnowledgeBase) -> dict[tuple[int | None, str | None], Reference | None]:
    return {}  # filled per (age, sex) by `reference`


def reference(kb: KnowledgeBase, case: Case) -> Reference | None:
    """The case's Reference, or None where no silence counts: the empty case's posteriors are then
    the priors themselves, and triage reads those from the ranking."""
    cache = kb.derived(_references)
    key = case.age, case.sex
    if key in cache:  # every case but the first of its age and sex
        return cache[key]
    from gutnerve.scoring import compile_tables, score

    found: Reference | None = None
    if kb.derived(compile_tables).unmentioned:
        silent = score(kb, Case(frozenset(), frozenset(), case.age, case.sex), detail=0)
        ids = list(kb.causes)
        prior = [silent.prior_and_posterior(i)[1] for i in range(len(ids))]
        flags = kb.derived(compile_flags)
        flat = silent.shares or ()
        weights = {cause_id: tuple(flat[s.offset : s.offset + len(s.weights)]) for cause_id, s in flags.split.items()}
        parts = tuple(
            (s.cause_index, s.offset + k, weights[cause_id][k], flags.rank[urgency])
            for cause_id, s in flags.split.items()
            for k, urgency in enumerate(s.urgencies)
        )
        found = Reference(prior, dict(zip(ids, prior, strict=True)), weights, parts)
    cache[key] = found
    return found


def _against(ref: Reference | None, cause_id: str, own_prior: float) -> float:
    """The prior a cause's posterior is measured against: the Reference's where silence counts,
    else the cause's own."""
    return own_prior if ref is None else ref.by_id[cause_id]


def echoes(kb: KnowledgeBase) -> frozenset[int]:
    """The red flags (places in kb.red_flags) that another flag on exactly the same findings
    makes redundant: it is more urgent, or as urgent and declared first."""
    levels = kb.settings.triage_levels
    kept: dict[frozenset[str], int] = {}  # the findings of a flag -> the flag shown for them
    for number, flag in enumerate(kb.red_flags):
        needs = frozenset(flag.findings)
        shown = kept.get(needs)
        if shown is None or levels.index(flag.level) < levels.index(kb.red_flags[shown].level):
            kept[needs] = number
    return frozenset(range(len(kb.red_flags))) - frozenset(kept.values())


def compile_flags(kb: KnowledgeBase) -> Flags:
    by_finding = {}
    redundant = echoes(kb)
    for finding, flags in kb.red_flags_by_finding.items():
        entries = []
        for number, flag in flags:
            if number in redundant:
                continue
            kind = "finding" if flag.findings == (flag.origin,) else "red-flag"
            entries.append(
                (number, frozenset(flag.findings), TriageReason(flag.level, flag.message, f"{kind}:{flag.origin}", flag.basis))
            )
        if entries:
            by_finding[finding] = tuple(entries)
    thresholds = kb.settings.cause_thresholds
    causes = {cause.id: (cause.urgency, cause.name) for cause in kb.causes.values()}
    from gutnerve.scoring import compile_tables

    offsets, at = {}, 0  # cause index -> its first component's place among the mixtures' shares
    for mixture in kb.derived(compile_tables).mixtures:
        offsets[mixture.cause] = at
        at += len(mixture.columns)
    split = {
        cause.id: _split(index, cause, offsets[index])
        for index, cause in enumerate(kb.causes.values())
        if cause.triaged_by_presentations
    }
    levels = kb.settings.triage_levels
    by_urgency = {}
    for urgency in thresholds:
        indices = tuple(i for i, cause in enumerate(kb.causes.values()) if cause.urgency == urgency and cause.id not in split)
        by_urgency[urgency] = (indices, frozenset(indices))
    rank = {level: levels.index(level) for level in levels}
    parts = tuple(
        (cause.cause_index, cause.offset + k, weight, rank[urgency])
        for cause in split.values()
        for k, (urgency, weight) in enumerate(zip(cause.urgencies, cause.weights, strict=True))
    )
    gates = {
        cause.id: tuple((_opening(kb, finding), frozenset(unless)) for finding, unless in cause.suspect_when.any)
        for cause in kb.causes.values()
        if cause.suspect_when is not None
    }
    gated = {cause_id: index for index, cause_id in enumerate(kb.causes) if cause_id in gates}
    lowest = min(thresholds.values(), default=1.0)
    return Flags(by_finding, frozenset(by_finding), causes, lowest, rank, by_urgency, split, parts, gates, gated)


def _opening(kb: KnowledgeBase, named: str) -> frozenset[str]:
    """The finding named and every finding that implies it (foot drop: leg weakness)."""
    return frozenset([named]) | frozenset(f.id for f in kb.findings.values() if named in f.implies)


def _closed(flags: Flags, present: frozenset[str]) -> frozenset[str]:
    """The causes whose probability this case may not count: none of their `suspect_when` entries
    present (or each one present with one of its `unless`)."""
    if not flags.gates:
        return frozenset()
    return frozenset(
        cause_id
        for cause_id, entries in flags.gates.items()
        if all(present.isdisjoint(opens) or not present.isdisjoint(shut) for opens, shut in entries)
    )


def _split(index: int, cause: Cause, offset: int) -> Split:
    from gutnerve.report import in_sentence

    names = (cause.name, *(f"{cause.name} as {in_sentence(p.name)}" for p in cause.presentations))
    urgencies = tuple(cause.component_urgency(k) for k in range(cause.components))
    return Split(index, urgencies, names, cause.weights, offset)


Parts = list[tuple[str, str, float, float]]  # (urgency, name, prior, posterior) of what triage weighs


class SplitCase:
    """The split causes for one case, worked out only as far as triage asks (a case an emergency
    red flag already settles needs none of it): each split cause's prior and posterior shared out
    by its components' prior and posterior weights (w_k exp L_k normalised), and the mass each
    urgency gets from them. The posterior weights are the ranking's, as scoring and the
    accelerator fold the components' columns (Ranked.shares), and the masses its sums
    (Ranked.parts_mass); records alone (a plain list of ScoredCause) have neither, and their
    shares are worked out from scoring's component scores."""

    __slots__ = ("_case", "_factor", "_flags", "_flat", "_kb", "_known", "_mass", "_ranked", "_ref", "_shares")

    def __init__(
        self, kb: KnowledgeBase, flags: Flags, case: Case, ranked: Sequence[ScoredCause], factor: float, ref: Reference | None
    ):
        self._kb, self._flags, self._case, self._factor, self._ref = kb, flags, case, factor, ref
        self._ranked: Ranked | None = None  # a ranking with shares: read from it
        self._known: dict[str, tuple[float, float]] = {}  # else each split cause's (prior, posterior)
        self._flat: Sequence[float] = ()  # its shares
        if isinstance(ranked, Ranked) and ranked.shares is not None:
            self._ranked, self._flat = ranked, ranked.shares
        elif isinstance(ranked, Ranked):
            at = ranked.prior_and_posterior
            self._known = {cause_id: at(split.cause_index) for cause_id, split in flags.split.items()}
        else:
            self._known = {s.cause_id: (s.prior, s.posterior) for s in ranked if s.cause_id in flags.split}
        self._shares: dict[str, Sequence[float]] = {}
        self._mass: list[float] | None = None  # by urgency's place in flags.rank

    def known(self, cause_id: str) -> tuple[float, float]:
        """The split cause's (prior, posterior)."""
        if self._ranked is not None:
            return self._ranked.prior_and_posterior(self._flags.split[cause_id].cause_index)
        return self._known[cause_id]

    def shares(self, cause_id: str) -> Sequence[float]:
        """The split cause's components' posterior weights for the case."""
        shares = self._shares.get(cause_id)
        if shares is None:
            split = self._flags.split[cause_id]
            if self._ranked is not None:
                shares = self._flat[split.offset : split.offset + len(split.weights)]
            else:
                from gutnerve.scoring import component_scores

                shares = _normalised_exp(component_scores(self._kb, self._kb.causes[cause_id], self._case))
            self._shares[cause_id] = shares
        return shares

    def mass(self, urgency: str) -> float:
        """The summed posterior of the split causes' components of this urgency that the findings
        raised (`raised`, by triage.cause_evidence), added in flags.parts order."""
        if self._mass is None:
            flags, factor = self._flags, self._factor
            ref = self._ref
            if self._ranked is not None:
                parts, against = (flags.parts, None) if ref is None else (ref.parts, ref.prior)
                self._mass = self._ranked.parts_mass(parts, len(flags.rank), factor, against)
            else:
                self._mass = mass = [0.0] * len(flags.rank)
                for cause_id in flags.split:
                    if cause_id not in self._known:
                        continue
                    prior, posterior = self._known[cause_id]
                    prior = _against(ref, cause_id, prior)
                    for level, _, part_prior, part in _parts(flags, self, cause_id, prior, posterior, ref):
                        if raised(part, part_prior, factor):  # level, not `urgency`: that is the one asked for
                            mass[flags.rank[level]] += part
        return self._mass[self._flags.rank[urgency]]


def _normalised_exp(values: list[float]) -> list[float]:
    """exp of each value over the sum of them all (a softmax), taken from the largest."""
    peak = max(values)
    odds = [math.exp(value - peak) for value in values]
    total = math.fsum(odds)
    return [value / total for value in odds]


def _parts(flags: Flags, split: SplitCase, cause_id: str, prior: float, posterior: float, ref: Reference | None) -> Parts:
    """(urgency, name, prior, posterior) of what triage weighs for a split cause: its components
    (any other cause is weighed as itself). With a Reference, `prior` is the cause's there, and
    so are its components' weights."""
    cause = flags.split[cause_id]
    weights = cause.weights if ref is None else ref.weights[cause_id]
    return [
        (urgency, name, prior * weight, posterior * share)
        for urgency, name, weight, share in zip(cause.urgencies, cause.names, weights, split.shares(cause_id), strict=True)
    ]


def _weighed(
    flags: Flags, split: SplitCase | None, ref: Reference | None, cause_id: str, bare_prior: float, posterior: float
) -> Parts:
    """(urgency, name, prior, posterior) of what triage weighs for one cause: a split cause's
    components, any other cause as itself; the prior is the cause's against the Reference if any."""
    prior = _against(ref, cause_id, bare_prior)
    if split is not None and cause_id in flags.split:
        return _parts(flags, split, cause_id, prior, posterior, ref)
    urgency, name = flags.causes[cause_id]
    return [(urgency, name, prior, posterior)]


def triage(kb: KnowledgeBase, case: Case, ranked: Sequence[ScoredCause]) -> Triage:
    flags = kb.derived(compile_flags)
    present = case.present
    # sorted: in declaration order, whatever the order of the case's findings
    by_finding = flags.by_finding
    fired = sorted([entry for finding in present & flags.flagged for entry in by_finding[finding] if entry[1] <= present])
    reasons: list[TriageReason] = []
    seen: set[str] = set()
    for _, _, reason in fired:
        if reason.message not in seen:
            seen.add(reason.message)
            reasons.append(reason)
    factor = kb.settings.triage_evidence
    thresholds = kb.settings.cause_thresholds
    ref = reference(kb, case)
    split = SplitCase(kb, flags, case, ranked, factor, ref) if flags.split else None
    closed = _closed(flags, present)
    for cause_id, bare_prior, posterior in by_rank_with_priors(ranked):
        if posterior < flags.lowest:
            break  # ranked is most probable first: no later cause passes a threshold alone
        if cause_id in closed:
            continue
        for urgency, name, part_prior, part in _weighed(flags, split, ref, cause_id, bare_prior, posterior):
            threshold = thresholds.get(urgency)
            if threshold is not None and part >= threshold and raised(part, part_prior, factor):
                message = f"{name} is {part:.0%} probable and needs {urgency} attention."
                reasons.append(TriageReason(urgency, message, f"cause:{cause_id}"))
    reasons += _together(kb, flags, ranked, reasons, split, ref, closed)
    reasons += _leading(kb, flags, ranked, reasons, split, ref, closed)  # last: only where nothing else reaches its floor
    if len(reasons) > 1:
        rank = flags.rank
        reasons.sort(key=lambda reason: rank[reason.level])
    level = reasons[0].level if reasons else kb.settings.triage_levels[-1]
    return Triage(level, tuple(reasons))


def _leading(
    kb: KnowledgeBase,
    flags: Flags,
    ranked: Sequence[ScoredCause],
    reasons: list[TriageReason],
    split: SplitCase | None,
    ref: Reference | None,
    closed: frozenset[str],
) -> list[TriageReason]:
    """The floor the most probable cause sets (model.yaml `triage.leading_cause_floor`), when it is
    above the level `reasons` reach: that many levels below the cause's urgency, if the findings
    raised it as a cause must be raised to count for triage. A split cause is weighed by its most
    probable component."""
    below = kb.settings.leading_floor
    first = next(iter(by_rank_with_priors(ranked)), None)
    if below is None or first is None or first[0] in closed:
        return []
    cause_id, bare_prior, posterior = first
    parts = _weighed(flags, split, ref, cause_id, bare_prior, posterior)
    urgency, name, part_prior, part = max(parts, key=lambda weighed: weighed[3])
    levels, rank = kb.settings.triage_levels, flags.rank
    floor = levels[min(rank[urgency] + below, len(levels) - 1)]
    reached = min([rank[reason.level] for reason in reasons], default=len(levels) - 1)
    if rank[floor] >= reached or not raised(part, part_prior, kb.settings.triage_evidence):
        return []
    message = (
        f"{name}, the most probable cause ({part:.0%}), needs {urgency} attention: {floor} care at least until it is ruled out."
    )
    return [TriageReason(floor, message, f"leading:{cause_id}")]


def _mass(
    flags: Flags,
    ranked: Sequence[ScoredCause],
    urgency: str,
    factor: float,
    split: SplitCase | None,
    ref: Reference | None,
    closed: frozenset[str],
) -> float:
    """The summed posterior of the causes (and split causes' components) of this urgency that the
    findings made more probable, their odds at least `factor`-fold (read by cause index from a
    Ranked, which makes no record per cause), leaving out the `closed` causes (never split ones)."""
    extra = split.mass(urgency) if split is not None else 0.0
    if isinstance(ranked, Ranked):
        indices, members = flags.by_urgency[urgency]
        shut = members.intersection(flags.gated[cause_id] for cause_id in closed)
        if shut:
            indices = tuple(i for i in indices if i not in shut)
            members = members - shut
        return ranked.raised_total(indices, members, factor, None if ref is None else ref.prior) + extra
    causes = flags.causes
    whole = [
        scored.posterior
        for scored in ranked
        if scored.cause_id not in flags.split
        and scored.cause_id not in closed
        and causes[scored.cause_id][0] == urgency
        and raised(scored.posterior, _against(ref, scored.cause_id, scored.prior), factor)
    ]
    return math.fsum(whole) + extra


def _together(
    kb: KnowledgeBase,
    flags: Flags,
    ranked: Sequence[ScoredCause],
    reasons: list[TriageReason],
    split: SplitCase | None,
    ref: Reference | None,
    closed: frozenset[str],
) -> list[TriageReason]:
    """The most urgent level, above those `reasons` set, whose causes with every more urgent
    cause pass its threshold together: P(the case needs that care) is their summed posterior."""
    rank = flags.rank
    reached = min([rank[reason.level] for reason in reasons], default=len(rank))
    if reached == 0:  # already the most urgent level: nothing to add
        return []
    thresholds = kb.settings.cause_thresholds
    factor = kb.settings.triage_evidence
    total = 0.0
    for level in kb.settings.triage_levels:  # most urgent first
        if level not in thresholds or rank[level] >= reached:
            break
        total += _mass(flags, ranked, level, factor, split, ref, closed)  # only as far as the walk goes: the last
        # urgency with a threshold has most causes
        if total >= thresholds[level]:
            urgencies = {u for u in thresholds if rank[u] <= rank[level]}
            shown, more = _most_probable(flags, ranked, urgencies, factor, split, ref, closed)
            listed = ", ".join(f"{name} {posterior:.0%}" for name, posterior in shown) + (", ..." if more else "")
            message = f"Causes needing {level} attention that the findings make more likely are together {total:.0%} probable ({listed})."
            return [TriageReason(level, message, f"causes:{level}")]
    return []


def _most_probable(
    flags: Flags,
    ranked: Sequence[ScoredCause],
    urgencies: set[str],
    factor: float,
    split: SplitCase | None,
    ref: Reference | None,
    closed: frozenset[str],
    count: int = 3,
) -> tuple[list[tuple[str, float]], bool]:
    """(name, posterior) of the `count` most probable causes (or split causes' components) of these
    urgencies that the findings made more probable, and whether there are more: ranked is most
    probable first, and no component is more probable than its cause, so the walk usually stops
    after a few causes."""
    best: list[tuple[float, int, str]] = []  # (-posterior, number found, name) of the first `count` so far, sorted
    found = 0  # parts found: equals keep the order they were found in (rank order)
    for cause_id, bare_prior, posterior in by_rank_with_priors(ranked):
        if found > count and posterior < -best[-1][0]:
            break  # nothing later can enter the first `count`, and there are more
        if cause_id in closed:
            continue
        for urgency, name, part_prior, part in _weighed(flags, split, ref, cause_id, bare_prior, posterior):
            if urgency in urgencies and raised(part, part_prior, factor):
                found += 1
                if len(best) < count or part > -best[-1][0]:
                    bisect.insort(best, (-part, found, name))
                    del best[count:]
        if split is None and found > count:
            break
    return [(name, -negative) for negative, _, name in best], found > count


def watch_for(kb: KnowledgeBase, case: Case, ranked: Sequence[ScoredCause], level: str, top: int = 3) -> list[tuple[str, str]]:
    """(finding, level) of each finding the case does not answer that alone would raise its triage above
    `level`, the case's: one that completes a red flag of the `top` most probable causes, or of a finding
    one of them lists; or one that would let a leading cause's probability count (`suspect_when`), when
    the case with it, scored again, is more urgent. What to watch for, most urgent first (knowledge-base
    order within a level): "routine" back pain with sciatica is an emergency once saddle numbness
    appears, and recent surgery with deep vein thrombosis ranked first once a leg swells."""
    flags = kb.derived(compile_flags)
    rank = flags.rank
    leading = [kb.causes[s.cause_id] for s in ranked[:top]]
    answered = case.present | case.absent
    best: dict[str, str] = {}  # finding -> the most urgent level it would make
    for wanted, raised_to in [
        *_completers(flags, case, leading, level, answered),
        *_openers(kb, flags, case, leading, level, answered),
    ]:
        if wanted not in best or rank[raised_to] < rank[best[wanted]]:
            best[wanted] = raised_to
    order = {finding: number for number, finding in enumerate(kb.findings)}
    return sorted(best.items(), key=lambda item: (rank[item[1]], order[item[0]]))


def _completers(flags: Flags, case: Case, leading: list[Cause], level: str, answered: frozenset[str]) -> list[tuple[str, str]]:
    """(finding, level) for each unanswered finding that alone completes a red flag more urgent than
    `level`: one of a leading cause's, or one filed under a finding a leading cause lists. No scoring."""
    rank = flags.rank
    origins = {cause.id for cause in leading}
    listed = {link.finding for cause in leading for link in cause.findings}
    out = []
    for entries in flags.by_finding.values():  # each red flag once, filed under one of its findings
        for _, needs, reason in entries:
            missing = needs - case.present
            if len(missing) != 1 or rank[reason.level] >= rank[level]:
                continue
            (wanted,) = missing
            kind, origin = reason.trigger.split(":", 1)
            relevant = origin in origins if kind == "red-flag" else origin in listed
            if wanted not in answered and relevant:
                out.append((wanted, reason.level))
    return out


def _openers(
    kb: KnowledgeBase, flags: Flags, case: Case, leading: list[Cause], level: str, answered: frozenset[str]
) -> list[tuple[str, str]]:
    """(finding, level) for each unanswered `suspect_when` finding of a leading cause whose probability
    this case may not count (`_closed`) and whose urgency is above `level`: the level the case would
    have with that finding too. The finding changes the ranking, so the case is scored again, a few
    times at most (a terminal's `assess` only)."""
    closed = _closed(flags, case.present)
    rank = flags.rank
    wanted = [
        finding
        for cause in leading
        if cause.id in closed and cause.suspect_when is not None and rank[cause.urgency] < rank[level]
        for finding, unless in cause.suspect_when.any
        if finding not in answered and case.present.isdisjoint(unless)
    ]
    if not wanted:
        return []
    from gutnerve.scoring import score

    out = []
    for finding in dict.fromkeys(wanted):  # once each, in order
        more = case._replace(present=case.present | {finding})
        raised_to = triage(kb, more, score(kb, more, detail=0)).level
        if rank[raised_to] < rank[level]:
            out.append((finding, raised_to))
    return out
