"""Presentations: a cause scored as a mixture of its own table and its subtypes' (docs/method.md).

The worked example is in tests/test_scoring.py; here the mixture is checked against a brute-force
reading of the definition, the path without presentations against itself, and the validator."""

from __future__ import annotations

import math
import random
import shutil
from pathlib import Path

import pytest

from gutnerve import assess, fastline, make_case, scoring
from gutnerve.knowledge import KnowledgeBaseError, load, validate
from gutnerve.model import Case, Cause, FindingLink, KnowledgeBase, Presentation
from gutnerve.scoring import (
    chosen_component,
    component_scores,
    contributions,
    counted,
    frequency_in,
    log_likelihood,
    prior_weight,
    score,
    unexplained_share,
    unmentioned_share,
)

from .conftest import MINI_KB, edit, with_cause

MIX_KB = MINI_KB.parent / "mix-kb"
SFN = "causes/small-fiber-neuropathy.yaml"
needs_speedups = pytest.mark.skipif(fastline.extension() is None, reason="the compiled accelerator is not built")


@pytest.fixture(scope="module")
def mix() -> KnowledgeBase:
    return load(MIX_KB, use_cache=False)


def brute_score(kb: KnowledgeBase, cause: Cause, case: Case) -> tuple[float, int]:
    """ln prior + ln sum_k w_k prod LR_k, and the component of largest w_k prod LR_k (the first
    of those within rounding of it), straight from the definition (independent of scoring's
    tables); a link `via` a finding the case settles has LR 1."""
    case = counted(kb, case)
    # the findings the case settles: reported, implied by one present, implying one absent
    known = set(case.present | case.absent) | {g for f in case.present for g in kb.findings[f].implies}
    known |= {f.id for f in kb.findings.values() if case.absent.intersection(f.implies)}
    silent = [f for f in kb.findings.values() if unmentioned_share(kb.settings, f) > 0.0 and f.id not in known]
    terms = []
    for component, weight in enumerate(cause.weights):
        product = weight
        for finding_id in case.present | case.absent:
            finding = kb.findings[finding_id]
            link = cause.component_link(component, finding_id)
            if link is not None and link.via in known:  # listed via a finding the case settles: neutral
                continue
            p = link.frequency if link is not None else unexplained_share(kb.settings, finding) * finding.background
            present = finding_id in case.present
            product *= p / finding.background if present else (1.0 - p) / (1.0 - finding.background)
        for finding in silent:  # model.yaml `unmentioned`: the case's silence, where the component lists it
            link = cause.component_link(component, finding.id)
            if link is not None and link.via is None:
                share = unmentioned_share(kb.settings, finding)
                product *= (1.0 - share * link.frequency) / (1.0 - share * finding.background)
        terms.append(product)
    logs = [math.log(term) for term in terms]
    best = scoring.first_near_peak(logs, max(logs))  # the first within rounding of the largest
    return math.log(prior_weight(cause, case)[0]) + math.log(math.fsum(terms)), best


def link(finding: str, frequency: float) -> FindingLink:
    return FindingLink(finding, frequency, None, "judgement", "test")


def with_presentations(kb: KnowledgeBase, seed: int, count: int = 8) -> KnowledgeBase:
    """The knowledge base with 1-2 random presentations on `count` causes, some of another urgency
    than their cause (in memory: scoring and triage only, the validator is not asked)."""
    rng = random.Random(seed)
    findings = list(kb.findings)
    levels = kb.settings.triage_levels
    for cause_id in rng.sample(sorted(kb.causes), count):
        presentations = []
        for number in range(rng.randint(1, 2)):
            changed = rng.sample(findings, rng.randint(1, 6))
            links = tuple(link(f, rng.choice([0.005, 0.025, 0.17, 0.55, 0.9, 0.99])) for f in changed)
            share = rng.choice([0.03, 0.1, 0.3])
            urgency = rng.choice([None, *(u for u in levels if u != kb.causes[cause_id].urgency)])
            presentations.append(Presentation(f"p{number}", f"P{number}", share, "judgement", "", links, urgency))
        kb = with_cause(kb, cause_id, presentations=tuple(presentations))
    return kb


