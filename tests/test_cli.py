"""The command line as users type it: in-process, through Typer's CliRunner, and as an installed command."""

from __future__ import annotations

import json
import os
import re

import pytest
from typer.testing import CliRunner

from gutnerve import cli

from .conftest import MINI_KB, ROOT, run_process

KB = ["--kb", str(MINI_KB)]
ANSI = re.compile(r"\x1b\[")


# -- through CliRunner -------------------------------------------------------


def invoke(*args: str):
    return CliRunner().invoke(cli.build_typer(list(args)), list(args), prog_name="gutnerve")


def test_clirunner_assess_table():
    result = invoke("assess", *KB, "--burning-feet", "--diarrhea", "--no-weight-loss")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    table = [line for line in lines if re.match(r"^\| \d+ \|", line)]
    assert [line.split("|")[2].strip() for line in table] == ["Ibs pain", "Small fiber", "Vitamin b12"]
    assert "66.2%" in result.output and "30.7%" in result.output
    assert result.output.count("not a diagnosis") == 1
    assert not ANSI.search(result.output)  # not a terminal: no colour codes


def test_clirunner_assess_json_is_one_document():
    result = invoke("assess", *KB, "--burning-feet", "--no-weight-loss", "--age", "54", "--sex", "female", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["case"] == {"age": 54, "sex": "female", "present": ["burning-feet"], "absent": ["weight-loss"], "implied": []}


def test_clirunner_help_groups_findings_by_category():
    result = invoke("assess", *KB, "--help")
    assert result.exit_code == 0
    for panel in ("Neuropathic findings", "Gastrointestinal findings", "Musculoskeletal findings"):
        assert panel in result.output
    assert "--no-burning-feet" in result.output


# -- in-process, as typed ------------------------------------------------------


def test_assess_json_follows_the_contract(run):
    result = run("assess", *KB, "--burning-feet", "--diarrhea", "--json")
    assert result.code == 0 and result.err == ""
    data = result.json()
    assert data["schema_version"] == 1
    assert set(data["triage"]) >= {"level", "reasons"} and data["triage"]["level"] in ("emergency", "urgent", "soon", "routine")
    differential = data["differential"]
    assert [d["rank"] for d in differential] == [1, 2, 3]
    assert sum(d["probability"] for d in differential) == pytest.approx(1, abs=1e-3)
    for entry in differential:
        assert set(entry) >= {"rank", "id", "name", "probability", "for", "against", "workup"}
        assert all(item["weight"] > 0 for item in entry["for"])
        assert all(item["weight"] < 0 for item in entry["against"])
        assert all(isinstance(t, str) for t in entry["workup"])
    assert data["workup"] and all(isinstance(t, str) for t in data["workup"])


def test_top_keeps_full_model_probabilities(run):
    full = run("assess", *KB, "--burning-feet", "--json").json()
    top = run("assess", *KB, "--burning-feet", "--json", "--top", "1").json()
    assert len(top["differential"]) == 1
    assert top["differential"][0] == full["differential"][0]


def test_why_sets_a_cause_beside_the_first_finding_by_finding(run):
    """--why: each counted finding's likelihood ratio for the cause and for the cause ranked first;
    prior ratio x the findings' ratios = the ratio of their probabilities (the odds form of Bayes)."""
    args = ("assess", "--numb-feet", "--balance-problems", "--no-fever", "--diarrhea", "--age", "70", "--top", "2")
    data = run(*args, "--why", "vitamin-e-deficiency", "--json").json()
    why, full = data["why"], run(*args[:-2], "--json").json()["differential"]
    cause, versus = why["cause"], why["versus"]
    first = full[0]
    assert (versus["id"], versus["rank"], versus["probability"]) == (first["id"], 1, first["probability"])
    assert [(d["id"], d["rank"]) for d in full if d["id"] == "vitamin-e-deficiency"] == [(cause["id"], cause["rank"])]
    assert [f["finding"] for f in cause["findings"]][:4] == ["balance-problems", "diarrhea", "numb-feet", "fever"]
    assert [f["present"] for f in cause["findings"]][:4] == [True, True, True, False]
    # then the history the case is silent about that either cause lists (model.yaml `unmentioned`), by id
    silent = cause["findings"][4:]
    assert silent and all(f["present"] is None for f in silent)
    assert [f["finding"] for f in silent] == sorted(f["finding"] for f in silent)
    assert all(f["listed"] or g["listed"] for f, g in zip(silent, versus["findings"][4:], strict=True))
    ratio = cause["prior"] / versus["prior"]
    for mine, theirs in zip(cause["findings"], versus["findings"], strict=True):
        assert mine["finding"] == theirs["finding"]
        ratio *= mine["likelihood_ratio"] / theirs["likelihood_ratio"]
    ratio *= cause.get("mixture_factor", 1.0) / versus.get("mixture_factor", 1.0)  # a cause with presentations
    assert ratio == pytest.approx(cause["probability"] / versus["probability"], rel=0.01)
    table = run(*args, "--why", "vitamin-e-deficiency").out
    assert f"Why {cause['name']} ranks #{cause['rank']}" in table
    assert "  Balance problems  " in table and "LR 9 (90% vs 10%)" in table and "no fever" in table
    assert f"not mentioned: {silent[0]['label'].lower()}" in table.lower()


def test_why_the_first_cause_is_set_beside_the_second(run):
    first = run("assess", *KB, "--burning-feet", "--json").json()["differential"]
    why = run("assess", *KB, "--burning-feet", "--why", first[0]["id"], "--json").json()["why"]
    assert (why["cause"]["rank"], why["versus"]["id"]) == (1, first[1]["id"])
    assert "Why" in run("assess", *KB, "--burning-feet", "--why", first[0]["id"], "--format", "markdown").out
    csv = run("assess", *KB, "--burning-feet", "--why", first[0]["id"], "--format", "csv")
    assert csv.out.startswith("case_id,") and "Why" in csv.err


def test_input_file_and_flags_combine(run, tmp_path):
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"id": "c1", "present": ["burning-feet"]}))
    data = run("assess", *KB, "--input", str(case), "--no-weight-loss", "--json").json()
    assert data["id"] == "c1"
    assert data["case"]["present"] == ["burning-feet"] and data["case"]["absent"] == ["weight-loss"]


