"""The ceiling analysis (gutnerve/ceiling.py): tables learned from vignettes, in-sample and held out."""

from __future__ import annotations

import pytest

from gutnerve import ceiling
from gutnerve.case import parse_case
from gutnerve.evaluation import evaluate, summarise
from tests.conftest import MINI_KB, with_cause


def vignette(cause, present, absent=()):
    return {
        "id": f"v-{cause}-{len(present)}",
        "_file": "x.yaml",
        "case": {"present": list(present), "absent": list(absent)},
        "expected": {"causes": [cause], "triage": "routine"},
    }


VIGNETTES = [
    vignette("small-fiber-neuropathy", ["burning-feet", "diarrhea"], ["leg-weakness"]),
    vignette("small-fiber-neuropathy", ["burning-feet"], ["numb-feet"]),
    vignette("vitamin-b12-deficiency", ["numb-feet", "leg-weakness", "weight-loss"]),
]


def cases(kb, vignettes=VIGNETTES):
    return [parse_case(v["case"], kb) for v in vignettes]


def frequency(kb, cause, finding):
    return kb.causes[cause].link(finding).frequency


def test_counts_tally_present_and_reported_per_expected_cause(mini):
    tally = ceiling.counts(VIGNETTES, cases(mini))
    assert tally[("small-fiber-neuropathy", "burning-feet")] == (2, 2)
    assert tally[("small-fiber-neuropathy", "numb-feet")] == (0, 1)
    assert tally[("small-fiber-neuropathy", "leg-weakness")] == (0, 1)
    assert tally[("vitamin-b12-deficiency", "weight-loss")] == (1, 1)
    assert ("vitamin-b12-deficiency", "burning-feet") not in tally


def test_counts_leave_the_skipped_vignette_out(mini):
    tally = ceiling.counts(VIGNETTES, cases(mini), skip=1)
    assert tally[("small-fiber-neuropathy", "burning-feet")] == (1, 1)
    assert ("small-fiber-neuropathy", "numb-feet") not in tally


def test_a_strong_prior_keeps_the_shipped_frequency_and_a_weak_one_follows_the_cases(mini):
    tally = ceiling.counts(VIGNETTES, cases(mini))
    shipped = frequency(mini, "small-fiber-neuropathy", "numb-feet")
    strong = ceiling.learned(mini, tally, 1e6)
    weak = ceiling.learned(mini, tally, 1e-6)
    assert frequency(strong, "small-fiber-neuropathy", "numb-feet") == pytest.approx(shipped, abs=1e-5)
    assert frequency(weak, "small-fiber-neuropathy", "numb-feet") == 0.005  # never reported present: the floor
    assert frequency(weak, "small-fiber-neuropathy", "burning-feet") == 0.995  # always present: the ceiling
    # strength 1: one pseudo-case at the shipped value, two real ones present
    one = ceiling.learned(mini, tally, 1.0)
    sfn = frequency(mini, "small-fiber-neuropathy", "burning-feet")
    assert frequency(one, "small-fiber-neuropathy", "burning-feet") == pytest.approx((sfn + 2) / 3)
    # findings and causes without counts are untouched, and the input is not changed
    assert one.causes["ibs-pain-sensitization"] is mini.causes["ibs-pain-sensitization"]
    assert frequency(mini, "small-fiber-neuropathy", "burning-feet") == sfn


def test_an_unlisted_finding_starts_from_the_unlisted_weight(kb):
    cause = "lumbar-spinal-stenosis"
    finding = next(
        f
        for f in kb.findings.values()
        if kb.causes[cause].link(f.id) is None and f.category not in kb.settings.neutral_categories
    )
    tally = {(cause, finding.id): (0, 0)}
    strong = ceiling.learned(kb, tally, 1e6)
    assert frequency(strong, cause, finding.id) == pytest.approx(kb.settings.unexplained * finding.background, rel=1e-4)