def test_the_fixture_loads_its_presentation(mix):
    (presentation,) = mix.causes["small-fiber-neuropathy"].presentations
    assert presentation.id == "with-gut-dysmotility"
    assert presentation.share == 0.2
    assert [(f.finding, f.frequency) for f in presentation.findings] == [("diarrhea", 0.55), ("weight-loss", 0.55)]
    cause = mix.causes["small-fiber-neuropathy"]
    assert cause.component_link(1, "burning-feet") == cause.link("burning-feet")  # inherited
    assert cause.component_link(1, "diarrhea").frequency == 0.55  # replaced
    assert cause.component_link(0, "diarrhea").frequency == 0.17


def test_causes_without_presentations_score_bit_for_bit_as_before(mix, mini_kb):
    """Adding a presentation to one cause leaves every other cause's log score unchanged to the
    bit, and with it stripped the mixture knowledge base scores exactly as the one without."""
    stripped = with_cause(mix, "small-fiber-neuropathy", presentations=())
    rng = random.Random(3)
    findings = list(mini_kb.findings)
    for _ in range(40):
        chosen = rng.sample(findings, rng.randint(0, 5))
        cut = rng.randint(0, len(chosen))
        before = {s.cause_id: s for s in score(mini_kb, make_case(mini_kb, chosen[:cut], chosen[cut:]))}
        after = {s.cause_id: s for s in score(mix, make_case(mix, chosen[:cut], chosen[cut:]))}
        plain = list(score(stripped, make_case(stripped, chosen[:cut], chosen[cut:])))
        assert plain == list(score(mini_kb, make_case(mini_kb, chosen[:cut], chosen[cut:])))
        for cause_id in ("ibs-pain-sensitization", "vitamin-b12-deficiency"):
            assert after[cause_id].log_score == before[cause_id].log_score
            assert after[cause_id].contributions == before[cause_id].contributions
            assert after[cause_id].presentation is None


@pytest.mark.parametrize("dense", [True, False])
def test_the_mixture_is_the_definition_on_the_shipped_knowledge_base(kb, monkeypatch, dense):
    """Random presentations on the shipped knowledge base: each cause's log score is ln prior +
    ln sum_k w_k prod LR_k (brute force), the explanation is the chosen component's, named, and
    the dense rows and the sparse terms agree."""
    if not dense:
        monkeypatch.setattr(scoring, "DENSE_CAUSES", 0)
    mixed = with_presentations(load(use_cache=False), seed=11)
    assert scoring.compile_tables(mixed).dense is dense
    findings = list(mixed.findings)
    rng = random.Random(7)
    for _ in range(40):
        chosen = rng.sample(findings, rng.randint(0, 8))
        cut = rng.randint(0, len(chosen))
        case = make_case(mixed, chosen[:cut], chosen[cut:], age=rng.choice([None, 30, 70]), sex=rng.choice([None, "male"]))
        ranked = list(score(mixed, case, detail=None))
        logs = {s.cause_id: s.log_score for s in ranked}
        total = math.fsum(math.exp(v) for v in logs.values())
        for scored in ranked:
            cause = mixed.causes[scored.cause_id]
            expected, best = brute_score(mixed, cause, case)
            assert scored.log_score == pytest.approx(expected, abs=1e-9)
            assert scored.posterior == pytest.approx(math.exp(scored.log_score) / total, rel=1e-9)
            if cause.presentations:
                assert scored.presentation == cause.presentation_id(best)
                assert scored.contributions == contributions(mixed, cause, case, best)
                assert scored.contributions == contributions(mixed, cause, case)
                assert chosen_component(mixed, cause, case) == best
            else:
                assert scored.presentation is None
                assert scored.contributions == contributions(mixed, cause, case)
        assert [s.log_score for s in ranked] == sorted(logs.values(), reverse=True)


