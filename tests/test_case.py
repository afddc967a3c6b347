"""Checking a case before it is scored: every problem is an error, none is dropped."""

from __future__ import annotations

import pytest

from gutnerve.case import CaseError, check_case, merge, parse_case, parse_json


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ([], "must be a JSON object"),
        ({"presnt": []}, "unknown key 'presnt' (did you mean present?)"),
        ({"age": "54"}, "case.age: must be a whole number of years, not a string"),
        ({"age": True}, "case.age: must be a whole number of years, not a boolean"),
        ({"age": 54.5}, "case.age: must be a whole number of years, not 54.5"),
        ({"age": 54.0}, "case.age: must be a whole number of years, not 54.0"),
        ({"age": 121}, "case.age: 121 is outside 0-120"),
        ({"age": -1}, "case.age: -1 is outside 0-120"),
        ({"sex": "f"}, "case.sex: 'f' is not one of female, male"),
        ({"present": "diarrhea"}, "case.present: must be a list of finding ids, not a string"),
        ({"present": [1]}, "case.present[0]: must be a finding id string, not a number"),
        ({"present": ["burnin-feet"]}, "unknown finding 'burnin-feet' (did you mean burning-feet?)"),
        ({"absent": ["xyzzy"]}, "case.absent[0]: unknown finding 'xyzzy'"),
        ({"present": ["diarrhea"], "absent": ["diarrhea"]}, "listed both present and absent: diarrhea"),
        ({"id": 7}, "case.id: must be a string, not a number"),
    ],
)
def test_bad_case_is_an_error(mini_kb, data, fragment):
    with pytest.raises(CaseError) as raised:
        parse_case(data, mini_kb)
    assert fragment in str(raised.value)
    assert "\n" not in str(raised.value)


def test_all_problems_are_reported_at_once(mini_kb):
    issues = check_case({"age": 500, "sex": "x", "present": ["nope"]}, mini_kb)
    assert [i.where for i in issues] == ["case.age", "case.sex", "case.present[0]"]


def test_good_case(mini_kb):
    case = parse_case({"id": "a", "age": 54, "sex": "female", "present": ["diarrhea"], "absent": ["weight-loss"]}, mini_kb)
    assert (case.id, case.age, case.sex, case.present, case.absent) == ("a", 54, "female", {"diarrhea"}, {"weight-loss"})


@pytest.mark.parametrize(
    ("text", "fragment"), [("{", "invalid JSON at line 1"), (b"\xff\xfe", "not UTF-8"), ("[" * 100_000, "nested too deeply")]
)
def test_bad_json(text, fragment):
    with pytest.raises(CaseError) as raised:
        parse_json(text)
    assert fragment in str(raised.value)


def test_null_is_the_same_as_leaving_a_key_out(mini_kb):
    given = {"id": None, "age": None, "sex": None, "present": ["diarrhea"], "absent": None}
    assert check_case(given, mini_kb) == []
    assert parse_case(given, mini_kb) == parse_case({"present": ["diarrhea"]}, mini_kb)
    with pytest.raises(CaseError, match="unknown key 'sexx'"):  # an unknown key is still refused, null or not
        parse_case({"sexx": None}, mini_kb)


def test_merge_unites_lists_and_refuses_conflicts():
    assert merge({"present": ["a"]}, {"present": ["b", "a"]}) == {"present": ["a", "b"]}
    with pytest.raises(CaseError, match="age is 50 in the input but 60 on the command line"):
        merge({"age": 50}, {"age": 60})
    assert merge({"age": None, "present": None}, {"age": 60, "present": ["b"]}) == {"age": 60, "present": ["b"]}


@pytest.mark.parametrize(
    "text",
    [
        b'{"age": 50, "age": 60}',
        b'{"present": ["diarrhea"], "absent": [], "present": ["fever"]}',
        '{"sex": "male", "sex": "male"}',
    ],
)
def test_a_key_given_twice_is_an_error_not_the_last_value(text):
    from gutnerve.case import CaseError, parse_json

    with pytest.raises(CaseError, match="is given more than once"):
        parse_json(text)


def test_a_key_name_inside_a_value_is_not_a_duplicate():
    from gutnerve.case import parse_json

    assert parse_json(b'{"id": "age", "age": 50}') == {"id": "age", "age": 50}


_VALUES = [None, True, False, 0, 54, 54.0, -1, 121, 120, "", "54", "female", "male", "f", [], {}, ["x"]]


def test_the_plain_case_shortcut_accepts_only_what_the_full_check_accepts(mini_kb):
    """parse_case takes a shortcut for a plainly valid case (most of a batch's): it must give
    the Case the full check gives, and leave everything else (errors included) to that check."""
    import random

    from gutnerve.case import CASE_KEYS, _plain_case

    rng = random.Random(3)
    findings = list(mini_kb.findings)
    items = findings + ["nope", 1, None, True, ["diarrhea"], {"a": 1}]
    taken = 0
    for _ in range(20_000):
        data = {}
        for key in CASE_KEYS + ("other",):
            if rng.random() < (0.02 if key == "other" else 0.7):
                if key in ("present", "absent") and rng.random() < 0.85:
                    pool = findings if rng.random() < 0.8 else items
                    data[key] = [rng.choice(pool) for _ in range(rng.randint(0, 4))]
                elif key == "id" and rng.random() < 0.8:
                    data[key] = rng.choice(["a", "", "case 1", "ünï"])
                else:
                    data[key] = rng.choice(_VALUES)
        fast = _plain_case(data, mini_kb)
        issues = check_case(data, mini_kb)
        if fast is None:
            continue
        taken += 1
        assert issues == [], data
        assert fast == _full_parse(data, mini_kb), data
    assert taken > 1000  # the shortcut was taken (and every error left to the full check)


def _full_parse(data, kb):
    """parse_case without its shortcut."""
    from gutnerve.case import _given
    from gutnerve.model import Case

    assert check_case(data, kb) == []
    given = _given(data)
    case_id = data.get("id") if isinstance(data.get("id"), str) else None
    return Case(
        frozenset(given.get("present", [])), frozenset(given.get("absent", [])), given.get("age"), given.get("sex"), case_id
    )
