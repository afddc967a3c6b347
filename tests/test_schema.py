"""`gutnerve schema case|result`: valid draft 2020-12 schemas that real inputs and outputs satisfy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

VIGNETTES = Path(__file__).parent / "vignettes"


@pytest.fixture(scope="module")
def schemas(kb):
    from gutnerve.schema import schema

    return {kind: Draft202012Validator(schema(kind, kb)) for kind in ("case", "result")}


def errors(validator, document) -> list[str]:
    return [e.message for e in validator.iter_errors(document)]


def test_the_command_prints_valid_draft_2020_12_schemas(run):
    for kind in ("case", "result"):
        result = run("schema", kind)
        assert result.code == 0
        document = result.json()
        assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        Draft202012Validator.check_schema(document)


def test_unknown_schema_kind_is_exit_2(run):
    result = run("schema", "cases")
    assert result.code == 2 and result.out == "" and "not one of case, result" in result.err


@pytest.mark.parametrize(
    "args",
    [
        ["--burning-feet", "--diarrhea"],
        ["--burning-feet", "--no-weight-loss", "--age", "54", "--sex", "female", "--top", "3"],
        ["--saddle-anesthesia", "--sphincter-dysfunction", "--low-back-pain"],
        ["--text", "34 year old man, tingling feet and leg weakness after diarrhoea, no fever"],
        ["--foot-drop", "--leg-weakness", "--no-abdominal-pain", "--no-right-lower-abdominal-pain"],  # case.implied
        ["--numb-feet", "--no-fever", "--top", "2", "--why", "vitamin-e-deficiency"],  # why, with a neutral finding
        ["--burning-feet", "--foot-drop", "--ask", "3"],  # ask, with an implied finding
        [],
    ],
)
def test_assess_json_matches_the_result_schema(run, schemas, args):
    result = run("assess", *args, "--json")
    assert result.code == 0, result.err
    assert errors(schemas["result"], result.json()) == []


def test_batch_lines_and_error_objects_match_the_result_schema(run, schemas, tmp_path):
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"id": "a", "present": ["diarrhea", "leg-weakness"]}\n{"id": "b", "present": ["nope"]}\n[1]\n')
    result = run("batch", str(cases), "--top", "4")
    assert result.code == 2
    lines = [json.loads(line) for line in result.out.splitlines()]
    assert [("error" in line) for line in lines] == [False, True, True]
    for line in lines:
        assert errors(schemas["result"], line) == []


def test_every_vignette_case_matches_the_case_schema(schemas):
    count = 0
    for path in sorted(VIGNETTES.glob("*.yaml")):
        for vignette in yaml.safe_load(path.read_text()):
            assert errors(schemas["case"], vignette["case"]) == [], vignette["id"]
            count += 1
    assert count >= 100


@pytest.mark.parametrize(
    "case",
    [
        {"age": "54"},
        {"age": True},
        {"age": 121},
        {"sex": "f"},
        {"present": ["no-such-finding"]},
        {"present": "diarrhea"},
        {"symptoms": ["diarrhea"]},
    ],
)
def test_the_case_schema_rejects_what_the_tool_rejects(run, schemas, tmp_path, case):
    assert errors(schemas["case"], case) != []
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case))
    assert run("assess", "--input", str(path), "--json").code == 2


def test_a_result_case_fed_back_is_a_valid_case_with_the_same_result(run, schemas, tmp_path):
    """The result echoes an unknown age and sex as null; the case schema and the tool take null as not given."""
    first = run("assess", "--diarrhea", "--no-fever", "--json").json()
    echoed = {key: first["case"][key] for key in ("age", "sex", "present", "absent")}
    assert echoed["age"] is None and errors(schemas["case"], echoed) == []
    path = tmp_path / "case.json"
    path.write_text(json.dumps(echoed))
    again = run("assess", "--input", str(path), "--json").json()
    assert again["differential"] == first["differential"]


def test_the_result_schema_rejects_a_wrong_result(run, schemas):
    good = run("assess", "--diarrhea", "--json").json()
    for broken in (
        {**good, "triage": {**good["triage"], "level": "whenever"}},
        {**good, "differential": [{**good["differential"][0], "id": "no-such-cause"}]},
        {**good, "differential": [{**good["differential"][0], "probability": 1.5}]},
        {key: value for key, value in good.items() if key != "workup"},
    ):
        assert errors(schemas["result"], broken) != []
