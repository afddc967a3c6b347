"""Nested findings (knowledge base `implies`): a finding another reported finding entails is counted once.

The fixture knowledge base is copied with `leg-weakness` implying `numb-feet` (a fixture's
illustration, not a medical claim): P(weak and numb | c) = P(weak | c), so reporting numbness
as well adds nothing; and P(not weak, not numb | c) = P(not numb | c).
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest

from gutnerve import api, scoring
from gutnerve.knowledge import load
from gutnerve.model import Implied
from gutnerve.report import assessment_dict

from .conftest import MINI_KB


@pytest.fixture
def nested_kb_path(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(MINI_KB, root)
    findings = root / "findings.yaml"
    findings.write_text(findings.read_text().replace("{id: leg-weakness, ", "{id: leg-weakness, implies: [numb-feet], ", 1))
    return root


@pytest.fixture
def nested_kb(nested_kb_path: Path):
    return load(nested_kb_path, use_cache=False)


def logs(kb, **case) -> dict[str, float]:
    ranked = scoring.score(kb, api.make_case(kb, **case))
    return {s.cause_id: s.log_score for s in ranked}


def test_a_present_finding_implied_by_another_is_not_counted_again(nested_kb):
    both = logs(nested_kb, present=["leg-weakness", "numb-feet", "burning-feet"])
    alone = logs(nested_kb, present=["leg-weakness", "burning-feet"])
    assert both == pytest.approx(alone, abs=1e-12)
    case = api.make_case(nested_kb, present=["leg-weakness", "numb-feet"])
    assert scoring.nested(nested_kb, case) == (Implied("numb-feet", True, "leg-weakness"),)


def test_an_absent_finding_implied_by_an_absent_one_is_not_counted_again(nested_kb):
    """No numbness means no weakness (in this fixture): reporting both absences counts one."""
    both = logs(nested_kb, absent=["leg-weakness", "numb-feet"])
    alone = logs(nested_kb, absent=["numb-feet"])
    assert both == pytest.approx(alone, abs=1e-12)
    case = api.make_case(nested_kb, absent=["leg-weakness", "numb-feet"])
    assert scoring.nested(nested_kb, case) == (Implied("leg-weakness", False, "numb-feet"),)


@pytest.mark.parametrize(
    "case",
    [
        {"present": ["numb-feet"]},  # the general finding alone counts as usual
        {"present": ["numb-feet"], "absent": ["leg-weakness"]},  # numb without weakness: both are news
        {"present": ["leg-weakness"], "absent": ["numb-feet"]},  # a contradiction: counted as given
    ],
)
def test_other_combinations_count_every_finding(nested_kb, case):
    kb_case = api.make_case(nested_kb, **case)
    assert scoring.nested(nested_kb, kb_case) == ()
    expected = {}
    for cause in nested_kb.causes.values():
        weight = scoring.prior_weight(cause, kb_case)[0]
        expected[cause.id] = math.log(weight) + sum(c.weight for c in scoring.contributions(nested_kb, cause, kb_case))
    assert logs(nested_kb, **case) == pytest.approx(expected, abs=1e-9)
    reported = {*case.get("present", ()), *case.get("absent", ())}
    assert {c.finding for c in scoring.contributions(nested_kb, nested_kb.causes["vitamin-b12-deficiency"], kb_case)} == reported


def test_the_explanations_leave_out_the_implied_finding(nested_kb):
    result = assessment_dict(nested_kb, api.assess(nested_kb, present=["leg-weakness", "numb-feet"]))
    for row in result["differential"]:
        assert "numb-feet" not in {e["finding"] for e in row["for"] + row["against"]}
        assert "leg-weakness" in {e["finding"] for e in row["for"] + row["against"]}
    assert result["case"]["present"] == ["leg-weakness", "numb-feet"]  # the case as given is kept
    assert result["case"]["implied"] == [
        {
            "finding": "numb-feet",
            "present": True,
            "by": "leg-weakness",
            "message": "Numb feet: counted within Leg weakness, which implies it.",
        }
    ]


def test_the_command_line_says_what_was_not_counted_twice(run, nested_kb_path):
    args = ["--kb", str(nested_kb_path), "assess", "--leg-weakness", "--numb-feet"]
    table = run(*args)
    assert table.code == 0
    assert "Not counted twice: Numb feet: counted within Leg weakness, which implies it." in table.out
    data = json.loads(run(*args, "--json").out)
    assert [i["finding"] for i in data["case"]["implied"]] == ["numb-feet"]
    markdown = run(*args, "--format", "markdown").out
    assert "- Not counted twice: Numb feet" in markdown


def test_the_shipped_knowledge_base_declares_nesting_consistently(kb):
    """Every implication of the shipped knowledge base holds in its numbers (the validator's
    rule, re-checked here on the loaded data): never commoner than what it implies."""
    for finding in kb.findings.values():
        for other in finding.implies:
            assert finding.background <= kb.findings[other].background, (finding.id, other)