def test_conflict_between_file_and_flag_is_an_error(run, tmp_path):
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"present": ["burning-feet"]}))
    result = run("assess", *KB, "--input", str(case), "--no-burning-feet", "--json")
    assert result.code == 2 and result.out == ""
    assert "both present and absent: burning-feet" in result.err


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["assess", *KB, "--burnin-feet"], "no such option: --burnin-feet (did you mean --burning-feet?)"),
        (["assess", *KB, "--zzzz"], "no such option: --zzzz (run `gutnerve assess --help` for its options)"),
        (["findings", *KB, "--zzzz"], "no such option: --zzzz (run `gutnerve findings --help` for its options)"),
        (["kb", "validate", "--zzzz"], "(run `gutnerve kb validate --help` for its options)"),
        (["assess", *KB, "--age", "abc"], "--age"),
        (["assess", *KB, "--age", "130"], "--age"),
        (["assess", *KB, "--sex", "x"], "'x' is not one of: female, male"),
        (["assess", *KB, "--top", "0"], "--top"),
        (["assess", *KB, "--input", "/nonexistent/case.json"], "No such file or directory"),
        (["assess", *KB, "--input", "/"], "is a folder"),
        (["assess", "--kb", "/nonexistent", "--diarrhea"], "knowledge base folder not found"),
        (["explain", *KB, "small-fiber-neurpathy"], "did you mean small-fiber-neuropathy?"),
        (["assess", *KB, "--diarrhea", "--why", "small-fiber-neurpathy"], "--why: unknown cause"),
        (["assessx"], "No such command"),
        (["batch", *KB, "/nonexistent.jsonl"], "No such file or directory"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(run, args, fragment):
    result = run(*args)
    assert result.code == 2
    assert result.out == ""
    assert result.err.count("\n") == 1 and result.err.startswith("gutnerve: error: ")
    assert fragment in result.err
    assert "Traceback" not in result.err


def test_broken_knowledge_base_is_one_line(run, tmp_path):
    import shutil

    shutil.copytree(MINI_KB, tmp_path / "kb")
    (tmp_path / "kb" / "findings.yaml").write_text("findings: [\n")
    result = run("causes", "--kb", str(tmp_path / "kb"), "--json")
    assert result.code == 2 and result.out == ""
    assert result.err.startswith("gutnerve: error: malformed knowledge base: kb/findings.yaml")
    validate = run("kb", "validate", str(tmp_path / "kb"))
    assert validate.code == 2 and "YAML error" in validate.out


def test_kb_validate_ok(run):
    result = run("kb", "validate", str(MINI_KB))
    assert result.code == 0 and "valid" in result.out


def test_batch_scores_good_lines_and_reports_bad_ones(run, tmp_path):
    lines = [
        {"id": "a", "present": ["burning-feet"]},
        {"id": "b", "present": ["nope"]},
        {"id": "c", "absent": ["diarrhea"]},
    ]
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\nnot json\n")
    result = run("batch", *KB, str(path), "--top", "2")
    assert result.code == 2
    out = [json.loads(line) for line in result.out.splitlines()]
    assert [o.get("id") for o in out] == ["a", "b", "c", None]
    assert "error" not in out[0] and len(out[0]["differential"]) == 2
    assert "unknown finding 'nope'" in out[1]["error"] and out[1]["error"].startswith("line 2:")
    assert "invalid JSON" in out[3]["error"]
    assert result.err.count("\n") == 1


def test_findings_causes_explain_json(run):
    findings = run("findings", *KB, "--json").json()
    assert {"id", "label", "category"} <= set(findings[0])
    causes = run("causes", *KB, "--json").json()
    assert sorted(c["id"] for c in causes) == ["ibs-pain-sensitization", "small-fiber-neuropathy", "vitamin-b12-deficiency"]
    card = run("explain", *KB, "small-fiber-neuropathy", "--json").json()
    assert {"id", "name", "findings", "workup", "sources"} <= set(card)
    assert card["findings"][0]["finding"] == "burning-feet"  # most frequent first


def test_explain_text_is_a_study_card(run):
    out = run("explain", *KB, "vitamin-b12-deficiency").out
    for heading in ("Mechanism", "Link to the gut", "Key findings", "Workup", "Sources"):
        assert heading in out
    assert out.count("not a diagnosis") == 1


def test_red_flags_show_what_they_rest_on(run, monkeypatch):
    monkeypatch.delenv("GUTNERVE_KB", raising=False)
    saddle = next(f for f in run("findings", *KB, "--json").json() if f["id"] == "saddle-anesthesia")
    assert (saddle["red_flag"]["basis"], saddle["red_flag"]["note"]) == ("judgement", "Illustrative.")
    card = run("explain", "lead-poisoning", "--json").json()  # the shipped knowledge base
    flag = next(f for f in card["red_flags"] if f["findings"] == ["leg-weakness", "mood-change"])
    assert flag["basis"] in {source["key"] for source in card["sources"]}
    assert flag["note"]
    assert f"(basis: {flag['basis']})" in run("explain", "lead-poisoning").out


def test_triage_triggers_cite_what_they_rest_on(run, monkeypatch):
    """Each red flag that raised the level carries its basis and that source in brief (the same as
    the study card's); a likely cause's posterior carries none."""
    monkeypatch.delenv("GUTNERVE_KB", raising=False)
    result = run("assess", "--saddle-anesthesia", "--low-back-pain", "--leg-weakness", "--mood-change", "--json").json()
    triggers = {t["trigger"]: t for t in result["triage"]["triggers"]}
    saddle = next(f for f in run("findings", "--json").json() if f["id"] == "saddle-anesthesia")["red_flag"]
    assert triggers["finding:saddle-anesthesia"]["basis"] == saddle["basis"] != "judgement"
    assert triggers["finding:saddle-anesthesia"]["source"] == {k: saddle["source"][k] for k in ("key", "cite", "link")}
    card = run("explain", "lead-poisoning", "--json").json()
    flag = next(f for f in card["red_flags"] if f["findings"] == ["leg-weakness", "mood-change"])
    lead = triggers["red-flag:lead-poisoning"]
    assert lead["basis"] == flag["basis"] and lead["source"]["link"] == flag["source"]["link"]
    likely = [t for t in result["triage"]["triggers"] if t["trigger"].startswith("cause")]
    assert likely and all(t["basis"] is None and t["source"] is None for t in likely)


def test_findings_json_cites_each_background(run, monkeypatch):
    monkeypatch.delenv("GUTNERVE_KB", raising=False)
    findings = run("findings", "--json").json()
    for finding in findings:
        source = finding["background_source"]
        if finding["background_basis"] == "judgement":
            assert source is None, finding["id"]
        else:
            assert source["key"] == finding["background_basis"] and source["link"].startswith("http"), finding["id"]
    assert sum(f["background_source"] is not None for f in findings) > len(findings) / 2


def test_explain_a_finding_shows_its_ratio_for_every_cause(run, monkeypatch):
    """`explain <finding>`: each cause that lists it with the likelihood ratios scoring uses, strongest
    first; the causes that do not, with the unexplained share's ratios (shipped: 0.5, not neutral)."""
    monkeypatch.delenv("GUTNERVE_KB", raising=False)
    card = run("explain", "foot-drop", "--json").json()
    assert card["kind"] == "finding" and card["implies"] == ["leg-weakness"]
    background = card["background"]
    listed = card["causes"]
    for entry in listed:
        assert entry["likelihood_ratio"] == round(entry["frequency"] / background, 3)
        assert entry["likelihood_ratio_absent"] == round((1 - entry["frequency"]) / (1 - background), 3)
    assert [e["likelihood_ratio"] for e in listed] == sorted((e["likelihood_ratio"] for e in listed), reverse=True)
    causes = {c["id"] for c in run("causes", "--json").json()}
    assert {e["cause"] for e in listed} | set(card["unlisted"]["causes"]) == causes
    assert {e["cause"] for e in listed}.isdisjoint(card["unlisted"]["causes"])
    assert card["unlisted"]["likelihood_ratio"] == card["unlisted"]["share"] < 1
    assert "foot-drop" in run("explain", "leg-weakness", "--json").json()["implied_by"]
    entrapment = run("explain", "nerve-entrapment", "--json").json()
    drop = next(f for f in entrapment["findings"] if f["finding"] == "foot-drop")
    assert next(e for e in listed if e["cause"] == "nerve-entrapment")["likelihood_ratio"] == drop["likelihood_ratio"]


def test_explain_a_finding_reads_as_a_card(run):
    out = run("explain", *KB, "burning-feet").out
    for part in (
        "Burning feet",
        "Do your feet burn?",
        "--no-burning-feet",
        "How strongly it speaks",
        "basis: clinical judgement",
    ):
        assert part in out
    assert out.count("not a diagnosis") == 1
    missing = run("explain", *KB, "burning-fet")
    assert missing.code == 2 and missing.out == ""
    assert "unknown cause or finding 'burning-fet'; did you mean burning-feet?" in missing.err


def test_version(run):
    from gutnerve import __version__

    assert run("--version").out.strip() == f"gutnerve {__version__}"


def test_kb_environment_variable(run, monkeypatch):
    monkeypatch.setenv("GUTNERVE_KB", str(MINI_KB))
    assert len(run("causes", "--json").json()) == 3


# -- every command is documented ---------------------------------------------


def test_every_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    app = cli.build_command(["causes"])
    names = [name for name in app.commands if name != "kb"] + ["kb validate"]
    for name in names:
        assert f"gutnerve {name}" in readme, f"README.md does not document `gutnerve {name}`"


# -- the installed command, in a subprocess ---------------------------------


def test_installed_command_runs_from_any_folder(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "GUTNERVE_KB"}
    result = run_process("assess", "--burning-feet", "--diarrhea", "--json", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr.decode()
    data = json.loads(result.stdout)
    assert len(data["differential"]) >= 42
    assert result.stderr == b""


def test_installed_command_reads_stdin():
    result = run_process("assess", *KB, "--input", "-", "--json", stdin='{"present": ["diarrhea"]}')
    assert result.returncode == 0
    assert json.loads(result.stdout)["case"]["present"] == ["diarrhea"]


def test_installed_command_batch_from_stdin():
    result = run_process("batch", *KB, "-", stdin='{"id": "x", "present": ["diarrhea"]}\n{"id": "y"}\n')
    assert result.returncode == 0
    assert [json.loads(line)["id"] for line in result.stdout.decode().splitlines()] == ["x", "y"]


def test_installed_command_error_has_no_traceback():
    result = run_process("assess", "--no-such-flag")
    assert result.returncode == 2 and result.stdout == b""
    assert result.stderr.decode().count("\n") == 1 and b"Traceback" not in result.stderr


def test_no_color_when_piped_even_with_force(tmp_path):
    env = dict(os.environ, NO_COLOR="1")
    result = run_process("assess", *KB, "--diarrhea", env=env)
    assert result.returncode == 0 and not ANSI.search(result.stdout.decode())


def test_table_keeps_cause_names_readable(run):
    """Long test names are cut, never the causes or the reasons (a 120-column pipe)."""
    out = run("assess", "--burning-feet", "--diarrhea").out
    first = json.loads(run("assess", "--burning-feet", "--diarrhea", "--json").out)["differential"][0]
    first_row = next(line for line in out.splitlines() if re.match(r"^\|\s+1 \|", line))
    cause_cell, reasons_cell = first_row.split("|")[2].strip(), first_row.split("|")[4].strip()
    # the name wraps between words, so the row's first line is whole words of it (whichever cause
    # the knowledge base ranks first)
    assert first["name"].startswith(cause_cell) and first["name"][len(cause_cell) : len(cause_cell) + 1] in ("", " "), first_row
    assert reasons_cell.startswith("Burning feet"), first_row


@pytest.mark.parametrize("args", [["--diarrhea", "--no-diarrhea"], ["--no-diarrhea", "--burning-feet", "--diarrhea"]])
def test_a_flag_given_both_ways_is_an_error_not_the_last_one(run, args):
    result = run("assess", *args)
    assert result.code == 2 and result.out == ""
    assert result.err == "gutnerve: error: --diarrhea and --no-diarrhea both given: a finding cannot be both present and absent\n"


def test_why_says_when_a_finding_is_counted_through_another(run):
    """A finding a cause lists `via` another the case answers is shown neutral, and why."""
    args = ("assess", "--burning-feet", "--smoker", "--no-alcohol-excess", "--why", "alcohol-related-neuropathy")
    cause = run(*args, "--json").json()["why"]["cause"]
    smoker = next(f for f in cause["findings"] if f["finding"] == "smoker")
    assert (smoker["likelihood_ratio"], smoker["weight"], smoker["listed"], smoker["via"]) == (1.0, 0.0, True, "alcohol-excess")
    assert "LR 1 (neutral: counted through alcohol-excess)" in run(*args).out


def _card_section(card: str, heading: str) -> list[str]:
    """The lines of a printed study card's section: those after the line that starts with
    `heading`, up to the next blank line."""
    lines = card.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading)) + 1
    return lines[start : lines.index("", start)]


