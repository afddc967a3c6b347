"""Pure data -> JSON-ready dicts, in the shape of the public contract.

These dicts are what `--json` prints and what the text renderer reads, so
the table a person sees and the JSON a script reads never disagree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, NamedTuple

from gutnerve.model import (
    Assessment,
    Case,
    Cause,
    Contribution,
    Finding,
    Implied,
    KnowledgeBase,
    Measured,
    RedFlag,
    ScoredCause,
    Source,
    SuspectWhen,
    TriageReason,
    split,
)

SCHEMA_VERSION = 1
DISCLAIMER = "Decision support only, not a diagnosis: discuss the results with a clinician."


def _round(value: float, places: int = 4) -> float:
    return round(value, places) + 0.0  # + 0.0 turns -0.0 into 0.0


def likelihood_ratios(frequency: float, background: float) -> dict[str, float]:
    """A cause's entry for a finding as the two ratios scoring uses: if present, if known absent."""
    return {
        "likelihood_ratio": _round(frequency / background, 3),
        "likelihood_ratio_absent": _round((1.0 - frequency) / (1.0 - background), 3),
    }


class ReportTables(NamedTuple):
    """What a result object reads that depends only on the knowledge base, built as first needed."""

    causes: dict[str, tuple[str, str, str, tuple[str, ...]]]  # cause id -> name, urgency, mechanism, first-line tests
    entries: Entries  # a contribution -> its for/against entry
    tests: dict[str, dict[str, Any]]  # test id -> its fields in the workup plan
    # cause id -> presentation id -> its name (None -> None: the typical one), for the causes with
    # presentations: their rows name the presentation explained (empty: no cause has any)
    presentations: dict[str, dict[str | None, str | None]]


class Entries(dict[Contribution, dict[str, Any]]):
    """A contribution's for/against entry, made when first asked for: it depends on nothing
    else, so it is shared by every cause and case with that contribution (and copied into each result)."""

    def __init__(self, kb: KnowledgeBase):
        super().__init__()
        self.kb = kb

    def __missing__(self, part: Contribution) -> dict[str, Any]:
        entry = self[part] = {
            "finding": part.finding,
            "label": self.kb.findings[part.finding].label,
            "present": part.present,
            "weight": _round(part.weight, 3),
            "likelihood_ratio": _round(part.likelihood / part.background, 3),
            "explained": part.explained,
        }
        return entry


def _tables(kb: KnowledgeBase) -> ReportTables:
    tests = {t.id: {"test": t.id, "name": t.name, **({"loinc": t.loinc} if t.loinc else {})} for t in kb.tests.values()}
    presentations = {c.id: {None: None, **{p.id: p.name for p in c.presentations}} for c in kb.causes.values() if c.presentations}
    return ReportTables({}, Entries(kb), tests, presentations)  # causes are filled as shown: thousands of causes show few


def _cause_fields(kb: KnowledgeBase, cause_id: str) -> tuple[str, str, str, tuple[str, ...]]:
    cause = kb.causes[cause_id]
    return (cause.name, cause.urgency, cause.mechanism, tuple(kb.tests[s.test].name for s in cause.workup if s.line == "first"))