def test_dense_and_sparse_give_the_same_mixture(monkeypatch):
    dense_kb = with_presentations(load(use_cache=False), seed=5)
    monkeypatch.setattr(scoring, "DENSE_CAUSES", 0)
    sparse_kb = with_presentations(load(use_cache=False), seed=5)
    assert not scoring.compile_tables(sparse_kb).dense
    rng = random.Random(9)
    findings = list(dense_kb.findings)
    for _ in range(60):
        chosen = rng.sample(findings, rng.randint(0, 9))
        cut = rng.randint(0, len(chosen))
        dense_ranked = score(dense_kb, make_case(dense_kb, chosen[:cut], chosen[cut:]), detail=6)
        sparse_ranked = score(sparse_kb, make_case(sparse_kb, chosen[:cut], chosen[cut:]), detail=6)
        assert dense_ranked.shares == pytest.approx(sparse_ranked.shares, rel=1e-12, abs=1e-15)
        dense, sparse = list(dense_ranked), list(sparse_ranked)
        assert [s.cause_id for s in dense] == [s.cause_id for s in sparse]
        assert [s.log_score for s in dense] == pytest.approx([s.log_score for s in sparse], abs=1e-12)
        assert [s.posterior for s in dense] == pytest.approx([s.posterior for s in sparse], rel=1e-12, abs=1e-15)
        assert [(s.presentation, s.contributions) for s in dense[:6]] == [(s.presentation, s.contributions) for s in sparse[:6]]
        assert [s.presentation for s in dense] == [s.presentation for s in sparse]


def test_no_findings_gives_the_priors_and_the_heaviest_component(mix):
    for scored in score(mix, make_case(mix)):
        assert scored.posterior == pytest.approx(scored.prior, rel=1e-12)
    assert chosen_component(mix, mix.causes["small-fiber-neuropathy"], make_case(mix)) == 0
    heavy = with_cause(
        mix,
        "small-fiber-neuropathy",
        presentations=(Presentation("a", "A", 0.3, "judgement", "", (link("diarrhea", 0.5),)),)
        + (Presentation("b", "B", 0.45, "judgement", "", (link("diarrhea", 0.5),)),),
    )
    scored = {s.cause_id: s for s in score(heavy, make_case(heavy))}
    assert scored["small-fiber-neuropathy"].presentation == "b"  # w = 0.45 > 0.3 > 0.25


def test_equal_components_choose_the_lowest(mix):
    """Two presentations with the same table and share: the first is named (ties: the lowest k)."""
    same = (link("diarrhea", 0.55),)
    tied = with_cause(
        mix,
        "small-fiber-neuropathy",
        presentations=(
            Presentation("first", "A", 0.45, "judgement", "", same),
            Presentation("second", "B", 0.45, "judgement", "", same),
        ),
    )
    case = make_case(tied, ["diarrhea"])
    scored = {s.cause_id: s for s in score(tied, case)}
    assert scored["small-fiber-neuropathy"].presentation == "first"
    assert chosen_component(tied, tied.causes["small-fiber-neuropathy"], case) == 1


def test_log_likelihood_is_the_mixture_and_the_sum_without(mix, mini_kb):
    case = make_case(mix, ["burning-feet", "diarrhea", "weight-loss"])
    sfn = mix.causes["small-fiber-neuropathy"]
    assert log_likelihood(mix, sfn, case) == pytest.approx(math.log(0.8 * 4.5 * 0.425 * 1.7 + 0.2 * 4.5 * 1.375 * 5.5))
    plain = mini_kb.causes["small-fiber-neuropathy"]
    assert log_likelihood(mini_kb, plain, case) == math.fsum(c.weight for c in contributions(mini_kb, plain, case))
    assert component_scores(mini_kb, plain, case) == [log_likelihood(mini_kb, plain, case)]
    assert frequency_in(mix, sfn, "diarrhea") == 0.17  # the typical table


def test_asking_uses_the_mixture(mix):
    """P(yes) for a question is sum_c P(c | case) sum_k P(k | c, case) P_k(f | c)."""
    from gutnerve.questions import ask

    case = make_case(mix, ["burning-feet"])
    asked = {q.finding: q for q in ask(mix, case, 10).questions}
    ranked = {s.cause_id: s for s in score(mix, case)}
    expected = 0.0
    for cause_id, scored in ranked.items():
        cause = mix.causes[cause_id]
        weights = [math.exp(v) for v in component_scores(mix, cause, case)]
        for component, weight in enumerate(weights):
            entry = cause.component_link(component, "weight-loss")
            p = entry.frequency if entry is not None else mix.findings["weight-loss"].background
            expected += scored.posterior * weight / math.fsum(weights) * p
    assert asked["weight-loss"].yes.probability == pytest.approx(expected, rel=1e-9)