def _key_findings_rows(card: str) -> set[str]:
    """The first cells of a printed study card's Key findings table (a wrapped label gives one per
    line, so a label is found by the cell it starts with)."""
    table = card[card.index("Key findings") :].split("\n\n")[0].split("Listed at about")[0].split("Presentations (scored")[0]
    return {row.split("|")[1].strip() for row in table.splitlines() if row.startswith("| ")} - {""}


def test_the_study_card_names_entries_near_background_apart_from_its_table(run, monkeypatch):
    """An entry whose likelihood ratios, present and absent, both lie near 1 (a comorbidity listed at
    its background so that it does not count against the cause) is named in one line under the
    Key findings table, not in it; the table gives both ratios; the JSON keeps every entry."""
    from gutnerve.render.formats import near_background
    from gutnerve.report import in_sentence

    monkeypatch.delenv("GUTNERVE_KB", raising=False)
    card = run("explain", "fabry-disease", "--json").json()  # the shipped knowledge base
    for entry in card["findings"]:
        absent = (1 - entry["frequency"]) / (1 - entry["background"])
        assert entry["likelihood_ratio_absent"] == pytest.approx(absent, abs=1e-3), entry["finding"]
    near = [e for e in card["findings"] if near_background(e)]
    deciding = [e for e in card["findings"] if e not in near]
    assert near and deciding
    out = run("explain", "fabry-disease").out
    line = " ".join(out[out.index("Listed at about their background") : out.index("Red flags")].split())
    assert "LR if absent" in out[out.index("Key findings") : out.index("Listed at about their background")]
    rows = _key_findings_rows(out)
    for entry in near:
        assert entry["label"] not in rows, entry["label"]
        assert in_sentence(entry["label"]) in line, entry["label"]
    for entry in deciding:
        assert any(entry["label"].startswith(row) for row in rows), entry["label"]