def assessment_dict(kb: KnowledgeBase, assessment: Assessment) -> dict[str, Any]:
    """The contract's result object (plus extra keys) for one assessment.

    Parts that depend only on the knowledge base are built once (`_tables`) and
    copied, so callers may modify the result freely.
    """
    causes, entries, tests, mixed = kb.derived(_tables)
    case = assessment.case
    differential = []
    for rank, scored in enumerate(assessment.shown, start=1):
        cause_id = scored.cause_id
        fields = causes.get(cause_id)
        if fields is None:
            fields = causes[cause_id] = _cause_fields(kb, cause_id)
        name, urgency, mechanism, workup = fields
        raising, lowering = split(scored.contributions)  # as scored.supporting and scored.opposing
        row = {
            "rank": rank,
            "id": cause_id,
            "name": name,
            "probability": round(scored.posterior, 4) + 0.0,  # as _round: inline, this runs for every row
            "prior": round(scored.prior, 4) + 0.0,
            "prior_factors": [{"reason": f.reason, "multiplier": f.multiplier} for f in scored.prior_factors],
            "urgency": urgency,
            "mechanism": mechanism,
            "for": [entries[part].copy() for part in raising],
            "against": [entries[part].copy() for part in lowering],
            "workup": list(workup),
        }
        if mixed and cause_id in mixed:
            row = with_presentation(row, scored.presentation, mixed[cause_id][scored.presentation])
            row["urgency"] = shown_urgency(kb.causes[cause_id], scored.presentation)
        differential.append(row)
    result: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
    if case.id is not None:
        result["id"] = case.id
    result["case"] = {
        "age": case.age,
        "sex": case.sex,
        "present": sorted(case.present),
        "absent": sorted(case.absent),
        "implied": [implied_dict(kb, item) for item in assessment.implied],
    }
    reasons = assessment.triage.reasons
    result["triage"] = {
        "level": assessment.triage.level,
        "reasons": [r.message for r in reasons],
        "triggers": trigger_dicts(kb, reasons),
    }
    result["differential"] = differential
    plan = assessment.plan
    result["workup"] = [tests[p.test]["name"] for p in plan]
    workup_plan = []
    for p in plan:
        item = tests[p.test].copy()
        item["line"] = p.line
        item["yield"] = round(p.yield_, 4) + 0.0
        item["causes"] = list(p.causes)
        workup_plan.append(item)
    result["workup_plan"] = workup_plan
    result["disclaimer"] = DISCLAIMER
    return result


def with_presentation(row: dict[str, Any], presentation: str | None, name: str | None) -> dict[str, Any]:
    """A differential row of a cause with presentations: the presentation whose reasons it shows
    (its id and name; None for the typical one), after "mechanism", before the reasons."""
    keys = list(row)
    at = keys.index("for")
    head = {key: row[key] for key in keys[:at]}
    return head | {"presentation": presentation, "presentation_name": name} | {key: row[key] for key in keys[at:]}


def shown_urgency(cause: Cause, presentation: str | None) -> str:
    """The urgency a differential row shows: that of the presentation it explains the cause as,
    when it has its own, else the cause's."""
    return cause.component_urgency(cause.component_of(presentation))


def in_sentence(label: str) -> str:
    """A finding's label inside a sentence: its first letter lower-cased, unless the label opens
    with an abbreviation ("IBD flare", "B12 ...") that must keep its capitals."""
    return label if label[1:2].isupper() or label[1:2].isdigit() else label[:1].lower() + label[1:]


def implied_dict(kb: KnowledgeBase, item: Implied) -> dict[str, Any]:
    """A reported finding that scoring did not count again, and why (scoring.nested)."""
    label, by = kb.findings[item.finding].label, kb.findings[item.by].label
    if item.present:
        message = f"{label}: counted within {by}, which implies it."
    else:
        message = f"No {in_sentence(label)}: counted within no {in_sentence(by)}, which implies it."
    return {"finding": item.finding, "present": item.present, "by": item.by, "message": message}


def understood_dict(reading: Any, raised: Mapping[str, str] | None = None) -> dict[str, Any]:
    """What `--text` understood (a gutnerve.freetext.Reading), shown before the differential.
    `raised`: the doubted findings (Reading.doubted_ids) whose presence would raise the triage, and to
    which level (questions.raised_by), so that a red flag said with doubt is never passed over in silence."""
    raised = raised or {}

    def mentions(items: Any) -> list[dict[str, Any]]:
        return [
            {
                "finding": m.finding,
                "phrase": m.phrase,
                **({"trigger": m.trigger} if m.trigger else {}),
                **({"doubt": m.doubt} if m.doubt else {}),
                **({"if_present_triage": raised[m.finding]} if m.uncertain and m.finding in raised else {}),
            }
            for m in items
        ]

    return {
        "text": reading.text,
        "present": mentions(reading.present),
        "absent": mentions(reading.absent),
        "uncertain": mentions(reading.uncertain),
        "unmatched": list(reading.unmatched),
        "suggestions": [{"phrase": phrase, "finding": finding} for phrase, finding in reading.suggestions],
        "ignored": list(reading.ignored),
        "quantities": list(reading.quantities),
        "age": reading.age,
        "sex": reading.sex,
    }


def error_dict(case_id: str | None, message: str) -> dict[str, Any]:
    return {"schema_version": SCHEMA_VERSION, "id": case_id, "error": message}