def test_shipped_row_agrees_with_the_evaluation_and_in_sample_fits_better(mini):
    tables = ceiling.table(mini, VIGNETTES, strengths=(0.01,))
    shipped, in_sample, held_out = tables
    assert shipped.top1 == pytest.approx(summarise(evaluate(mini, VIGNETTES)).top1)
    assert in_sample.top1 == 1.0  # tables fitted to three cases rank all three first
    assert held_out.label.startswith("leave-one-out")
    assert "| in-sample, strength 0.01 | 100.0% |" in ceiling.markdown(tables)


def test_learning_only_from_other_cases_can_miss_a_case_in_sample_fitting_gets(mini):
    # burning feet made rare in small-fiber neuropathy: its one vignette (burning feet) ranks it
    # first only when the tables learn from that very vignette; held out, nothing else teaches it
    sfn = with_cause(
        mini,
        "small-fiber-neuropathy",
        findings=tuple(
            link._replace(frequency=0.025) if link.finding == "burning-feet" else link
            for link in mini.causes["small-fiber-neuropathy"].findings
        ),
    )
    single = [VIGNETTES[1], VIGNETTES[2]]
    shipped, in_sample, held_out = ceiling.table(sfn, single, strengths=(0.01,))
    assert shipped.top1 < 1.0 and in_sample.top1 == 1.0 and held_out.top1 < 1.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--strengths", "0,4"], "must be above 0"),
        (["--strengths", "nan"], "must be above 0"),
        (["--strengths", "4,x"], "not a comma-separated list of numbers"),
        (["--strengths"], "--strengths needs a value"),
        (["--top", "3"], "unknown option --top"),
        (["a", "b"], "one vignette folder, not 2"),
    ],
)
def test_command_line_errors_are_one_line_and_exit_2(capsys, args, message):
    assert ceiling.main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and message in captured.err
    assert captured.err.startswith("gutnerve.ceiling: error:") and captured.err.count("\n") == 1


def test_an_empty_folder_is_refused_in_one_line(capsys, tmp_path):
    assert ceiling.main([str(tmp_path), "--kb", str(MINI_KB)]) == 2
    assert "no vignette files" in capsys.readouterr().err


def test_the_command_prints_the_table(capsys, tmp_path):
    (tmp_path / "v.yaml").write_text(
        "- id: v1\n  case: {present: [burning-feet, diarrhea]}\n  expected: {causes: [small-fiber-neuropathy], triage: routine}\n"
    )
    assert ceiling.main([str(tmp_path), "--kb", str(MINI_KB), "--strengths", "2"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "| tables | top-1 | top-3 | top-5 |"
    assert "| in-sample, strength 2 |" in out and "| leave-one-out, strength 2 |" in out


def test_a_cause_with_presentations_learns_its_typical_table_only():
    """tests/fixtures/mix-kb: small-fiber neuropathy's presentation overrides diarrhoea and weight
    loss; learning changes the cause's own table, keeps the presentation, and the presentation
    takes the learned values of the findings it does not list."""
    from gutnerve.knowledge import load

    mix = load(MINI_KB.parent / "mix-kb", use_cache=False)
    tally = ceiling.counts(VIGNETTES, cases(mix))
    fitted = ceiling.learned(mix, tally, 1.0)
    before, after = mix.causes["small-fiber-neuropathy"], fitted.causes["small-fiber-neuropathy"]
    assert after.presentations == before.presentations
    assert after.link("burning-feet").frequency == pytest.approx((before.link("burning-feet").frequency + 2) / 3)
    assert after.component_link(1, "burning-feet") == after.link("burning-feet")  # inherited, learned
    assert after.component_link(1, "diarrhea") == before.component_link(1, "diarrhea")  # the presentation's own
    rows = ceiling.table(mix, VIGNETTES, strengths=(1.0,))
    assert [r.label for r in rows] == ["shipped knowledge base", "in-sample, strength 1", "leave-one-out, strength 1"]
