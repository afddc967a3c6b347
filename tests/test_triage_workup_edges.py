"""Triage and the combined workup at their edges.

Written against the survivors of mutation testing (docs/mutation-testing.md):
red flags that need all their findings, duplicate messages, the order of the
reasons, inclusive thresholds, and how the plan picks, merges and orders tests.
Each test loads its own copy of tests/fixtures/mini-kb, so that the tables the
engine memoises on a knowledge base are built inside the test.
"""

from __future__ import annotations

import math

import pytest

from gutnerve import assess, make_case
from gutnerve.model import KnowledgeBase, PlanItem, RedFlag, TriageReason, WorkupStep
from gutnerve.scoring import score
from gutnerve.triage import triage
from gutnerve.workup import cause_tests, plan

from .conftest import edit, with_cause

IBS, SFN, B12 = "ibs-pain-sensitization", "small-fiber-neuropathy", "vitamin-b12-deficiency"
SADDLE = "Saddle numbness needs an emergency assessment."
B12_LIKELY = ["numb-feet", "weight-loss", "leg-weakness"]  # B12 3 x 3.6 x 5.5 x 5.5 = 326.7 of 336.3: 97%


def with_settings(kb: KnowledgeBase, **changes: object) -> KnowledgeBase:
    return edit(kb, settings=edit(kb.settings, **changes))


def with_finding_flag(kb: KnowledgeBase, finding_id: str, level: str, message: str) -> KnowledgeBase:
    findings = dict(kb.findings)
    findings[finding_id] = edit(findings[finding_id], red_flag=RedFlag((finding_id,), level, message, finding_id))
    return edit(kb, findings=findings)


# --------------------------------------------------------------------------
# Triage


def test_a_combination_red_flag_needs_all_its_findings(mini):
    message = "Weakness with weight loss needs an urgent review."
    kb = with_cause(mini, SFN, red_flags=(RedFlag(("leg-weakness", "weight-loss"), "urgent", message, SFN),))
    for present in (["leg-weakness"], ["weight-loss"], ["leg-weakness", "numb-feet"]):
        result = assess(kb, present=present)
        assert all(r.trigger != f"red-flag:{SFN}" for r in result.triage.reasons), present
    result = assess(kb, present=["weight-loss", "leg-weakness"])
    assert result.triage.level == "urgent"
    assert TriageReason("urgent", message, f"red-flag:{SFN}") in result.triage.reasons


def test_reasons_name_their_trigger_and_message(mini):
    """A finding's own flag is `finding:<id>`, a cause's combination `red-flag:<cause>`,
    a likely urgent cause `cause:<id>` with its posterior in the message."""
    message = "Saddle numbness with weak legs needs an emergency assessment today."
    flag = RedFlag(("saddle-anesthesia", "leg-weakness"), "emergency", message, IBS, "example-a")
    kb = with_cause(mini, IBS, red_flags=(flag,))
    result = assess(kb, present=["saddle-anesthesia", *B12_LIKELY])
    assert result.triage.reasons == (  # each red flag with its basis; a likely cause has none
        TriageReason("emergency", SADDLE, "finding:saddle-anesthesia", "judgement"),
        TriageReason("emergency", message, f"red-flag:{IBS}", "example-a"),
        TriageReason("soon", "Vitamin b12 deficiency is 97% probable and needs soon attention.", f"cause:{B12}"),
    )
    assert result.triage.level == "emergency"


def test_the_same_message_is_given_once(mini):
    """Two flags that say the same thing (a finding's and a cause's) give one reason: the first declared."""
    kb = with_cause(mini, B12, red_flags=(RedFlag(("saddle-anesthesia", "burning-feet"), "emergency", SADDLE, B12),))
    reasons = assess(kb, present=["burning-feet", "saddle-anesthesia"]).triage.reasons
    assert reasons == (TriageReason("emergency", SADDLE, "finding:saddle-anesthesia", "judgement"),)


def test_reasons_are_ordered_by_level_not_by_declaration(mini):
    """numb-feet is declared before saddle-anesthesia, and red flags before causes; the
    reasons still come most urgent first (emergency, urgent, soon: not alphabetical)."""
    kb = with_finding_flag(mini, "numb-feet", "urgent", "Numb feet need an urgent review.")
    result = assess(kb, present=["saddle-anesthesia", *B12_LIKELY])
    assert [(r.level, r.trigger) for r in result.triage.reasons] == [
        ("emergency", "finding:saddle-anesthesia"),
        ("urgent", "finding:numb-feet"),
        ("soon", f"cause:{B12}"),
    ]
    assert result.triage.level == "emergency"


def test_cause_threshold_is_inclusive(mini):
    """A cause exactly at its urgency's threshold raises the level; a hair below, not."""
    case = make_case(mini, ["numb-feet"], ["diarrhea"])
    ranked = score(mini, case)
    b12 = next(s.posterior for s in ranked if s.cause_id == B12)  # 0.2462, the lowest
    at = with_settings(mini, cause_thresholds={"soon": b12})
    assert triage(at, case, ranked).level == "soon"
    assert [r.trigger for r in triage(at, case, ranked).reasons] == [f"cause:{B12}"]
    above = with_settings(mini, cause_thresholds={"soon": math.nextafter(b12, 1.0)})
    assert triage(above, case, ranked).reasons == ()