def cause_dict(kb: KnowledgeBase, cause: Cause) -> dict[str, Any]:
    links = sorted(cause.findings, key=lambda link: (-link.frequency, link.finding))
    return {
        "kind": "cause",
        "id": cause.id,
        "name": cause.name,
        "summary": cause.summary,
        "mechanism": cause.mechanism,
        "mechanism_description": kb.settings.mechanisms.get(cause.mechanism, ""),
        "mechanism_detail": cause.mechanism_detail,
        "gut_link": cause.gut_link,
        "area": cause.area,
        "severity": cause.severity,
        "course": cause.course,
        "urgency": cause.urgency,
        "prior": {
            "prevalence": cause.prior.prevalence,
            "basis": cause.prior.basis,
            "age": [{"min": b.min, "max": b.max, "factor": b.factor} for b in cause.prior.age],
            "sex": dict(cause.prior.sex),
        },
        "findings": [
            {
                "finding": link.finding,
                "label": kb.findings[link.finding].label,
                "frequency": link.frequency,
                "term": link.term,
                "background": kb.findings[link.finding].background,
                **likelihood_ratios(link.frequency, kb.findings[link.finding].background),
                "source": link.source,
                "note": link.note,
                **({"via": link.via} if link.via else {}),  # neutral once the case settles that finding
            }
            for link in links
        ],
        # only for a cause with presentations: the card of one without is as it was
        **(
            {"typical_share": _round(cause.weights[0], 6), "presentations": presentations_part(kb, cause)}
            if cause.presentations
            else {}
        ),
        "red_flags": [red_flag_dict(kb, f) for f in cause.red_flags],
        # only for a cause whose probability raises triage only with certain findings
        **({"suspect_when": suspect_when_part(kb, cause.suspect_when)} if cause.suspect_when else {}),
        **mimics_part(kb, cause.id),
        "workup": [
            {
                "test": s.test,
                "name": kb.tests[s.test].name,
                "line": s.line,
                "why": s.why,
                **({"loinc": kb.tests[s.test].loinc} if kb.tests[s.test].loinc else {}),
            }
            for s in cause.workup
        ],
        "management": cause.management,
        "icd10": list(cause.icd10),
        "sources": [source_dict(s) for s in cause.sources],
    }


def suspect_when_part(kb: KnowledgeBase, gate: SuspectWhen) -> dict[str, Any]:
    """When a cause's probability may raise triage: the findings (each with those that keep it
    from counting), and what says so."""
    return {
        "any": [
            {
                "finding": finding,
                "label": kb.findings[finding].label,
                "unless": [{"finding": other, "label": kb.findings[other].label} for other in unless],
            }
            for finding, unless in gate.any
        ],
        "basis": gate.basis,
        "note": gate.note,
    }


def presentations_part(kb: KnowledgeBase, cause: Cause) -> list[dict[str, Any]]:
    """A cause's presentations for its card: each with its share, what that rests on, and the
    entries that differ from the cause's own table (with the cause's own frequency beside each,
    `typical`, null where the cause does not list the finding)."""
    return [
        {
            "id": p.id,
            "name": p.name,
            "share": p.share,
            "source": p.source,
            "note": p.note,
            # how fast it needs seeing: its own urgency (with what says so) or, with null basis, the cause's
            "urgency": p.urgency or cause.urgency,
            "urgency_basis": p.urgency_basis or None,
            "urgency_note": p.urgency_note or None,
            "findings": [
                {
                    "finding": link.finding,
                    "label": kb.findings[link.finding].label,
                    "frequency": link.frequency,
                    "term": link.term,
                    "typical": own.frequency if (own := cause.link(link.finding)) is not None else None,
                    "background": kb.findings[link.finding].background,
                    "likelihood_ratio": _round(link.frequency / kb.findings[link.finding].background, 3),
                    "source": link.source,
                    "note": link.note,
                }
                for link in sorted(p.findings, key=lambda link: (-link.frequency, link.finding))
            ],
        }
        for p in cause.presentations
    ]


