"""What to ask next (`assess --ask N`, gutnerve/questions.py): expected information gain of each
unanswered finding, the chance of each answer, and the questions whose yes raises the triage."""

from __future__ import annotations

import math

import pytest

from gutnerve import assess, make_case
from gutnerve.questions import ask, entropy, unanswered
from gutnerve.scoring import frequency_in, unmentioned_share

from .conftest import MINI_KB


def posteriors(kb, present=(), absent=()):
    return {s.cause_id: s.posterior for s in assess(kb, present=present, absent=absent).ranked}


def test_the_gain_of_a_question_reproduced_by_hand(mini_kb):
    """Bayes by hand on the mini knowledge base: P(yes) = sum of P(c) P(f | c); the gain is the
    entropy now less the expected entropy after the answer."""
    case = make_case(mini_kb, present=["burning-feet"])
    now = posteriors(mini_kb, ["burning-feet"])
    found = {q.finding: q for q in ask(mini_kb, case, count=100).questions}
    assert found, "the mini knowledge base has questions to ask"
    for finding, question in found.items():
        p_yes = math.fsum(now[c] * frequency_in(mini_kb, mini_kb.causes[c], finding) for c in now)
        yes = posteriors(mini_kb, ["burning-feet", finding])
        no = posteriors(mini_kb, ["burning-feet"], [finding])
        expected = entropy(now.values()) - (p_yes * entropy(yes.values()) + (1 - p_yes) * entropy(no.values()))
        assert question.yes.probability == pytest.approx(p_yes, rel=1e-9)
        assert question.no.probability == pytest.approx(1 - p_yes, rel=1e-9)
        assert question.gain == pytest.approx(max(expected, 0.0), abs=1e-12)


def test_the_chance_of_yes_to_a_history_question_the_case_is_silent_about(kb):
    """On the shipped knowledge base, whose silence about history counts (model.yaml `unmentioned`, r):
    the person has not mentioned the finding, so P(yes) = sum of P(c) P(f | c) (1 - r) / P(silent | c),
    P(silent | c) = 1 - r P(f | c) where c lists f, else 1 - r x background (silence neutral), over
    the same sum with P(f | c) (1 - r) + 1 - P(f | c) above the line."""
    share = unmentioned_share(kb.settings, kb.findings["ibs-diagnosed"])
    assert share > 0.0
    case = make_case(kb, present=["tingling-feet", "diarrhea"])
    now = posteriors(kb, ["tingling-feet", "diarrhea"])
    question = next(q for q in ask(kb, case, count=1000).questions if q.finding == "ibs-diagnosed")
    background = kb.findings["ibs-diagnosed"].background
    yes = no = 0.0
    for cause_id, posterior in now.items():
        cause = kb.causes[cause_id]
        link = cause.link("ibs-diagnosed")
        p = frequency_in(kb, cause, "ibs-diagnosed")
        silent = 1 - share * p if link is not None and link.via is None else 1 - share * background
        yes += posterior * p * (1 - share) / silent
        no += posterior * (1 - p) / silent
    # the formula is that of single-table links: no presentation may override the finding's entry
    assert not any(
        c.presentations and any(c.link("ibs-diagnosed") != c.component_link(k, "ibs-diagnosed") for k in range(c.components))
        for c in kb.causes.values()
    )
    assert question.yes.probability == pytest.approx(yes / (yes + no), rel=1e-9)
    assert question.yes.probability < math.fsum(now[c] * frequency_in(kb, kb.causes[c], "ibs-diagnosed") for c in now)


def test_each_answer_is_what_assess_says_after_it(kb):
    case = make_case(kb, present=["tingling-feet", "diarrhea"], age=60)
    for question in ask(kb, case, count=5).questions:
        for answer, given in (
            (question.yes, {"present": ["tingling-feet", "diarrhea", question.finding]}),
            (question.no, {"present": ["tingling-feet", "diarrhea"], "absent": [question.finding]}),
        ):
            after = assess(kb, age=60, **given)
            assert [cause for cause, _ in answer.top] == [s.cause_id for s in after.ranked[:3]]
            assert [p for _, p in answer.top] == [s.posterior for s in after.ranked[:3]]
            assert answer.level == after.triage.level


def test_questions_are_the_most_informative_first(kb):
    case = make_case(kb, present=["burning-feet", "diarrhea"])
    every = ask(kb, case, count=1000)
    gains = [q.gain for q in every.questions]
    assert gains == sorted(gains, reverse=True) and all(g >= 0 for g in gains)
    assert ask(kb, case, count=3).questions == every.questions[:3]
    assert every.entropy == pytest.approx(entropy(posteriors(kb, ["burning-feet", "diarrhea"]).values()))


def test_what_the_case_already_answers_is_not_asked(kb):
    """Reported findings, those a present finding implies (foot drop is leg weakness) and those
    that imply an absent one (no leg weakness: no foot drop, no ascending weakness)."""
    implied = make_case(kb, present=["foot-drop"], absent=["fever"])
    asked = set(unanswered(kb, implied, assess(kb, present=["foot-drop"], absent=["fever"]).ranked))
    assert not asked & {"foot-drop", "fever", "leg-weakness"}
    assert "numb-feet" in asked
    ruled_out = make_case(kb, absent=["leg-weakness"])
    asked = set(unanswered(kb, ruled_out, assess(kb, absent=["leg-weakness"]).ranked))
    assert not asked & {"leg-weakness", "foot-drop", "ascending-weakness"}


def test_would_raise_triage_lists_exactly_the_questions_whose_yes_raises_it(kb):
    case = make_case(kb, present=["burning-feet"])
    asked = ask(kb, case, count=1)
    levels = kb.settings.triage_levels
    now = assess(kb, present=["burning-feet"]).triage.level
    assert asked.level == now
    expected = set()
    for finding in unanswered(kb, case, assess(kb, present=["burning-feet"]).ranked):
        after = assess(kb, present=["burning-feet", finding]).triage.level
        if levels.index(after) < levels.index(now):
            expected.add(finding)
    assert {q.finding for q in asked.raising} == expected
    assert "saddle-anesthesia" in expected  # a red flag is always among them
    ranks = [levels.index(q.yes.level) for q in asked.raising]
    assert ranks == sorted(ranks)  # most urgent first


def test_assess_ask_in_every_format(run):
    args = ("assess", "--kb", str(MINI_KB), "--burning-feet", "--ask", "2")
    data = run(*args, "--json").json()["ask"]
    assert len(data["questions"]) == 2
    first = data["questions"][0]
    assert first["if_yes"]["probability"] + first["if_no"]["probability"] == pytest.approx(1, abs=1e-4)
    table = run(*args).out
    assert "Worth asking next" in table and first["question"] in table
    assert "Worth asking next" in run(*args, "--format", "markdown").out
    csv = run(*args, "--format", "csv")
    assert csv.out.startswith("case_id,") and "Worth asking next" in csv.err
    bad = run(*args[:-1], "0")
    assert bad.code == 2 and bad.out == ""