def test_a_finding_only_a_presentation_lists_is_asked(mix):
    from gutnerve.questions import unanswered

    only = with_cause(
        mix,
        "small-fiber-neuropathy",
        presentations=(Presentation("p", "P", 0.2, "judgement", "", (link("leg-weakness", 0.9),)),),
    )
    for cause_id in only.causes:
        if cause_id != "small-fiber-neuropathy":
            cause = only.causes[cause_id]
            only = with_cause(only, cause_id, findings=tuple(f for f in cause.findings if f.finding != "leg-weakness"))
    sfn = only.causes["small-fiber-neuropathy"]
    only = with_cause(only, "small-fiber-neuropathy", findings=tuple(f for f in sfn.findings if f.finding != "leg-weakness"))
    case = make_case(only, ["burning-feet"])
    assert "leg-weakness" in unanswered(only, case, list(score(only, case)))


def test_the_cache_keeps_presentations(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = tmp_path / "kb"
    shutil.copytree(MIX_KB, root)
    first = load(root)
    again = load(root)
    assert again.causes["small-fiber-neuropathy"].presentations == first.causes["small-fiber-neuropathy"].presentations
    assert assess(again, present=["weight-loss"]).ranked[0] == assess(first, present=["weight-loss"]).ranked[0]


# --------------------------------------------------------------------------
# The validator


def broken(tmp_path: Path, old: str, new: str) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(MIX_KB, root)
    path = root / SFN
    text = path.read_text()
    assert old in text, f"fixture changed: {old!r}"
    path.write_text(text.replace(old, new, 1))
    return root


SECOND = """
  - id: second
    name: Second
    share: 0.5
    source: example-a
    findings:
      numb-feet: {frequency: frequent, source: judgement}
"""


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        (
            "share: 0.2",
            "share: 1.2",
            "presentation `with-gut-dysmotility`: `share` is 1.2, not a number strictly between 0 and 1",
        ),
        ("share: 0.2", "share: 0", "`share` is 0, not a number strictly between 0 and 1"),
        ("share: 0.2", "share: often", "`share` is 'often'"),
        (
            "      weight-loss: {frequency: frequent, source: judgement}\n",
            "      weight-loss: {frequency: frequent, source: judgement}\n" + SECOND.replace("0.5", "0.8"),
            "the presentations' shares sum to 1, leaving nothing for its own table",
        ),
        (
            "      weight-loss: {frequency: frequent, source: judgement}\n",
            "      weight-loss: {frequency: frequent, source: judgement}\n" + SECOND.replace("second", "with-gut-dysmotility"),
            "duplicate presentation `with-gut-dysmotility`",
        ),
        ("id: with-gut-dysmotility", "id: With_Gut", "presentation id 'With_Gut' is not a kebab-case id"),
        (
            "diarrhea: {frequency: frequent",
            "diarhea: {frequency: frequent",
            "unknown finding `diarhea` (did you mean `diarrhea`?)",
        ),
        ("diarrhea: {frequency: frequent", "diarrhea: {frequency: 1.5", "`diarrhea`: `frequency` is 1.5"),
        ("diarrhea: {frequency: frequent", "diarrhea: {frequency: often", "`diarrhea` has unknown frequency term 'often'"),
        ("diarrhea: {frequency: frequent", "diarrhea: {frequency: 0.5", "`diarrhea` gives a judgement number without a note"),
        (
            "diarrhea: {frequency: frequent, source: judgement}",
            "diarrhea: {frequency: frequent, source: dyck-2002}",
            "presentation `with-gut-dysmotility`: `diarrhea` cites unknown source `dyck-2002`",
        ),
        (
            "source: judgement\n    note: Illustrative",
            "source: dyck-2002\n    note: Illustrative",
            "cites unknown source `dyck-2002`",
        ),
        (
            "    note: Illustrative, for the mixture example of docs/method.md.\n",
            "",
            "presentation `with-gut-dysmotility`: its share rests on judgement without a note",
        ),
        (
            "    findings:\n      diarrhea: {frequency: frequent, source: judgement}\n"
            "      weight-loss: {frequency: frequent, source: judgement}\n",
            "    findings: {}\n",
            "0 findings listed, at least 1 needed (list the findings whose frequency differs",
        ),
        ("    share: 0.2\n", "    share: 0.2\n    extra: 1\n", "presentation has unknown key `extra`"),
        ("    share: 0.2\n", "", "presentation lacks `share`"),
        (
            "name: Small fiber neuropathy with gut dysmotility (illustrative)",
            "name: Small fiber neuropathy with gut dysmotility - " + "x" * 40,
            "presentation `with-gut-dysmotility`: its name is 86 characters, over 80",
        ),
    ],
)
def test_a_broken_presentation_is_refused(tmp_path, old, new, fragment):
    root = broken(tmp_path, old, new)
    messages = [i.one_line() for i in validate(root)]
    assert any(fragment in m and m.startswith(f"kb/{SFN}") for m in messages), messages
    with pytest.raises(KnowledgeBaseError):
        load(root, use_cache=False)