def test_an_entry_a_presentation_lists_otherwise_stays_in_the_study_cards_table(run, monkeypatch):
    """Near background in a cause's typical table is not neutral for the cause when one of its
    presentations lists the finding otherwise (thiamine deficiency's eye movements: 1% typical,
    most of its Wernicke presentation): such an entry stays in the Key findings table."""
    from gutnerve.render.formats import near_background

    monkeypatch.delenv("GUTNERVE_KB", raising=False)
    card = run("explain", "thiamine-deficiency", "--json").json()  # the shipped knowledge base
    differs = {f["finding"] for p in card["presentations"] for f in p["findings"]}
    kept = [e for e in card["findings"] if near_background(e) and e["finding"] in differs]
    assert kept, "precondition: a near-background typical entry that a presentation overrides"
    rows = _key_findings_rows(run("explain", "thiamine-deficiency").out)
    for entry in kept:
        assert any(entry["label"].startswith(row) for row in rows), entry["label"]


def test_the_study_card_reads_as_a_card_not_as_its_working(run, monkeypatch):
    """Red flags name their findings by label; a presentation with an urgency of its own shows the
    level and what it means, its working staying in the JSON; the prevalence row is cut to its gist;
    a cause without red flags says so; no line ends in padding."""
    monkeypatch.delenv("GUTNERVE_KB", raising=False)
    monkeypatch.delenv("COLUMNS", raising=False)
    card = run("explain", "nerve-entrapment", "--json").json()  # the shipped knowledge base
    out = run("explain", "nerve-entrapment").out
    for flag in card["red_flags"]:
        assert " + ".join(flag["labels"]) in out and " + ".join(flag["findings"]) not in out
    own = [p for p in card["presentations"] if p["urgency_basis"] is not None]
    assert own, "precondition: a presentation with its own urgency"
    for p in own:
        assert f"Its own urgency: {p['urgency']} (" in out and p["urgency_note"][:60] not in out
    assert card["prior"]["basis"] not in " ".join(out.split()) and "(shortened; all of it with --json)" in out
    assert not [line for line in out.splitlines() if line.endswith(" ")]
    for flag in card["red_flags"]:  # a "[urgent]" is words, not console markup
        assert f"- [{flag['level']}] {' + '.join(flag['labels'])}" in out
    monkeypatch.setenv("COLUMNS", "70")  # wrapped items hang under their text, not the dash
    narrow = run("explain", "nerve-entrapment").out
    workup = _card_section(narrow, "Workup")
    assert len(workup) > len(card["workup"]) and all(line.startswith(("- ", "  ")) for line in workup)
    shown = _card_section(narrow, "Presentations (")
    assert all(line.startswith(("- ", "  ")) for line in shown)  # a presentation's lines hang under it too
    assert any(line.startswith("    ") for line in shown)
    causes = [c["id"] for c in run("causes", "--json").json()]
    bare = next(c for c in causes if not run("explain", c, "--json").json()["red_flags"])
    assert "Red flags: none of its own" in run("explain", bare).out