def finding_card(kb: KnowledgeBase, finding: Finding) -> dict[str, Any]:
    """`explain <finding>`: what a finding means and is asked as, how common it is and where that
    number comes from, its red flag, and how strongly it speaks for each cause (the likelihood
    ratios scoring uses: the causes that list it, strongest first, and those that do not)."""
    from gutnerve.scoring import compile_tables, listed_or_unexplained, unexplained_share

    def ratios(frequency: float) -> dict[str, float]:
        return likelihood_ratios(frequency, finding.background)

    listed: list[dict[str, Any]] = []
    unlisted: list[str] = []
    for cause in kb.causes.values():
        link = cause.link(finding.id)
        if link is None:
            unlisted.append(cause.id)
            continue
        entry = {"cause": cause.id, "name": cause.name, "frequency": link.frequency, "term": link.term}
        listed.append(entry | ratios(link.frequency) | {"source": link.source})
    listed.sort(key=lambda entry: (-entry["likelihood_ratio"], entry["cause"]))
    # the presentations that list the finding themselves (a key only when some do: the card of a
    # knowledge base without presentations is as it was)
    presentations: list[dict[str, Any]] = [
        {"cause": cause.id, "presentation": p.id, "name": p.name, "share": p.share, "frequency": link.frequency}
        | {"term": link.term}
        | ratios(link.frequency)
        | {"source": link.source}
        for cause in kb.causes.values()
        for p in cause.presentations
        for link in p.findings
        if link.finding == finding.id
    ]
    presentations.sort(key=lambda entry: (-entry["likelihood_ratio"], entry["cause"], entry["presentation"]))
    share = unexplained_share(kb.settings, finding)
    return {
        "kind": "finding",
        **_finding_fields(kb, finding),
        "implies": list(finding.implies),
        "implied_by": list(kb.derived(compile_tables).nesting.implied_by.get(finding.id, ())),
        **({"measured": [measured_dict(kb, m) for m in finding.measured]} if finding.measured else {}),
        "causes": listed,
        **({"presentations": presentations} if presentations else {}),
        "unlisted": {
            "causes": unlisted,
            "share": share,
            **ratios(listed_or_unexplained(kb.settings, finding, None)),
        },
    }


def measured_dict(kb: KnowledgeBase, measured: Measured) -> dict[str, Any]:
    """A value free text reads the finding by (findings.yaml `measured`): its names, each scale's
    units, range and bounds (null for an open end) with those for one sex where it has them, and
    what the numbers rest on."""

    def bounds(span: tuple[float, float]) -> dict[str, float | None]:
        return {"min": None if math.isinf(span[0]) else span[0], "max": None if math.isinf(span[1]) else span[1]}

    return {
        "names": list(measured.names),
        "scales": [
            {
                "units": list(s.units),
                "range": [s.low, s.high],
                "present": bounds(s.present),
                "absent": bounds(s.absent),
                **{sex: {"present": bounds(p), "absent": bounds(a)} for sex, p, a in s.by_sex},
            }
            for s in measured.scales
        ],
        "basis": measured.basis,
        "note": measured.note,
        "source": source_dict(kb.finding_sources.get(measured.basis)),
    }


def dated_dict(finding: Finding) -> dict[str, Any]:
    """What a time said with a finding reads in free text (findings.yaml `lasting`, `recent`), with
    null for no upper bound; nothing for a finding without either."""

    def bound(days: float) -> float | None:
        return None if math.isinf(days) else days

    dated: dict[str, Any] = {}
    if finding.lasting is not None:
        span = finding.lasting
        dated["lasting"] = {"min_days": span.min_days, "max_days": bound(span.max_days), "of": sorted(span.of)}
    if finding.recent is not None:
        window = finding.recent
        dated["recent"] = {"min_days": window.min_days, "max_days": bound(window.max_days), "since": list(window.since)}
    return dated


def source_dict(source: Source | None) -> dict[str, Any] | None:
    if source is None:
        return None
    return {
        "key": source.key,
        "cite": source.cite,
        "pmid": source.pmid,
        "doi": source.doi,
        "url": source.url,
        "link": source.link,
        "supports": source.supports,
    }


def red_flag_dict(kb: KnowledgeBase, flag: RedFlag) -> dict[str, Any]:
    """A red flag with what it rests on: `basis` is a source key of the file that declares it
    (its cause's `sources`, or findings.yaml's), or "judgement"; `source` is that source (None
    for judgement)."""
    return {
        "findings": list(flag.findings),
        "labels": [kb.findings[f].label for f in flag.findings],
        "level": flag.level,
        "message": flag.message,
        "basis": flag.basis,
        "source": source_dict(kb.source(flag.origin, flag.basis)),
        "note": flag.note,
    }