def test_presentations_must_be_a_list(tmp_path):
    root = tmp_path / "kb"
    shutil.copytree(MIX_KB, root)
    path = root / SFN
    text = path.read_text()
    path.write_text(text[: text.index("presentations:")] + "presentations: {a: 1}\n")
    messages = [i.one_line() for i in validate(root)]
    assert any("cause `small-fiber-neuropathy`: `presentations` must be a list" in m for m in messages), messages


def test_nesting_is_checked_in_every_component(tmp_path):
    """diarrhea implies weight-loss here (illustrative): the cause's table has them equal (0.17),
    the presentation's lists diarrhoea above weight loss, which the validator refuses."""
    root = broken(
        tmp_path, "weight-loss: {frequency: frequent, source: judgement}", "weight-loss: {frequency: 0.3, source: example-a}"
    )
    findings = root / "findings.yaml"
    findings.write_text(findings.read_text().replace("{id: diarrhea, ", "{id: diarrhea, implies: [weight-loss], ", 1))
    messages = [i.one_line() for i in validate(root)]
    assert any(
        "cause `small-fiber-neuropathy`, presentation `with-gut-dysmotility`: `diarrhea` (0.55) is commoner than "
        "`weight-loss` (0.3), which it implies"
        in m
        and "in this presentation's `findings`" in m
        for m in messages
    ), messages
    # the same finding pair is fine in the cause's own table (0.17 each)
    assert not any("small-fiber-neuropathy`: `diarrhea`" in m for m in messages), messages


def test_the_shipped_knowledge_base_uses_presentations_and_validates(kb):
    """The shipped causes with presentations: each mixture's weights are a distribution whose
    typical component keeps most of it (the cause's own table is its commonest form), and the
    validator passes them all."""
    mixed = [cause for cause in kb.causes.values() if cause.presentations]
    assert len(mixed) >= 10
    for cause in mixed:
        assert math.fsum(cause.weights) == pytest.approx(1.0, abs=1e-12), cause.id
        assert cause.weights[0] == max(cause.weights) and all(0 < w < 1 for w in cause.weights), cause.id
    assert validate(Path(kb.root)) == []
    assert edit(kb.causes["fibromyalgia"]).weights == (1.0,)  # a cause without presentations


# --------------------------------------------------------------------------
# What a person and a script see


MIX = ("--kb", str(MIX_KB))
CASE = ("--burning-feet", "--diarrhea", "--weight-loss")


def test_the_json_row_names_the_presentation_of_a_mixture_cause_only(run):
    result = run("assess", *MIX, *CASE, "--json").json()
    rows = {row["id"]: row for row in result["differential"]}
    sfn = rows["small-fiber-neuropathy"]
    assert sfn["presentation"] == "with-gut-dysmotility"
    assert sfn["presentation_name"] == "Small fiber neuropathy with gut dysmotility (illustrative)"
    assert list(sfn)[list(sfn).index("mechanism") + 1 : list(sfn).index("for")] == ["presentation", "presentation_name"]
    assert [e["likelihood_ratio"] for e in sfn["for"]] == [5.5, 4.5, 1.375]  # the presentation's table
    for cause_id in ("ibs-pain-sensitization", "vitamin-b12-deficiency"):
        assert "presentation" not in rows[cause_id]  # a cause without presentations: its row as before
    typical = {row["id"]: row for row in run("assess", *MIX, "--burning-feet", "--json").json()["differential"]}
    assert typical["small-fiber-neuropathy"]["presentation"] is None
    assert typical["small-fiber-neuropathy"]["presentation_name"] is None