def test_piped_text_is_as_wide_as_COLUMNS_says(run, monkeypatch):
    """Output that is not a terminal is 120 columns wide unless COLUMNS says otherwise (never
    below 60)."""

    def widest() -> int:
        return max(map(len, run("explain", *KB, "vitamin-b12-deficiency").out.splitlines()))

    monkeypatch.delenv("COLUMNS", raising=False)
    assert 80 < widest() <= 120
    monkeypatch.setenv("COLUMNS", "80")
    assert 60 < widest() <= 80
    monkeypatch.setenv("COLUMNS", "20")
    assert widest() <= 60


def test_the_study_card_lists_the_sources_it_cites_and_counts_the_rest(run, monkeypatch):
    """Every source a printed card rests on (its entries', presentations' and red flags' and the
    ones its texts name, the prevalence gist among them) is listed under Sources; a source that
    only backs a note is counted in the heading, and the JSON keeps all of them."""
    from gutnerve.render.formats import card_sources, prevalence_line

    monkeypatch.delenv("GUTNERVE_KB", raising=False)
    for cause in ("nerve-entrapment", "guillain-barre-syndrome", "folate-deficiency"):
        card = run("explain", cause, "--json").json()  # the shipped knowledge base
        out = run("explain", cause).out
        listed = {line.split("]")[0][3:] for line in _card_section(out, "Sources") if line.startswith("- [")}
        needed = {f["source"] for f in card["findings"]} | {f["basis"] for f in card["red_flags"]}
        needed |= {
            k
            for p in card.get("presentations", [])
            for k in (p["source"], p["urgency_basis"], *(f["source"] for f in p["findings"]))
        }
        needed |= {s["key"] for s in card["sources"] if f"({s['key']})" in prevalence_line(card["prior"])}
        keys = {s["key"] for s in card["sources"]}
        assert needed & keys <= listed, cause
        more = int(re.search(r"; (\d+) more behind the notes are in --json", out)[1])
        assert more > 0 and len(listed) + more == len(card["sources"]), cause
        assert len(card_sources(card)[0]) == len(listed)