def test_every_cause_is_looked_at_even_below_every_threshold(mini):
    """Causes count together toward their urgency's threshold, so triage reads every cause:
    one unknown to the knowledge base is an error wherever it ranks."""
    case = make_case(mini, B12_LIKELY)
    ranked = score(mini, case)
    unknown = ranked[-1]._replace(cause_id="not-in-this-knowledge-base")
    with pytest.raises(KeyError):
        triage(mini, case, (*ranked[:-1], unknown))


def test_no_cause_thresholds_means_only_red_flags_count(mini):
    kb = with_settings(mini, cause_thresholds={})
    assert assess(kb, present=B12_LIKELY).triage.reasons == ()
    assert assess(kb, present=B12_LIKELY).triage.level == "routine"
    assert assess(kb, present=["saddle-anesthesia"]).triage.level == "emergency"


# --------------------------------------------------------------------------
# Workup


def test_each_cause_lists_each_test_once_with_its_line(mini):
    assert cause_tests(mini) == {
        IBS: (("calprotectin", True),),
        SFN: (("skin-biopsy", True), ("hba1c", True)),
        B12: (("vitamin-b12-serum", True), ("hba1c", False)),
    }


@pytest.mark.parametrize("lines", [("first", "second"), ("second", "first"), ("first", "first")])
def test_a_test_named_twice_by_one_cause_is_first_line_if_either_is(mini, lines):
    steps = tuple(WorkupStep("hba1c", line, "illustrative") for line in lines)
    kb = with_cause(mini, B12, workup=steps)
    assert cause_tests(kb)[B12] == (("hba1c", True),)
    only_second = with_cause(mini, B12, workup=(WorkupStep("hba1c", "second", "x"), WorkupStep("hba1c", "second", "y")))
    assert cause_tests(only_second)[B12] == (("hba1c", False),)


def test_plan_puts_second_line_tests_after_first_line_ones(mini):
    """With hba1c second-line only (B12), it comes last although B12 holds 97% of the mass;
    first-line tests by yield; each item names its causes in rank order."""
    kb = with_cause(mini, SFN, workup=(WorkupStep("skin-biopsy", "first", "illustrative"),))
    result = assess(kb, present=B12_LIKELY)
    posterior = {s.cause_id: s.posterior for s in result.ranked}
    assert [s.cause_id for s in result.ranked] == [B12, SFN, IBS]
    assert result.plan == (
        PlanItem("vitamin-b12-serum", "first", posterior[B12], (B12,)),
        PlanItem("skin-biopsy", "first", posterior[SFN], (SFN,)),
        PlanItem("calprotectin", "first", posterior[IBS], (IBS,)),
        PlanItem("hba1c", "second", posterior[B12], (B12,)),
    )


def test_plan_orders_equal_yields_by_test_id(mini):
    kb = with_cause(mini, IBS, workup=(WorkupStep("skin-biopsy", "first", "x"), WorkupStep("calprotectin", "first", "x")))
    kb = with_cause(kb, SFN, workup=())
    kb = with_cause(kb, B12, workup=())
    assert [p.test for p in assess(kb).plan] == ["calprotectin", "skin-biopsy"]


WORKED = {"present": ["burning-feet", "diarrhea"], "absent": ["weight-loss", "leg-weakness"]}  # B12 at 1.4%, third


def test_the_min_causes_most_probable_always_contribute(mini):
    """B12 is below min_posterior (0.03) but among the min_causes (3) most probable."""
    result = assess(mini, **WORKED)
    b12 = result.ranked[2]
    assert b12.cause_id == B12 and b12.posterior < 0.03
    items = {p.test: p for p in result.plan}
    assert items["vitamin-b12-serum"] == PlanItem("vitamin-b12-serum", "first", b12.posterior, (B12,))
    assert items["hba1c"].causes == (SFN, B12)


def test_a_cause_past_min_causes_and_below_min_posterior_does_not_contribute(mini):
    kb = with_settings(mini, workup_min_causes=2)
    result = assess(kb, **WORKED)
    posterior = {s.cause_id: s.posterior for s in result.ranked}
    assert result.plan == (
        PlanItem("calprotectin", "first", posterior[IBS], (IBS,)),
        PlanItem("hba1c", "first", posterior[SFN], (SFN,)),  # equal yields: by test id
        PlanItem("skin-biopsy", "first", posterior[SFN], (SFN,)),
    )


def test_min_posterior_is_inclusive(mini):
    case = make_case(mini, **WORKED)
    b12 = next(s.posterior for s in score(mini, case) if s.cause_id == B12)
    at = with_settings(mini, workup_min_causes=0, workup_min_posterior=b12)
    assert "vitamin-b12-serum" in [p.test for p in assess(at, **WORKED).plan]
    above = with_settings(mini, workup_min_causes=0, workup_min_posterior=math.nextafter(b12, 1.0))
    assert "vitamin-b12-serum" not in [p.test for p in assess(above, **WORKED).plan]


def test_max_tests_keeps_the_first_n(mini):
    full = assess(mini, **WORKED).plan
    assert len(full) == 4
    for limit in (1, 2, 4, 9):
        kb = with_settings(mini, workup_max_tests=limit)
        assert plan(kb, score(kb, make_case(kb, **WORKED))) == full[:limit]