def test_results_with_presentations_match_the_result_schema(run):
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(run("schema", *MIX, "result").json())
    for args in (CASE, ("--burning-feet",), ("--no-diarrhea", "--why", "small-fiber-neuropathy")):
        result = run("assess", *MIX, *args, "--json").json()
        assert [e.message for e in validator.iter_errors(result)] == []
    schema = run("schema", *MIX, "result").json()
    row = schema["oneOf"][0]["properties"]["differential"]["items"]
    assert row["properties"]["presentation"]["enum"] == ["with-gut-dysmotility", None]


def test_the_json_line_is_the_reference_with_presentations(mix):
    """batch's JSON line (jsonline, the pure path) is byte for byte the reference on a mixture
    knowledge base."""
    from gutnerve.api import assess_case
    from gutnerve.jsonio import dumps_line
    from gutnerve.jsonline import assessment_line
    from gutnerve.report import assessment_dict

    rng = random.Random(1)
    findings = list(mix.findings)
    for number in range(200):
        chosen = rng.sample(findings, rng.randint(0, 6))
        cut = rng.randint(0, len(chosen))
        case = make_case(mix, chosen[:cut], chosen[cut:], age=rng.choice([None, 40]), id=f"c{number}")
        assessment = assess_case(mix, case, rng.choice([None, 1, 2]))
        assert assessment_line(mix, assessment) == dumps_line(assessment_dict(mix, assessment))


def test_the_tables_say_which_presentation(run):
    from gutnerve.render import plain, text
    from gutnerve.render.plain import Style

    result = run("assess", *MIX, *CASE, "--json").json()
    wide = Style(color=False, width=250)
    for shown in (plain.assessment(result, 250), text.assessment(result, wide)):
        assert "as small fiber neuropathy with gut dysmotility" in shown, shown
    assert "as small fiber" in run("assess", *MIX, *CASE).out
    markdown = run("assess", *MIX, *CASE, "--format", "markdown")
    assert "as small fiber neuropathy with gut dysmotility (illustrative); Weight loss (LR 5.5)" in markdown.out
    typical = run("assess", *MIX, "--burning-feet", "--format", "markdown")
    assert "as small fiber" not in typical.out


def test_explain_lists_the_presentations(run):
    card = run("explain", *MIX, "small-fiber-neuropathy", "--json").json()
    assert card["typical_share"] == 0.8
    (presentation,) = card["presentations"]
    assert presentation["id"] == "with-gut-dysmotility" and presentation["share"] == 0.2
    assert [(f["finding"], f["frequency"], f["typical"]) for f in presentation["findings"]] == [
        ("diarrhea", 0.55, 0.17),
        ("weight-loss", 0.55, 0.17),
    ]
    assert presentation["findings"][1]["likelihood_ratio"] == 5.5
    plain = run("explain", *MIX, "vitamin-b12-deficiency", "--json").json()
    assert "presentations" not in plain and "typical_share" not in plain
    text = run("explain", *MIX, "small-fiber-neuropathy").out
    assert "Presentations (scored as a mixture; the typical table above: 80%)" in text
    assert "Weight loss: 55% (typical 17%) [judgement]" in text


def test_why_multiplies_out_with_the_mixture_factor(run):
    """prior ratio x each finding's ratio x the mixture factors = the ratio of the probabilities."""
    why = run("assess", *MIX, *CASE, "--why", "vitamin-b12-deficiency", "--json").json()["why"]
    cause, versus = why["cause"], why["versus"]
    assert versus["presentation"] == "with-gut-dysmotility"
    assert versus["mixture_factor"] == pytest.approx(9.40725 / 34.03125, abs=1e-4)
    assert "mixture_factor" not in cause
    ratio = cause["prior"] / versus["prior"] / versus["mixture_factor"]
    for mine, theirs in zip(cause["findings"], versus["findings"], strict=True):
        ratio *= mine["likelihood_ratio"] / theirs["likelihood_ratio"]
    assert ratio == pytest.approx(cause["probability"] / versus["probability"], rel=2e-3)
    lines = run("assess", *MIX, *CASE, "--why", "vitamin-b12-deficiency").out
    assert "x0.276 (mixture, shown as with-gut-dysmotility)" in lines