def test_the_study_cards_red_flags_come_most_urgent_first_and_its_table_has_a_legend(run, monkeypatch):
    """A card lists its red flags from emergency down, whatever order the cause file gives them
    in (erythema nodosum's file puts its emergency last), and says once what its table's columns
    measure."""
    from gutnerve.render.plain import LEVEL_MEANING

    monkeypatch.delenv("GUTNERVE_KB", raising=False)
    card = run("explain", "erythema-nodosum", "--json").json()  # the shipped knowledge base
    levels = list(LEVEL_MEANING)
    in_file = [levels.index(flag["level"]) for flag in card["red_flags"]]
    assert in_file != sorted(in_file), "precondition: the file's order is not the card's"
    out = run("explain", "erythema-nodosum").out
    printed = [levels.index(line[3:].split("]")[0]) for line in _card_section(out, "Red flags") if line.startswith("- [")]
    assert printed == sorted(in_file)
    assert " ".join(out.split()).count("Background: how often in adults with leg or foot and gut symptoms") == 1


@pytest.mark.parametrize(
    ("extra", "level", "cauda_equina_named"),
    [
        ((), "routine", False),  # back pain with sciatica: no guidance suspects cauda equina on these
        (("--saddle-anesthesia",), "emergency", True),
        (("--sphincter-dysfunction",), "emergency", True),
        (("--leg-weakness",), "emergency", True),  # weakness not said to be of one leg: both, for safety
        (("--foot-drop",), "emergency", True),  # implies leg weakness
        (("--leg-weakness", "--one-leg-only"), None, False),  # a root's weakness, not cauda equina's
    ],
)
def test_back_pain_with_sciatica_is_an_emergency_only_with_cauda_equina_findings(run, extra, level, cauda_equina_named):
    """Cauda equina's `suspect_when` (knowledge/causes/cauda-equina-syndrome.yaml): its probability
    raises triage only with saddle numbness, sphincter trouble or weakness not of one leg only."""
    result = json.loads(run("assess", "--shooting-leg-pain", "--low-back-pain", *extra, "--json").out)
    ranked = [c["id"] for c in result["differential"]]
    assert "cauda-equina-syndrome" in ranked[:3]  # the ranking still weighs it
    if level is not None:
        assert result["triage"]["level"] == level
    else:
        assert result["triage"]["level"] != "emergency"
    named = any(r.startswith("Cauda equina syndrome is") for r in result["triage"]["reasons"])
    assert named is cauda_equina_named