def watch_dicts(kb: KnowledgeBase, assessment: Assessment) -> list[dict[str, str]]:
    """What to watch for (triage.watch_for), for the person at a terminal: each finding whose
    appearance alone would raise the triage, with its label and the level it would make."""
    from gutnerve.triage import watch_for

    watched = watch_for(kb, assessment.case, assessment.ranked, assessment.triage.level)
    return [{"finding": finding, "label": kb.findings[finding].label, "level": level} for finding, level in watched]


def trigger_dicts(kb: KnowledgeBase, reasons: tuple[TriageReason, ...]) -> list[dict[str, Any]]:
    """What raised the triage level, each with what it rests on: a red flag's basis (a source key,
    or "judgement") and that source in brief; None for the posteriors of likely causes (model.yaml's
    thresholds) and for judgement."""
    return [
        {
            "level": r.level,
            "trigger": r.trigger,
            "message": r.message,
            "basis": r.basis or None,
            "source": _cited(kb.source(r.trigger.partition(":")[2], r.basis)),
        }
        for r in reasons
    ]


def _cited(source: Source | None) -> dict[str, str] | None:
    """A source in brief, to cite and to follow: its key, reference and link."""
    return None if source is None else {"key": source.key, "cite": source.cite, "link": source.link}


def mimics_part(kb: KnowledgeBase, cause_id: str) -> dict[str, Any]:
    """The cause's typical picture and the causes that explain it best, each with the findings
    that tell them apart (see gutnerve/mimics.py)."""
    from gutnerve.mimics import mimics, typical

    return {
        "typical": [{"finding": f, "label": kb.findings[f].label} for f in typical(kb.causes[cause_id])],
        "mimics": [
            {
                "id": mimic.cause,
                "name": kb.causes[mimic.cause].name,
                "resemblance": _round(mimic.resemblance, 3),
                "divergence": _round(mimic.divergence, 3),
                "telling": [
                    {
                        "finding": t.finding,
                        "label": kb.findings[t.finding].label,
                        "here": t.here,
                        "there": t.there,
                        "listed_here": t.listed_here,
                        "listed_there": t.listed_there,
                    }
                    for t in mimic.telling
                ],
            }
            for mimic in mimics(kb, cause_id)
        ],
    }


def findings_list(kb: KnowledgeBase) -> list[dict[str, Any]]:
    return [_finding_fields(kb, f) for f in kb.findings.values()]


def _finding_fields(kb: KnowledgeBase, f: Finding) -> dict[str, Any]:
    """What a finding's card and `findings --json` both say of it: its own fields, as findings.yaml has them."""
    return {
        "id": f.id,
        "label": f.label,
        "category": f.category,
        "meaning": f.meaning,
        "question": f.question,
        "hpo": f.hpo,
        "background": f.background,
        "background_basis": f.background_basis,
        "background_source": source_dict(kb.finding_sources.get(f.background_basis)),
        "red_flag": red_flag_dict(kb, f.red_flag) if f.red_flag else None,
        "synonyms": list(f.synonyms),
        "normal": list(f.normal),
        "suggests": list(f.suggests),
        "broader": list(f.broader),
        "broader_normal": list(f.broader_normal),
        "together": list(f.together),
        **dated_dict(f),
    }


def causes_list(kb: KnowledgeBase) -> list[dict[str, Any]]:
    return [
        {"id": c.id, "name": c.name, "mechanism": c.mechanism, "urgency": c.urgency, "prevalence": c.prior.prevalence}
        for c in kb.causes.values()
    ]


def ask_dict(kb: KnowledgeBase, case: Case, count: int) -> dict[str, Any]:
    """`assess --ask N`: the N unanswered questions worth most to the differential, and those whose
    yes would raise the triage level (see gutnerve/questions.py)."""
    from gutnerve.questions import ask

    asked = ask(kb, case, count)

    def answer(side: Any) -> dict[str, Any]:
        return {
            "probability": _round(side.probability),
            "top": [{"id": cause, "name": kb.causes[cause].name, "probability": _round(p)} for cause, p in side.top],
            "triage": side.level,
        }

    def question(item: Any) -> dict[str, Any]:
        finding = kb.findings[item.finding]
        return {
            "finding": item.finding,
            "label": finding.label,
            "question": finding.question,
            "information_gain_bits": _round(item.gain),
            "if_yes": answer(item.yes),
            "if_no": answer(item.no),
        }

    return {
        "entropy_bits": _round(asked.entropy),
        "triage": asked.level,
        "questions": [question(item) for item in asked.questions],
        "would_raise_triage": [question(item) for item in asked.raising],
    }


