"""Turn user input (a JSON case, or command-line flags) into a checked Case.

Input is checked into a list of issues before anything is scored: an unknown
key or id, an id both present and absent, or a value of the wrong type is an
error, never silently dropped. A known key whose value is null is not given
(as the result echoes an unknown age or sex), so a result's `case` can be fed
back as input.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from gutnerve.limits import MAX_CASE_BYTES
from gutnerve.model import Case, Issue, KnowledgeBase

CASE_KEYS = ("id", "age", "sex", "present", "absent")
_QUOTED = {key: f'"{key}"'.encode() for key in CASE_KEYS}  # as they appear in JSON text
SEXES = ("female", "male")
MAX_AGE = 120


class CaseError(Exception):
    """The case is malformed; `issues` lists every problem, `str()` the first in one line."""

    def __init__(self, issues: list[Issue], case_id: str | None = None):
        self.issues = issues
        self.case_id = case_id
        more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
        super().__init__(f"{issues[0].one_line()}{more}")


def suggest(name: str, known: Iterable[str], prefix: str = "") -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"did you mean {prefix}{close[0]}?" if close else ""


def parse_json(text: str | bytes) -> Any:
    """Parse JSON text, raising CaseError with a one-line message."""
    if len(text) > MAX_CASE_BYTES:
        raise CaseError([Issue("error", "case", f"input is {len(text)} bytes, over the limit of {MAX_CASE_BYTES}")])
    from gutnerve import jsonio

    if isinstance(text, bytes) and text.startswith(b"\xef\xbb\xbf"):
        text = text[3:]  # a UTF-8 byte-order mark, as some editors write: harmless
    try:
        data = jsonio.loads(text)
    except jsonio.JSONDecodeError as error:
        if "UTF-8" in error.msg or "surrogates" in error.msg or (isinstance(text, bytes) and b"\x00" in text):
            raise CaseError([Issue("error", "case", _not_utf8(text))]) from None
        if "depth" in error.msg or "recursion" in error.msg:
            raise CaseError([Issue("error", "case", "JSON is nested too deeply")]) from None
        raise CaseError(
            [Issue("error", "case", f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}")]
        ) from None
    if isinstance(data, dict):
        _refuse_duplicate_keys(text, data)
    return data


def _refuse_duplicate_keys(text: str | bytes, data: dict[str, Any]) -> None:
    """A key given twice would silently keep its last value (orjson, like json, does not say).
    A key whose quoted name occurs once in the text cannot be a duplicate, so the text is
    parsed again, keeping every pair, only when a name occurs more than once."""
    raw = text if isinstance(text, bytes) else text.encode()
    for key in data:
        if raw.count(_QUOTED.get(key) or b'"' + str(key).encode() + b'"') > 1:
            break
    else:
        return
    import json

    pairs: list[list[str]] = []

    def keep(items: list[tuple[str, Any]]) -> dict[str, Any]:
        pairs.append([key for key, _ in items])
        return dict(items)

    json.loads(raw, object_pairs_hook=keep)
    keys = pairs[-1]  # the outermost object is built last
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise CaseError([Issue("error", "case", f"key {repeated[0]!r} is given more than once", "give each key once")])


def _not_utf8(data: str | bytes) -> str:
    """What is wrong with input that is not UTF-8, and where (only on the error path: it scans the input)."""
    if not isinstance(data, bytes):
        return "input is not UTF-8 text"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "input is UTF-16 text, not UTF-8 (save it as UTF-8)"
    try:
        data.decode("utf-8")
        where = data.index(b"\x00")  # valid UTF-8, but JSON never has a NUL byte: UTF-16 without a mark, or binary
    except UnicodeDecodeError as error:
        where = error.start
    except ValueError:  # pragma: no cover - the caller saw a NUL byte or a decoding error
        return "input is not UTF-8 text"
    line = data.count(b"\n", 0, where) + 1
    column = where - (data.rfind(b"\n", 0, where) + 1) + 1
    return f"input is not UTF-8 text: byte 0x{data[where]:02x} at line {line} column {column}"


def check_case(data: Any, kb: KnowledgeBase) -> list[Issue]:
    """Every problem with a case given as a JSON-like object."""
    if not isinstance(data, dict):
        return [Issue("error", "case", f"a case must be a JSON object, not {_type(data)}", 'write {"present": [...]}')]
    data = _given(data)
    issues: list[Issue] = []
    for key in data:
        if key not in CASE_KEYS:
            hint = suggest(str(key), CASE_KEYS) or f"allowed keys: {', '.join(CASE_KEYS)}"
            issues.append(Issue("error", "case", f"unknown key {key!r}", hint))
    if "id" in data and not isinstance(data["id"], str):
        issues.append(Issue("error", "case.id", f"must be a string, not {_type(data['id'])}"))
    if "age" in data:
        age = data["age"]
        if not isinstance(age, int) or isinstance(age, bool):
            shown = repr(age) if isinstance(age, float) else _type(age)  # 54.5 or 54.0 is a number, just not whole
            issues.append(Issue("error", "case.age", f"must be a whole number of years, not {shown}"))
        elif not 0 <= age <= MAX_AGE:
            issues.append(Issue("error", "case.age", f"{age} is outside 0-{MAX_AGE}"))
    if "sex" in data and data["sex"] not in SEXES:
        issues.append(Issue("error", "case.sex", f"{data['sex']!r} is not one of {', '.join(SEXES)}"))
    lists: dict[str, list[str]] = {}
    findings = kb.findings
    for key in ("present", "absent"):
        value = data.get(key, [])
        if not isinstance(value, list):
            issues.append(Issue("error", f"case.{key}", f"must be a list of finding ids, not {_type(value)}"))
            continue
        known = [fid for fid in value if type(fid) is str and fid in findings]
        if len(known) == len(value):  # the usual case; otherwise say what is wrong with each
            lists[key] = known
            continue
        lists[key] = []
        for index, fid in enumerate(value):
            if not isinstance(fid, str):
                issues.append(Issue("error", f"case.{key}[{index}]", f"must be a finding id string, not {_type(fid)}"))
            elif fid not in kb.findings:
                hint = suggest(fid, kb.findings) or "run `gutnerve findings` for the list"
                issues.append(Issue("error", f"case.{key}[{index}]", f"unknown finding {fid!r}", hint))
            else:
                lists[key].append(fid)
    both = set(lists.get("present", ())).intersection(lists.get("absent", ()))
    if both:
        issues.append(
            Issue("error", "case", f"listed both present and absent: {', '.join(sorted(both))}", "keep each finding in one list")
        )
    return issues


def parse_case(data: Any, kb: KnowledgeBase) -> Case:
    """A checked Case from a JSON-like object; raises CaseError."""
    plain = _plain_case(data, kb)
    if plain is not None:
        return plain
    issues = check_case(data, kb)
    case_id = data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), str) else None
    if issues:
        raise CaseError(issues, case_id)
    data = _given(data)
    return Case(
        present=frozenset(data.get("present", [])),
        absent=frozenset(data.get("absent", [])),
        age=data.get("age"),
        sex=data.get("sex"),
        id=case_id,
    )


_KEYS = frozenset(CASE_KEYS)
_record = tuple.__new__  # a NamedTuple record without its constructor's Python call (one per batch case)


def _plain_case(data: Any, kb: KnowledgeBase) -> Case | None:
    """The Case of a case that is plainly valid, as most of a batch's are, in fewer steps than
    `check_case`; None for anything else (even valid), which `check_case` then checks in full.
    Accepts only what `check_case` accepts, and gives what `parse_case` gives for it (keep the
    two in step: tests/test_case.py compares them)."""
    if type(data) is not dict or not _KEYS.issuperset(data):
        return None
    get = data.get
    present, absent, age, sex, case_id = get("present"), get("absent"), get("age"), get("sex"), get("id")
    if not (
        (present is None or type(present) is list)
        and (absent is None or type(absent) is list)
        and (age is None or (type(age) is int and 0 <= age <= MAX_AGE))
        and (sex is None or sex in SEXES)
        and (case_id is None or type(case_id) is str)
    ):
        return None
    findings = kb.findings
    try:
        present = frozenset(present or ())
        absent = frozenset(absent or ())
    except TypeError:  # an item that cannot be an id (a list, an object)
        return None
    if not (findings.keys() >= present and findings.keys() >= absent) or not present.isdisjoint(absent):
        return None
    return _record(Case, (present, absent, age, sex, case_id))


def _given(data: dict[str, Any]) -> dict[str, Any]:
    """The case without its known keys set to null (not given); an unknown key stays, to be reported."""
    if None not in data.values():
        return data
    return {key: value for key, value in data.items() if value is not None or key not in CASE_KEYS}


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Combine a case from a file with command-line flags; lists are united."""
    base = _given(base)
    merged = dict(base)
    for key, value in extra.items():
        if key in ("present", "absent"):
            current = base.get(key, [])
            if not isinstance(current, list) or not all(isinstance(v, str) for v in current):
                continue  # not a list of ids: left as it is for check_case to report
            merged[key] = list(dict.fromkeys(current + list(value)))
        elif key in base and base[key] != value:
            raise CaseError([Issue("error", "case", f"{key} is {base[key]!r} in the input but {value!r} on the command line")])
        else:
            merged[key] = value
    return merged


def _type(value: Any) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list", dict: "an object"}
    return "null" if value is None else names.get(type(value), type(value).__name__)