@pytest.mark.parametrize(
    ("findings", "cause", "counted", "watched"),
    [
        # acute porphyria (anderson-2005): abdominal pain or leg weakness
        (("--dark-urine", "--numb-feet"), "Acute intermittent porphyria", False, "abdominal pain"),
        (("--dark-urine", "--abdominal-pain"), "Acute intermittent porphyria", True, None),
        (("--dark-urine", "--foot-drop"), "Acute intermittent porphyria", True, None),  # implies leg weakness
        # deep vein thrombosis (nice-ng158): a swollen, painful or one-sided leg
        (("--recent-immobility", "--smoker"), "Deep vein thrombosis of the leg", False, "leg swelling"),
        (("--recent-immobility", "--calf-pain"), "Deep vein thrombosis of the leg", True, None),
    ],
)
def test_a_rare_emergency_counts_only_with_the_findings_its_guidance_suspects_it_by(run, findings, cause, counted, watched):
    """`suspect_when` in the porphyria and DVT files: risk factors or dark urine alone make the cause
    probable but not an emergency, and a terminal names the finding that would make one."""
    result = json.loads(run("assess", *findings, "--json").out)
    named = any(r.startswith(f"{cause} is") for r in result["triage"]["reasons"])
    assert named is counted
    assert (result["triage"]["level"] == "emergency") is counted
    if watched is not None:
        out = run("assess", *findings).out
        line = next(line for line in out.splitlines() if line.startswith("Go to an emergency department now if"))
        assert watched in line