def why_dict(kb: KnowledgeBase, assessment: Assessment, cause_id: str) -> dict[str, Any]:
    """Why a cause ranks where it does (`assess --why`): its prior and each counted finding's
    likelihood ratio beside those of the cause ranked first (or second, when it is first).

    Posterior odds of the two = prior ratio x the product of the findings' ratios, so the
    "favours" column multiplies out to the ratio of their probabilities (a test checks it).
    A cause with presentations shows the findings' ratios in its chosen component's table
    (`presentation`), times `mixture_factor` = sum over k of w_k exp(L_k) / exp(L_chosen): its
    likelihood ratio over that component's product, so the product still multiplies out.
    """
    from gutnerve import scoring

    ranked = list(assessment.ranked)
    rank = {scored.cause_id: number for number, scored in enumerate(ranked, start=1)}
    by_id = {scored.cause_id: scored for scored in ranked}
    rival = next((s.cause_id for s in ranked if s.cause_id != cause_id), None)
    counted = scoring.counted(kb, assessment.case, assessment.implied)
    shown = [cid for cid in (cause_id, rival) if cid is not None]
    # each side's contributions, in the component the differential's row names (scoring chose it)
    parts = {
        cid: {c.finding: c for c in scoring.contributions(kb, kb.causes[cid], counted, component_of(kb, by_id[cid]))}
        for cid in shown
    }
    # then the findings whose silence counts (model.yaml `unmentioned`) for either of the two
    silent = [f for f in scoring.unmentioned(kb.derived(scoring.compile_tables), counted) if any(f in parts[c] for c in shown)]
    reported = sorted(counted.present) + sorted(counted.absent) + silent

    def said(finding_id: str) -> bool | None:
        return True if finding_id in counted.present else False if finding_id in counted.absent else None

    def side(cid: str) -> dict[str, Any]:
        cause = kb.causes[cid]
        scored = by_id[cid]
        component = component_of(kb, scored)
        result = {
            "id": cid,
            "name": cause.name,
            "rank": rank[cid],
            "probability": _round(scored.posterior),
            "prior": _round(scored.prior),
            "prior_factors": [{"reason": f.reason, "multiplier": f.multiplier} for f in scoring.prior_weight(cause, counted)[1]],
            "findings": [_why_finding(kb, cause, f, said(f), parts[cid].get(f), component) for f in reported],
        }
        if cause.presentations:  # the findings are those of one component: the mixture's factor completes them
            values = scoring.component_scores(kb, cause, counted)
            best = values[component]
            mixture = cause.weights[component] * math.fsum(math.exp(value - best) for value in values)
            presentation = cause.presentation_id(component)
            result["presentation"] = presentation
            result["presentation_name"] = None if presentation is None else cause.presentations[component - 1].name
            result["mixture_factor"] = _round(mixture, 4)
        return result

    return {"cause": side(cause_id), "versus": side(rival) if rival is not None else None}


def component_of(kb: KnowledgeBase, scored: ScoredCause) -> int:
    """The component of a cause whose reasons its differential row shows (0: its own table)."""
    return kb.causes[scored.cause_id].component_of(scored.presentation)


def _why_finding(
    kb: KnowledgeBase, cause: Cause, finding_id: str, present: bool | None, part: Contribution | None, component: int = 0
) -> dict[str, Any]:
    """One reported finding's weight for one cause (in one component's table), with where its
    frequency comes from; `present` None: a finding the case is silent about."""
    link = cause.component_link(component, finding_id)
    entry: dict[str, Any] = {
        "finding": finding_id,
        "label": kb.findings[finding_id].label,
        "present": present,
        "likelihood_ratio": _round(part.likelihood / part.background, 3) if part is not None else 1.0,
        "weight": _round(part.weight, 3) if part is not None else 0.0,
        "listed": link is not None,  # False: the cause does not list it (neutral, or mildly against)
    }
    if part is not None:
        entry["likelihood"] = _round(part.likelihood)  # P(finding as reported | cause)
        entry["background"] = _round(part.background)  # P(finding as reported | background)
    if link is not None:
        entry["source"] = link.source
        if part is None and link.via is not None:  # neutral: settled through the finding it goes via
            entry["via"] = link.via
    return entry
