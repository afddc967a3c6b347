"""--format table|json|jsonl|markdown|csv for assess and batch, and --text."""

from __future__ import annotations

import csv
import io
import json
import math

import pytest

from gutnerve.render import formats
from gutnerve.report import DISCLAIMER

CASE = ["--burning-feet", "--diarrhea", "--no-weight-loss"]


@pytest.fixture
def cases_file(tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_text(
        '{"id": "one", "present": ["burning-feet", "diarrhea"]}\n'
        '{"id": "two", "present": ["leg-weakness", "diarrhea"], "absent": ["fever"]}\n'
        '{"id": "bad", "present": ["no-such-finding"]}\n'
    )
    return path


def test_json_is_the_short_form_of_format_json(run):
    assert run("assess", *CASE, "--json").out == run("assess", *CASE, "--format", "json").out


def test_jsonl_is_the_same_object_on_one_line(run):
    line = run("assess", *CASE, "--format", "jsonl").out
    assert line.count("\n") == 1
    assert json.loads(line) == run("assess", *CASE, "--json").json()


def test_csv_has_one_row_per_cause_shown(run):
    document = run("assess", *CASE, "--json", "--top", "4").json()
    rows = list(csv.DictReader(io.StringIO(run("assess", *CASE, "--format", "csv", "--top", "4").out)))
    assert [r["id"] for r in rows] == [d["id"] for d in document["differential"]]
    assert [float(r["probability"]) for r in rows] == [d["probability"] for d in document["differential"]]
    assert [r["rank"] for r in rows] == ["1", "2", "3", "4"]
    assert {r["triage"] for r in rows} == {document["triage"]["level"]}


def test_markdown_is_a_pasteable_table(run):
    out = run("assess", *CASE, "--format", "markdown", "--top", "3").out
    table = [line for line in out.splitlines() if line.startswith("|")]
    assert len(table) == 2 + 3  # header, rule, three causes
    assert all(line.count("|") == 7 for line in table)
    assert out.count(DISCLAIMER) == 1


def test_markdown_escapes_pipes_in_cells():
    result = {
        "triage": {"level": "routine", "reasons": ["a | b"]},
        "differential": [
            {"rank": 1, "name": "A | B", "probability": 0.5, "for": [], "against": [], "workup": ["x|y"]},
        ],
        "workup": [],
    }
    row = [line for line in formats.markdown(result).splitlines() if line.startswith("| 1 ")][0]
    assert "A \\| B" in row and "x\\|y" in row and row.count(" | ") == 5


@pytest.mark.parametrize("flag", [["--json", "--format", "csv"], ["--format", "xml"], ["-f", "yaml"]])
def test_bad_or_contradictory_format_is_exit_2(run, flag):
    result = run("assess", *CASE, *flag)
    assert result.code == 2 and result.out == "" and result.err.count("\n") == 1


def test_table_is_plain_when_not_a_terminal(run):
    out = run("assess", *CASE, "--format", "table").out
    assert "\x1b[" not in out and "Differential" in out and out.count(DISCLAIMER) == 1


def test_batch_json_is_one_array_of_the_jsonl_objects(run, cases_file):
    lines = [json.loads(line) for line in run("batch", str(cases_file)).out.splitlines()]
    array = run("batch", str(cases_file), "--format", "json")
    assert array.code == 2  # one line is bad
    assert json.loads(array.out) == lines and len(lines) == 3


def test_batch_json_of_an_empty_input_is_an_empty_array(run, tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    assert json.loads(run("batch", str(empty), "--json").out) == []
    assert run("batch", str(empty)).out == ""


def test_batch_csv_has_one_header_and_an_error_row(run, cases_file):
    rows = list(csv.reader(io.StringIO(run("batch", str(cases_file), "--format", "csv", "--top", "2").out)))
    assert rows[0] == list(formats.CSV_COLUMNS) and rows.count(rows[0]) == 1
    assert [r[0] for r in rows[1:]] == ["one", "one", "two", "two", "bad"]
    assert "unknown finding" in rows[-1][-1]


@pytest.mark.parametrize("fmt", ["markdown", "table"])
def test_batch_text_formats_show_every_case_and_the_disclaimer_once(run, cases_file, fmt):
    out = run("batch", str(cases_file), "--format", fmt, "--top", "2").out
    assert "one" in out and "two" in out and "unknown finding" in out
    assert out.count(DISCLAIMER) == 1 and "\x1b[" not in out


def test_text_shows_what_it_understood_before_the_differential(run):
    out = run("assess", "--text", "burning feet and diarrhoea for 3 months, no weight loss, sore gums").out
    understood = out.index("Understood from the text")
    assert understood < out.index("Differential")
    assert "burning-feet" in out[understood:] and "weight-loss" in out and "'sore gums'" in out


def test_text_in_json_lists_present_absent_and_unmatched(run):
    result = run("assess", "--text", "tingling feet, denies diarrhea or fever; sore gums", "--json").json()
    assert result["case"]["present"] == ["tingling-feet"]
    assert result["case"]["absent"] == ["diarrhea", "fever"]
    assert [m["finding"] for m in result["understood"]["absent"]] == ["diarrhea", "fever"]
    assert result["understood"]["unmatched"] == ["sore gums"]


@pytest.mark.parametrize(
    "text", ["back pain, possibly cannot pee", "no diarrhoea, back pain and cannot pee", "possibly cannot pee"]
)
def test_a_red_flag_said_with_doubt_is_shown_with_the_triage_it_would_make(run, text):
    out = run("assess", "--text", text).out
    warning = next(line for line in out.splitlines() if line.startswith("  ! sphincter-dysfunction"))
    assert "EMERGENCY" in warning and "--no-sphincter-dysfunction" in warning
    assert out.index(warning) < out.index("TRIAGE:")  # above the triage line, not lost below the table
    uncertain = run("assess", "--text", text, "--json").json()["understood"]["uncertain"]
    assert next(m for m in uncertain if m["finding"] == "sphincter-dysfunction")["if_present_triage"] == "emergency"
    assert "sphincter-dysfunction" not in run("assess", "--text", text, "--json").json()["case"]["present"]


def test_a_doubted_red_flag_answered_by_a_flag_is_not_asked_again(run):
    result = run("assess", "--text", "back pain, possibly cannot pee", "--no-sphincter-dysfunction", "--json").json()
    assert "if_present_triage" not in result["understood"]["uncertain"][0]
    assert "sphincter-dysfunction" in result["case"]["absent"]


def test_a_side_named_asks_about_one_leg_only_when_its_yes_would_raise_the_triage(run):
    out = run("assess", "--text", "pain in my right calf, smoker").out
    assert "  ! one-leg-only ('right') was only suggested by the side named" in out and "EMERGENCY" in out
    assert "one-leg-only" not in run("assess", "--text", "right calf pain", "--json").json()["case"]["present"]


@pytest.mark.parametrize(
    ("text", "finding"), [("back pain, I wet myself", "sphincter-dysfunction"), ("he cannot stand up", "cannot-walk")]
)
def test_a_red_flag_only_hinted_at_is_asked_about(run, text, finding):
    out = run("assess", "--text", text).out
    assert f"  ! {finding} (" in out and "was suggested, not said outright" in out and "EMERGENCY" in out
    result = run("assess", "--text", text, "--json").json()
    (mention,) = [m for m in result["understood"]["uncertain"] if m["finding"] == finding]
    assert mention["doubt"] == "suggests" and mention["if_present_triage"] == "emergency"
    assert finding not in result["case"]["present"] and result["triage"]["level"] != "emergency"


def test_a_red_flag_of_long_ago_is_asked_about_and_a_dated_illness_is_read(run):
    out = run("assess", "--text", "double vision 10 years ago, numb feet").out
    assert "  ! eye-movement-problems ('double vision 10 years ago') was said of the past" in out
    assert "TRIAGE: EMERGENCY" not in out  # not read as double vision now
    result = run("assess", "--text", "had diarrhoea 2 weeks ago, legs weak since yesterday", "--json").json()
    assert set(result["case"]["present"]) == {"recent-gastroenteritis", "leg-weakness", "acute-onset"}
    assert [(m["finding"], m["doubt"]) for m in result["understood"]["uncertain"]] == [("diarrhea", "past")]
    assert result["triage"]["level"] == "emergency"


def test_the_terminal_reads_a_year_with_todays_date(run):
    assert "chronic-course" in run("assess", "--text", "numb feet since 2019", "--json").json()["case"]["present"]


def test_times_and_numbers_not_used_are_shown_with_the_course_a_time_fits(run):
    out = run("assess", "--text", "numb feet, smoker since 2019. It all started 2 days ago.").out
    assert "  times and numbers not used: '2019', '2 days ago' (did you mean --acute-onset?)" in out
    assert (
        "acute-onset" not in run("assess", "--text", "numb feet. It all started 2 days ago.", "--json").json()["case"]["present"]
    )


def test_someone_elses_red_flag_is_not_asked_about(run):
    result = run("assess", "--text", "burning feet, my mother had saddle numbness", "--json").json()
    (mention,) = result["understood"]["uncertain"]
    assert mention["doubt"] == "someone else" and "if_present_triage" not in mention


def test_a_doubted_finding_that_would_not_raise_the_triage_carries_no_level(run):
    (mention,) = run("assess", "--text", "burning feet, maybe diabetes", "--json").json()["understood"]["uncertain"]
    assert mention["doubt"] == "hedged" and "if_present_triage" not in mention


def test_text_combines_with_flags(run):
    result = run("assess", "--text", "burning feet", "--diarrhea", "--json").json()
    assert result["case"]["present"] == ["burning-feet", "diarrhea"]


def test_text_conflicting_with_a_flag_is_exit_2(run):
    result = run("assess", "--text", "no diarrhea", "--diarrhea")
    assert result.code == 2 and result.out == "" and "diarrhea" in result.err


def test_text_with_nothing_recognised_is_exit_2_not_a_guess(run):
    result = run("assess", "--text", "feeling a bit off lately")
    assert result.code == 2 and result.out == "" and "no finding recognised" in result.err


def test_text_with_csv_keeps_stdout_csv_and_tells_stderr(run):
    result = run("assess", "--text", "burning feet, sore gums", "--format", "csv")
    assert result.out.startswith(",".join(formats.CSV_COLUMNS))
    assert "Understood from the text" in result.err and "sore gums" in result.err


def test_plain_and_rich_tables_show_the_same_rows(kb):
    """Piped output uses render.plain, a terminal render.text (rich): the same content either way."""
    from gutnerve import assess
    from gutnerve.render import plain, text
    from gutnerve.report import assessment_dict

    result = assessment_dict(kb, assess(kb, present=["burning-feet", "diarrhea", "leg-weakness"], absent=["fever"], top=5))
    wide_plain = plain.assessment(result, width=400)
    wide_rich = text.assessment(result, plain.Style(color=False, width=400))
    for row in result["differential"]:
        cells = [row["name"], f"{row['probability']:6.1%}", *(line for cell in formats.reason_lines(row) for line in cell)]
        for cell in cells:
            assert cell in wide_plain and cell in wide_rich, cell
    lines = ("TRIAGE: ", *formats.case_lines(result), *result["triage"]["reasons"])
    for line in (*lines, *(item["name"] for item in result["workup_plan"])):
        assert line in wide_plain and line in wide_rich


def _entry(finding: str, weight: float, present: bool = True) -> dict[str, object]:
    ratio = math.exp(weight)
    return {"finding": finding, "label": finding.title(), "present": present, "weight": weight, "likelihood_ratio": ratio}


def test_table_reasons_leave_out_the_neutral_and_count_the_rest():
    """A reason within 5% of LR 1 is not shown as a reason; past three, the cell says how many more."""
    assert formats.reasons([_entry("a", 1.0), _entry("fever", 0.03, present=False)]) == ["A (LR 2.7)"]
    assert formats.reasons([_entry("fever", -0.04, present=False)]) == []
    five = [_entry(name, 1.0 - i / 10) for i, name in enumerate("abcde")]
    assert formats.reasons(five) == ["A (LR 2.7)", "B (LR 2.5)", "C (LR 2.2)", "+2 more"]
    assert formats.reasons([*five[:3], _entry("neutral", 0.01)]) == ["A (LR 2.7)", "B (LR 2.5)", "C (LR 2.2)"]


def test_the_silence_is_one_line_on_the_side_it_argues():
    """What the case does not mention (model.yaml `unmentioned`) is summed into one line, the
    strongest silence on its side named and the rest counted, under For or Against as the sum
    says; reported reasons come first and are not counted in it."""
    row = {
        "for": [_entry("a", 1.0), _entry("oneleg", 0.1, present=None)],
        "against": [_entry("b", -0.5), _entry("numb", -0.3, present=None), _entry("alcohol", -0.6, present=None)],
    }
    together = formats.ratio(math.exp(0.1 - 0.3 - 0.6))
    assert formats.reason_lines(row) == (
        ["A (LR 2.7)"],
        ["B (LR 0.61)", f"not mentioned: alcohol and 2 more (LR {together} together)"],
    )
    row["for"][1]["weight"] = 1.0  # now the silence argues for the cause, through oneleg
    together = formats.ratio(math.exp(1.0 - 0.3 - 0.6))
    assert formats.reason_lines(row) == (
        ["A (LR 2.7)", f"not mentioned: oneleg and 2 more (LR {together} together)"],
        ["B (LR 0.61)"],
    )
    alone = {"for": [], "against": [_entry("numb", -0.3, present=None)]}
    assert formats.reason_lines(alone) == ([], ["not mentioned: numb (LR 0.74)"])
    neutral = {"for": [_entry("x", 0.02, present=None)], "against": [_entry("y", -0.01, present=None)]}
    assert formats.reason_lines(neutral) == ([], [])


def test_tables_say_what_was_assessed(kb):
    """Every finding given, present or absent, with age and sex, on one line above the triage."""
    from gutnerve import assess
    from gutnerve.render import plain
    from gutnerve.report import assessment_dict

    result = assessment_dict(kb, assess(kb, present=["diarrhea", "burning-feet"], absent=["fever"], age=54, sex="female", top=2))
    line = "Assessed: present: burning-feet, diarrhea; absent: fever; age 54; female"
    assert formats.case_lines(result) == [line]
    assert line in plain.assessment(result) and line in formats.markdown(result)
    empty = assessment_dict(kb, assess(kb, top=1))
    assert formats.case_lines(empty) == ["Assessed: present: none"]


def test_piped_table_and_json_do_not_import_rich_or_yaml():
    import subprocess
    import sys

    probe = (
        "import sys; from gutnerve.cli import main; main(sys.argv[1:]); "
        "sys.stderr.write(' '.join(sorted({m.split('.')[0] for m in sys.modules} & {'rich', 'yaml'})))"
    )
    for extra in ([], ["--json"]):
        args = [sys.executable, "-c", probe, "assess", "--burning-feet", "--diarrhea", *extra]
        subprocess.run(args, capture_output=True, check=True)  # warms the knowledge-base cache
        done = subprocess.run(args, capture_output=True, text=True, check=True)
        assert done.stderr == "", f"{extra}: imported {done.stderr}"


def test_the_cli_offers_exactly_the_formats_the_renderers_know():
    """cli.FORMATS is a copy (importing the renderers would cost start-up): keep the two in step."""
    from gutnerve import cli

    assert cli.FORMATS == formats.FORMATS


@pytest.mark.parametrize(
    ("value", "shown"), [(120.0, "120"), (55.0, "55"), (3.66, "3.7"), (0.571, "0.57"), (0.0213, "0.021"), (10.0, "10")]
)
def test_likelihood_ratios_read_as_plain_numbers(value, shown):
    assert formats.ratio(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"), [(0.55, "55%"), (0.1, "10%"), (0.025, "2.5%"), (0.005, "0.5%"), (0.06, "6%"), (0.0, "0%")]
)
def test_small_percentages_keep_two_digits(value, shown):
    assert formats.percent(value) == shown


def test_study_card_shows_small_frequencies_and_large_ratios_plainly(run):
    out = run("explain", "fabry-disease").out  # its table has backgrounds under 1% and LRs over 99
    assert "e+" not in out and "| 0% " not in out


def test_a_label_inside_a_sentence_keeps_an_abbreviation_capitalised(run):
    from gutnerve.report import in_sentence

    assert in_sentence("Burning feet") == "burning feet"
    assert in_sentence("IBD flare") == "IBD flare"
    assert formats.said({"label": "IBD flare", "present": False}) == "no IBD flare"
    assert formats.said({"label": "Weight loss", "present": False}) == "no weight loss"
    # as users see it: a known-absent IBD flare counted within a known-absent IBD diagnosis
    case = run("assess", "--no-ibd-flare", "--no-ibd-diagnosed", "--burning-feet", "--json").json()["case"]
    assert [i["message"] for i in case["implied"]] == ["No IBD flare: counted within no IBD diagnosed, which implies it."]


def test_the_card_states_the_prior_adjustments_in_one_line():
    from gutnerve.render.text import prior_adjustments

    prior = {
        "age": [
            {"min": 60, "max": None, "factor": 1.94},
            {"min": None, "max": 39, "factor": 0.3},
            {"min": 40, "max": 59, "factor": 1.2},
        ],
        "sex": {"female": 1.0, "male": 1.82},
    }
    text = prior_adjustments(prior)
    assert text.startswith("age 60+ x1.94; age up to 39 x0.3; age 40-59 x1.2; male x1.82 (")  # as the file gives them
    assert "female" not in text  # a factor of 1 changes nothing and is not listed


def test_a_cards_prevalence_gives_the_gist_of_its_basis_and_names_the_class_once():
    """The card shows a prior's basis up to the first sentence end past GIST_CHARS and says where
    the rest is; a basis that opens with its class ("Rare, by clinical judgement") is not prefixed
    with the class again; a short opening sentence takes the next one with it."""
    long = {
        "prevalence": "rare",
        "basis": "Rare, by clinical judgement: it is uncommon in people with gut symptoms (a-2020). Working: 0.3 x 0.2 = 0.06.",
    }
    line = formats.prevalence_line(long)
    assert line.startswith("Rare, by clinical judgement: it is uncommon") and "0.3 x 0.2" not in line
    assert line.endswith("(a-2020). (shortened; all of it with --json)")
    short = {"prevalence": "very-rare", "basis": "Clinical judgement."}
    assert formats.prevalence_line(short) == "very-rare: Clinical judgement."
    both = {
        "prevalence": "uncommon",
        "basis": "Clinical judgement. It is found in about 2% of adults with gut symptoms (b-2021). Et cetera.",
    }
    assert (
        formats.prevalence_line(both)
        == "uncommon: Clinical judgement. It is found in about 2% of adults with gut symptoms (b-2021). (shortened; all of it with --json)"
    )
    hyphen = {"prevalence": "ultra-rare", "basis": "Ultra-rare: about 1 per million."}
    assert formats.prevalence_line(hyphen) == "Ultra-rare: about 1 per million."


def test_a_red_flag_hinted_at_twice_is_asked_about_once(run):
    out = run("assess", "--text", "hot and shivering, breathing really fast, back pain").out
    (line,) = [line for line in out.splitlines() if line.startswith("  ! sepsis-signs")]
    assert "'hot and shivering', 'breathing really fast'" in line


def test_text_reads_a_value_by_the_sex_given_with_it(run):
    """`--sex` picks a measurement's bounds for that sex where the text names none (Hb 12.5 g/dL)."""
    man = run("assess", "--text", "Hb 12.5 g/dL, numb feet", "--sex", "male", "--json").json()
    assert "anemia" in man["case"]["present"]
    woman = run("assess", "--text", "Hb 12.5 g/dL, numb feet", "--sex", "female", "--json").json()
    assert "anemia" in woman["case"]["absent"]
    unknown = run("assess", "--text", "Hb 12.5 g/dL, numb feet", "--json").json()
    assert "anemia" not in unknown["case"]["present"] + unknown["case"]["absent"]
