"""A presentation's own urgency (knowledge base `presentations[].urgency`): validated like a red
flag's level, shown on the card and on the row that explains the cause as it, and weighed by
triage as that presentation's share of the cause's posterior (gutnerve/triage.py)."""

from __future__ import annotations

import math
import random

import pytest

from gutnerve import make_case
from gutnerve.api import assess_case
from gutnerve.knowledge import KnowledgeBaseError, load, validate
from gutnerve.model import Case, KnowledgeBase, raised
from gutnerve.report import assessment_dict, cause_dict
from gutnerve.scoring import component_scores, counted, score
from gutnerve.triage import SplitCase, compile_flags, reference, triage

from .conftest import edit, with_cause
from .test_presentations import MIX_KB, SFN, broken

OWN = (
    "    note: Illustrative, for the mixture example of docs/method.md.\n",
    "    note: Illustrative, for the mixture example of docs/method.md.\n"
    "    urgency: urgent\n    urgency_basis: judgement\n    urgency_note: Illustrative.\n",
)


@pytest.fixture(scope="module")
def urgent_mix(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The mixture fixture with its presentation (SFN with gut dysmotility) needing urgent care,
    its cause routine."""
    return load(broken(tmp_path_factory.mktemp("urgent"), *OWN), use_cache=False)


def test_the_presentation_loads_its_urgency(urgent_mix):
    cause = urgent_mix.causes["small-fiber-neuropathy"]
    (presentation,) = cause.presentations
    assert (presentation.urgency, presentation.urgency_basis, presentation.urgency_note) == (
        "urgent",
        "judgement",
        "Illustrative.",
    )
    assert [cause.component_urgency(k) for k in range(cause.components)] == ["routine", "urgent"]
    plain = load(MIX_KB, use_cache=False).causes["small-fiber-neuropathy"]
    assert plain.presentations[0].urgency is None and plain.component_urgency(1) == "routine"  # inherited


@pytest.mark.parametrize(
    ("new", "fragment"),
    [
        (OWN[1].replace("urgent\n", "whenever\n"), "unknown urgency 'whenever'"),
        (OWN[1].replace("urgent\n", "routine\n"), "urgency 'routine' is the cause's own"),
        (OWN[1].replace("    urgency_basis: judgement\n", ""), "`urgency` needs an `urgency_basis`"),
        (OWN[1].replace("    urgency_note: Illustrative.\n", ""), "its urgency rests on judgement without an `urgency_note`"),
        (
            OWN[1].replace("urgency_basis: judgement", "urgency_basis: nowhere-2020"),
            "(urgency) cites unknown source `nowhere-2020`",
        ),
        (OWN[0] + "    urgency_note: Illustrative.\n", "`urgency_note` without `urgency`"),
    ],
)
def test_a_broken_presentation_urgency_is_refused(tmp_path, new, fragment):
    root = broken(tmp_path, OWN[0], new)
    messages = [i.one_line() for i in validate(root)]
    assert any(fragment in m and m.startswith(f"kb/{SFN}") for m in messages), messages
    with pytest.raises(KnowledgeBaseError):
        load(root, use_cache=False)


def test_a_cited_urgency_validates(tmp_path):
    root = broken(tmp_path, OWN[0], OWN[1].replace("urgency_basis: judgement", "urgency_basis: example-a"))
    assert validate(root) == []


@pytest.mark.parametrize("dense", [True, False])
def test_the_components_shares_are_scorings_posterior_weights(kb, monkeypatch, dense):
    """Triage's shares of a split cause (the ranking's, folded with the components' columns; from
    scoring's component scores for plain records) are the components' posterior weights
    w_k exp(L_k), normalised, for random cases, on dense and sparse scoring; so is each urgency's
    mass of the split causes' components."""
    from gutnerve import scoring

    if not dense:
        monkeypatch.setattr(scoring, "DENSE_CAUSES", 0)
    levels = kb.settings.triage_levels
    for cause in [c for c in kb.causes.values() if c.presentations]:  # every presentation of another urgency
        other = levels[(levels.index(cause.urgency) + 1) % len(levels)]
        kb = with_cause(kb, cause.id, presentations=tuple(p._replace(urgency=other) for p in cause.presentations))
    assert kb.derived(scoring.compile_tables).dense == dense
    flags = compile_flags(kb)
    assert len(flags.split) >= 10
    rng = random.Random(11)
    findings = sorted(kb.findings)
    factor = kb.settings.triage_evidence
    for _ in range(150):
        chosen = rng.sample(findings, rng.randint(0, 8))
        cut = rng.randint(0, len(chosen))
        case = make_case(kb, chosen[:cut], chosen[cut:])
        ranked = score(kb, case)
        assert ranked.shares is not None
        ref = reference(kb, case)
        found = SplitCase(kb, flags, case, ranked, factor, ref)  # the ranking's shares
        records = SplitCase(kb, flags, case, list(ranked), factor, ref)  # scoring's component scores
        mass: dict[str, float] = {}
        scored = {s.cause_id: s for s in ranked}
        # what "made more probable" is measured against: a case of that age and sex that reports nothing
        empty = Case(frozenset(), frozenset(), case.age, case.sex)
        nothing = {s.cause_id: s.posterior for s in score(kb, empty)}
        for cause_id in flags.split:
            values = component_scores(kb, kb.causes[cause_id], counted(kb, case))
            peak = max(values)
            expected = [math.exp(v - peak) / math.fsum(math.exp(u - peak) for u in values) for v in values]
            assert found.shares(cause_id) == pytest.approx(expected, rel=1e-9, abs=1e-12)
            assert records.shares(cause_id) == pytest.approx(expected, rel=1e-9, abs=1e-12)
            prior, posterior = scored[cause_id].prior, scored[cause_id].posterior
            assert found.known(cause_id) == records.known(cause_id) == (prior, posterior)
            cause = kb.causes[cause_id]
            values = component_scores(kb, cause, empty)
            before = [math.exp(v) / math.fsum(math.exp(u) for u in values) for v in values]
            for k, share in enumerate(expected):
                if raised(posterior * share, nothing[cause_id] * before[k], factor):
                    urgency = cause.component_urgency(k)
                    mass[urgency] = mass.get(urgency, 0.0) + posterior * share
        for split in (found, records):  # each urgency's share of the split causes
            assert {u: split.mass(u) for u in mass} == pytest.approx(mass, rel=1e-9, abs=1e-15)


def test_the_most_probable_named_are_the_first_by_posterior(kb):
    """The causes and components a together reason names: the `count` most probable parts of its
    urgencies that the findings raised, rank order among equals, and whether there are more, as
    sorting every part gives them, from a ranking and from its records, with and without split
    causes."""
    from gutnerve.triage import _most_probable

    levels = kb.settings.triage_levels
    split_kb = kb
    for cause in [c for c in kb.causes.values() if c.presentations]:
        other = levels[(levels.index(cause.urgency) + 1) % len(levels)]
        split_kb = with_cause(split_kb, cause.id, presentations=tuple(p._replace(urgency=other) for p in cause.presentations))
    plain = load(MIX_KB, use_cache=False)
    rng = random.Random(23)
    walked = 0
    for base in (split_kb, plain):
        flags = compile_flags(base)
        assert bool(flags.split) == (base is split_kb)
        factor = base.settings.triage_evidence
        findings = sorted(base.findings)
        for _ in range(120):
            chosen = rng.sample(findings, rng.randint(0, min(8, len(findings))))
            cut = rng.randint(0, len(chosen))
            case = make_case(base, chosen[:cut], chosen[cut:])
            ranked = score(base, case)
            for ranking in (ranked, list(ranked)):
                ref = reference(base, case)
                split = SplitCase(base, flags, case, ranking, factor, ref) if flags.split else None
                parts = []
                for scored in ranking:
                    prior = scored.prior if ref is None else ref.by_id[scored.cause_id]
                    if scored.cause_id in flags.split:
                        cause = flags.split[scored.cause_id]
                        shares = split.shares(scored.cause_id)
                        weights = cause.weights if ref is None else ref.weights[scored.cause_id]
                        for k, urgency in enumerate(cause.urgencies):
                            part = (urgency, cause.names[k], prior * weights[k], scored.posterior * shares[k])
                            parts.append(part)
                    else:
                        urgency, name = flags.causes[scored.cause_id]
                        parts.append((urgency, name, prior, scored.posterior))
                for last in range(len(levels)):
                    urgencies = set(levels[: last + 1])
                    for count in (1, 3):
                        kept = [(n, p) for u, n, q, p in parts if u in urgencies and raised(p, q, factor)]
                        kept.sort(key=lambda entry: -entry[1])  # stable: rank order among equals
                        expected = (kept[:count], len(kept) > count)
                        assert _most_probable(flags, ranking, urgencies, factor, split, ref, frozenset(), count) == expected
                        walked += len(kept) > count
    assert walked > 100  # more than `count` found, often


def brute_parts(kb: KnowledgeBase, cause_id: str, findings: list[str]) -> list[tuple[float, float]]:
    """(prior, posterior) of each component of a cause, from the definition: the cause's posterior
    times the component's posterior weight, its prior times the component's share."""
    case = make_case(kb, findings, [])
    scored = {s.cause_id: s for s in score(kb, case)}[cause_id]
    values = component_scores(kb, kb.causes[cause_id], counted(kb, case))
    total = math.fsum(math.exp(v) for v in values)
    weights = kb.causes[cause_id].weights
    return [(scored.prior * w, scored.posterior * math.exp(v) / total) for w, v in zip(weights, values, strict=True)]


def test_a_presentation_of_its_own_urgency_raises_triage_by_its_share(urgent_mix):
    """Burning feet with diarrhoea and weight loss: small fiber neuropathy (routine) is explained
    mostly as its gut-dysmotility presentation (urgent here), whose share of the posterior passes
    the urgent threshold and so raises the level, named as that presentation; without its own
    urgency the same case stays routine."""
    findings = ["burning-feet", "diarrhea", "weight-loss"]
    (_, _), (prior, posterior) = brute_parts(urgent_mix, "small-fiber-neuropathy", findings)
    threshold = urgent_mix.settings.cause_thresholds["urgent"]
    assert posterior >= threshold  # the worked case passes by the presentation's share alone
    case = make_case(urgent_mix, findings, [])
    result = triage(urgent_mix, case, score(urgent_mix, case))
    assert result.level == "urgent"
    (reason,) = [r for r in result.reasons if r.trigger == "cause:small-fiber-neuropathy"]
    name = "Small fiber neuropathy as small fiber neuropathy with gut dysmotility (illustrative)"
    assert reason.message == f"{name} is {posterior:.0%} probable and needs urgent attention."
    plain = load(MIX_KB, use_cache=False)
    assert triage(plain, case, score(plain, case)).level == "routine"


def test_the_together_rule_counts_each_components_share(urgent_mix):
    """The summed mass of an urgency counts a split cause's components at their own urgencies:
    lower the threshold so that only the sum can pass it, and the reason lists the presentation."""
    findings = ["burning-feet", "diarrhea", "weight-loss"]
    parts = brute_parts(urgent_mix, "small-fiber-neuropathy", findings)
    settings = urgent_mix.settings
    # the alone rule off (threshold above any share), the sum at exactly what the urgent part adds
    high = edit(settings, cause_thresholds={**settings.cause_thresholds, "urgent": 0.999})
    kb = edit(urgent_mix, settings=high)
    case = make_case(kb, findings, [])
    assert triage(kb, case, score(kb, case)).level != "urgent"
    mass = parts[1][1]
    low = edit(settings, cause_thresholds={**settings.cause_thresholds, "urgent": mass * 0.999, "emergency": 0.999})
    kb = edit(urgent_mix, settings=low)
    result = triage(kb, case, score(kb, case))
    assert result.level == "urgent"
    assert any("with gut dysmotility" in r.message for r in result.reasons if r.level == "urgent"), result.reasons


def test_the_row_and_the_card_show_the_presentations_urgency(urgent_mix):
    case = make_case(urgent_mix, ["burning-feet", "diarrhea", "weight-loss"], [])
    result = assessment_dict(urgent_mix, assess_case(urgent_mix, case))
    row = next(r for r in result["differential"] if r["id"] == "small-fiber-neuropathy")
    assert (row["presentation"], row["urgency"]) == ("with-gut-dysmotility", "urgent")
    typical = assessment_dict(urgent_mix, assess_case(urgent_mix, make_case(urgent_mix, ["burning-feet"], ["diarrhea"])))
    row = next(r for r in typical["differential"] if r["id"] == "small-fiber-neuropathy")
    assert (row["presentation"], row["urgency"]) == (None, "routine")
    (card,) = cause_dict(urgent_mix, urgent_mix.causes["small-fiber-neuropathy"])["presentations"]
    assert (card["urgency"], card["urgency_basis"], card["urgency_note"]) == ("urgent", "judgement", "Illustrative.")


def test_the_card_says_when_a_presentation_inherits_its_urgency():
    kb = load(MIX_KB, use_cache=False)
    (card,) = cause_dict(kb, kb.causes["small-fiber-neuropathy"])["presentations"]
    assert (card["urgency"], card["urgency_basis"], card["urgency_note"]) == ("routine", None, None)


def test_the_explain_card_prints_it(run, tmp_path):
    root = broken(tmp_path, *OWN)
    out = run("explain", "small-fiber-neuropathy", "--kb", str(root)).out
    # its level and what the level means; the working (urgency_note) stays in the JSON
    assert "Its own urgency: urgent (be seen by a clinician within 24-48 hours) [judgement]" in out
    assert "[judgement]: Illustrative." not in out
    card = run("explain", "small-fiber-neuropathy", "--kb", str(root), "--json").json()
    assert [p["urgency_note"] for p in card["presentations"] if p["urgency_basis"]] == ["Illustrative."]


def test_suspect_when_is_refused_on_a_cause_triaged_by_its_presentations(tmp_path):
    """Triage weighs such a cause as its components: a `suspect_when` on the whole cause would be
    ambiguous, so the validator refuses it (its other error, a routine cause, is beside the point)."""
    root = broken(tmp_path, *OWN)
    path = root / SFN
    path.write_text(path.read_text().replace("workup:\n", "suspect_when: {any: [numb-feet], basis: example-a}\nworkup:\n", 1))
    messages = [i.one_line() for i in validate(root)]
    wanted = "`suspect_when` on a cause whose presentations have urgencies of their own"
    assert any(wanted in m and m.startswith(f"kb/{SFN}") for m in messages), messages