# --------------------------------------------------------------------------
# The compiled accelerator: a column per component, folded in C


def _cases(kb: KnowledgeBase, count: int, seed: int) -> list[dict]:
    """Random cases (test_jsonline's, on a knowledge base with few findings too)."""
    from .test_jsonline import random_cases

    if len(kb.findings) >= 12:
        return random_cases(kb, count, seed)
    rng = random.Random(seed)
    findings = list(kb.findings)
    cases = []
    for number in range(count):
        chosen = rng.sample(findings, rng.randint(0, len(findings)))
        cut = rng.randint(0, len(chosen))
        age, sex = rng.choice([None, 30, 70]), rng.choice([None, "female", "male"])
        cases.append({"id": f"case-{number}", "present": chosen[:cut], "absent": chosen[cut:], "age": age, "sex": sex})
    return cases


def _accelerated_kbs() -> list[KnowledgeBase]:
    return [load(MIX_KB, use_cache=False), with_presentations(load(use_cache=False), seed=21, count=12)]


@needs_speedups
def test_the_accelerator_writes_the_reference_with_presentations():
    """fastline's line is byte for byte the reference, and its kernel's logs, posteriors, order,
    chosen columns and components' shares are scoring's to the last bit, on the mixture fixture and
    on the shipped knowledge base with random presentations."""
    from gutnerve.api import assess_case
    from gutnerve.case import parse_case
    from gutnerve.jsonio import dumps_line
    from gutnerve.report import assessment_dict
    from gutnerve.scoring import compile_tables

    from .test_jsonline import TOPS

    for kb in _accelerated_kbs():
        compiled = fastline.accelerator(kb)
        assert compiled is not None and compiled.mixed
        tables = kb.derived(compile_tables)
        mixtures = {m.cause: m for m in tables.mixtures}
        named = 0
        for data in _cases(kb, 600, seed=4):
            case = parse_case(data, kb)
            for top in TOPS:
                assert fastline.line(kb, compiled, case, top) == dumps_line(assessment_dict(kb, assess_case(kb, case, top)))
            ranked = score(kb, case, detail=None)
            counted_case = counted(kb, case)
            index, _ = compiled.priors[case.age, case.sex]
            present = tuple(map(compiled.present.__getitem__, counted_case.present))
            absent = tuple(map(compiled.absent.__getitem__, counted_case.absent))
            rows = fastline.kernel_rows(kb, compiled, counted_case, present, absent)
            assert rows is not None
            present, absent = rows
            logs, posterior, order, chosen, shares = compiled.dense.score_mixed(index, present, absent)
            assert compiled.dense.score(index, present, absent) == (logs, posterior, order)
            assert shares == ranked.shares  # what triage shares a cause's posterior by
            assert len(shares) == sum(len(m.columns) for m in tables.mixtures)
            ids = compiled.cause_ids
            assert [ids[i] for i in order] == [s.cause_id for s in ranked]
            assert [(logs[i], posterior[i]) for i in order] == [(s.log_score, s.posterior) for s in ranked]
            for i in order:
                scored = ranked[order.index(i)]
                if i in mixtures:
                    m = mixtures[i]
                    assert m.presentations[m.columns.index(chosen[i])] == scored.presentation
                    named += scored.presentation is not None
                else:
                    assert chosen[i] == i
        assert named > 0  # presentations were chosen, not only the typical tables


@needs_speedups
def test_batch_with_presentations_is_the_same_with_and_without_the_accelerator(monkeypatch):
    import orjson

    from gutnerve import batch

    kb = load(MIX_KB, use_cache=False)
    cases = _cases(kb, 200, seed=8)
    lines = [orjson.dumps(c) + b"\n" for c in cases]
    fast, bad = batch.assess_lines(kb, lines, 1, 3)
    monkeypatch.setenv("GUTNERVE_PURE", "1")
    pure, bad_pure = batch.assess_lines(load(MIX_KB, use_cache=False), lines, 1, 3)
    assert (bad, bad_pure) == (0, 0)
    assert fast == pure
    assert b'"presentation":"with-gut-dysmotility"' in fast and b'"presentation":null' in fast