def test_the_explain_card_says_when_a_cause_is_suspected(run):
    out = run("explain", "cauda-equina-syndrome").out
    line = " ".join(out.split())  # the row wraps
    assert (
        "Suspected when only with saddle anesthesia, sphincter dysfunction or leg weakness (not with symptoms in one leg only)"
        in line
    )
    assert "[bmj-bp-ces]" in line
    card = json.loads(run("explain", "cauda-equina-syndrome", "--json").out)
    assert card["suspect_when"]["basis"] == "bmj-bp-ces"
    assert [e["finding"] for e in card["suspect_when"]["any"]] == ["saddle-anesthesia", "sphincter-dysfunction", "leg-weakness"]
    assert "suspect_when" not in json.loads(run("explain", "vitamin-b12-deficiency", "--json").out)


def test_a_finding_card_says_which_values_read_it(run):
    out = " ".join(run("explain", "hyponatremia").out.split())
    assert "Read from sodium," in out and "present at 132 mmol/l or less, absent at 137 mmol/l or more" in out
    card = json.loads(run("explain", "hyponatremia", "--json").out)
    (measured,) = card["measured"]
    assert measured["basis"] == "spasovski-2014" and measured["source"]["key"] == "spasovski-2014"
    assert measured["scales"][0]["present"] == {"min": None, "max": 132.0}
    assert "measured" not in json.loads(run("explain", "burning-feet", "--json").out)


def test_a_terminal_shows_what_to_watch_for(run):
    """The safety net under the triage (triage.watch_for): routine back pain with sciatica names the
    cauda equina red flags; JSON, the batch line's twin, has none; an emergency needs none."""
    out = run("assess", "--shooting-leg-pain", "--low-back-pain").out
    line = next(line for line in out.splitlines() if line.startswith("Go to an emergency department now if any"))
    assert "saddle anesthesia" in line and "sphincter dysfunction" in line
    assert "watch_for" not in json.loads(run("assess", "--shooting-leg-pain", "--low-back-pain", "--json").out)
    emergency = run("assess", "--saddle-anesthesia").out
    assert "if any of these appear" not in emergency and "if this appears" not in emergency
    answered = run("assess", "--shooting-leg-pain", "--low-back-pain", "--no-saddle-anesthesia").out
    assert "saddle anesthesia" not in next(line for line in answered.splitlines() if "if any of these appear" in line)