@needs_speedups
def test_the_kernel_refuses_bad_mixtures():
    kb = load(MIX_KB, use_cache=False)
    dense = fastline.accelerator(kb).dense
    for bad, error in [
        (((0, (1, 3), (0.0, 0.0)),), ValueError),  # component 0 is not the cause's own column
        (((5, (5,), (0.0,)),), ValueError),  # no such cause
        (((0, (0, 9), (0.0, 0.0)),), ValueError),  # no such column
        (((0, (0, 3), (0.0,)),), TypeError),  # a weight per column
        (((0, (0, 3), (0.0, "x")),), TypeError),
        ((("x",),), TypeError),
    ]:
        with pytest.raises(error):
            dense.set_mixtures(bad)
    with pytest.raises(ValueError):
        dense.line(None, None, None, (), (), b"", ("routine", ()), 0, (), [0.25] * 3, [0, 1, 2], 3, (), [0, 1, 9])
    with pytest.raises(ValueError):
        dense.line(None, None, None, (), (), b"", ("routine", ()), 0, (), [0.25] * 3, [0, 1, 2], 3, (), [0])


@needs_speedups
def test_no_memory_grows_on_the_mixture_path():
    """A leak check of score_mixed, set_mixtures and line with chosen columns (as
    test_fastline's for the plain path)."""
    import gc
    import tracemalloc

    from gutnerve.case import parse_case
    from gutnerve.scoring import compile_tables

    kb = with_presentations(load(use_cache=False), seed=3, count=10)
    compiled = fastline.accelerator(kb)
    assert compiled is not None and compiled.mixed
    cases = [parse_case(data, kb) for data in _cases(kb, 200, seed=19)]
    mixtures = tuple((m.cause, m.columns, m.log_weights) for m in kb.derived(compile_tables).mixtures)
    for case in cases:
        fastline.line(kb, compiled, case, 5)
    tracemalloc.start()
    try:
        for case in cases * 5:
            fastline.line(kb, compiled, case, 5)
        compiled.dense.set_mixtures(mixtures)
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        for case in cases * 50:
            fastline.line(kb, compiled, case, 5)
        for _ in range(200):
            compiled.dense.set_mixtures(mixtures)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 20_000, grown


def test_explain_a_finding_lists_the_presentations_that_list_it(run):
    card = run("explain", *MIX, "weight-loss", "--json").json()
    (entry,) = card["presentations"]
    assert (entry["cause"], entry["presentation"], entry["frequency"]) == ("small-fiber-neuropathy", "with-gut-dysmotility", 0.55)
    assert (entry["likelihood_ratio"], entry["likelihood_ratio_absent"]) == (5.5, 0.5)
    assert "presentations" not in run("explain", *MIX, "burning-feet", "--json").json()
    assert "In the causes' presentations" in run("explain", *MIX, "weight-loss").out


def test_why_shows_the_component_the_row_names():
    """--why reads the findings in the component the differential names, and its product with the
    mixture factor is the cause's likelihood ratio, on random presentations of the shipped base."""
    from gutnerve.api import assess_case
    from gutnerve.report import assessment_dict, why_dict

    kb = with_presentations(load(use_cache=False), seed=17, count=12)
    mixed = [cause_id for cause_id, cause in kb.causes.items() if cause.presentations]
    for data in _cases(kb, 60, seed=23):
        case = make_case(kb, data["present"], data["absent"], data.get("age"), data.get("sex"))
        assessment = assess_case(kb, case)
        rows = {row["id"]: row for row in assessment_dict(kb, assessment)["differential"]}
        for cause_id in mixed[:4]:
            side = why_dict(kb, assessment, cause_id)["cause"]
            assert side["presentation"] == rows[cause_id]["presentation"]
            cause = kb.causes[cause_id]
            product = math.prod(f["likelihood_ratio"] for f in side["findings"]) * side["mixture_factor"]
            assert math.log(product) == pytest.approx(log_likelihood(kb, cause, case), abs=0.02)
