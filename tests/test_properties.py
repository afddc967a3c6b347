"""Properties of the model and of the loader, checked on random input with hypothesis.

Cases are drawn at random from the shipped knowledge base; knowledge bases are
random mutations of the shipped one. Each property is stated in its test's
docstring. The whole file is kept to a few seconds (max_examples below).
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from gutnerve import cli
from gutnerve.api import assess_case
from gutnerve.case import parse_case
from gutnerve.jsonio import dumps_document
from gutnerve.knowledge import KnowledgeBaseError, load
from gutnerve.model import Cause, KnowledgeBase
from gutnerve.report import assessment_dict
from gutnerve.scoring import compile_tables, unmentioned

KB = load()
SHIPPED = Path(KB.root)
FINDINGS = sorted(KB.findings)
LEVELS = KB.settings.triage_levels
# (cause, finding, P(finding | cause), P(finding | background)) for every finding a cause lists, of
# the causes without presentations: a finding changes those by exactly its own ln LR (a mixture
# cause's change is a weighted blend of its components', checked by the mixture property below).
# Links `via` another finding, neutral once the case settles that one, are tests/test_via.py's.
LINKS = sorted(
    (cause.id, link.finding, link.frequency, KB.findings[link.finding].background)
    for cause in KB.causes.values()
    if not cause.presentations
    for link in cause.findings
    if link.via is None
)
# (cause, finding) for every finding some component of a mixture cause lists (not `via` another,
# as LINKS: those are tests/test_via.py's and test_presentations.py's)
MIXED = sorted(
    {
        (cause.id, link.finding)
        for cause in KB.causes.values()
        for component in range(1, cause.components)
        for link in cause.component_findings(component)
        if all(
            cause.component_link(k, link.finding).via is None
            for k in range(cause.components)
            if cause.component_link(k, link.finding)
        )
    }
)
INFORMATIVE = [link for link in LINKS if link[2] != link[3]]  # frequency != background: absence is evidence
RAISING = [link for link in LINKS if link[2] > link[3]]  # likelihood ratio above 1 when present

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_the_shipped_knowledge_base_gives_the_properties_something_to_check() -> None:
    assert len(FINDINGS) >= 20 and len(KB.causes) >= 20
    assert len(INFORMATIVE) >= 100 and len(RAISING) >= 50
    assert KB.red_flags


# -- strategies -------------------------------------------------------------------


def nest(finding: str) -> frozenset[str]:
    """The finding, every finding nested with it (`implies`, either way), and every finding some cause
    links `via` one of those: a case holding one of these would count the finding once with it
    (scoring.nested), or weigh it only while the finding is unknown (tests/test_via.py), so the
    properties below leave them out."""
    related = {finding, *KB.findings[finding].implies}
    related |= {f.id for f in KB.findings.values() if finding in f.implies}
    riders = {
        link.finding
        for cause in KB.causes.values()
        for component in range(cause.components)
        for link in cause.component_findings(component)
        if link.via in related
    }
    return frozenset(related | riders)


def test_nest_holds_the_findings_linked_via_the_finding() -> None:
    """CI found it: with diabetes absent (uremic-neuropathy links it via chronic-kidney-disease), moving
    kidney disease from unknown to absent also took out diabetes's absence, which the property did not expect."""
    via = [(link.finding, link.via) for c in KB.causes.values() for link in c.findings if link.via is not None]
    assert via, "no `via` link in the shipped knowledge base: this test checks nothing"
    for finding, target in via:
        assert finding in nest(target), (finding, target)


@st.composite
def case_data(draw: Any, without: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A valid case as JSON-like data: some findings present, some absent, maybe age, sex and id."""
    reported = draw(st.lists(st.sampled_from([f for f in FINDINGS if f not in without]), unique=True, max_size=12))
    present = draw(st.lists(st.booleans(), min_size=len(reported), max_size=len(reported)))
    data: dict[str, Any] = {
        "present": [f for f, p in zip(reported, present, strict=True) if p],
        "absent": [f for f, p in zip(reported, present, strict=True) if not p],
    }
    for key, values in (
        ("age", st.integers(0, 120)),
        ("sex", st.sampled_from(["female", "male"])),
        ("id", st.text(max_size=12)),
    ):
        value = draw(st.none() | values)
        if value is not None:
            data[key] = value
    return data


def scores(kb: KnowledgeBase, data: dict[str, Any]) -> dict[str, float]:
    """Each cause's unnormalised log score: ln prior weight + sum of ln likelihood ratios."""
    return {s.cause_id: s.log_score for s in assess_case(kb, parse_case(data, kb)).ranked}


def silence(cause: Cause, finding: str, component: int = 0) -> float:
    """ln LR, for one component of a cause, of a case's silence about a finding (model.yaml
    `unmentioned`, r): ln((1 - r p) / (1 - r b)) where the component lists it, not `via` another; else 0."""
    share = KB.settings.mentioned_shares.get(KB.findings[finding].category, 0.0)
    link = cause.component_link(component, finding)
    if share == 0.0 or link is None or link.via is not None:
        return 0.0
    background = KB.findings[finding].background
    return math.log((1 - share * link.frequency) / (1 - share * background))


def hushed(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    """The findings whose silence counted in case `before` and no longer does in `after` (reported
    now, or settled by what is: present and implied, or implying one absent)."""
    tables = compile_tables(KB)
    return set(unmentioned(tables, parse_case(before, KB))) - set(unmentioned(tables, parse_case(after, KB)))


def result_json(data: dict[str, Any]) -> str:
    return dumps_document(assessment_dict(KB, assess_case(KB, parse_case(data, KB))))


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


def flag_groups(data: dict[str, Any]) -> list[list[str]]:
    """The case as command-line flags, each flag with its value."""
    groups = [[f"--{f}"] for f in data["present"]] + [[f"--no-{f}"] for f in data["absent"]]
    return groups + [[f"--{key}", str(data[key])] for key in ("age", "sex") if key in data]


# -- the model --------------------------------------------------------------------


@FAST
@given(case_data())
def test_posteriors_sum_to_one(data: dict[str, Any]) -> None:
    """The unrounded posteriors of all causes sum to 1 within 1e-9, each in [0, 1], most probable first."""
    ranked = assess_case(KB, parse_case(data, KB)).ranked
    posteriors = [s.posterior for s in ranked]
    assert abs(math.fsum(posteriors) - 1.0) <= 1e-9
    assert all(0.0 <= p <= 1.0 for p in posteriors)
    assert posteriors == sorted(posteriors, reverse=True)
    assert sorted(s.cause_id for s in ranked) == sorted(KB.causes)


@FAST
@given(case_data(), st.randoms(use_true_random=False))
def test_output_is_deterministic_whatever_the_order_of_the_ids(data: dict[str, Any], random: Any) -> None:
    """The same case gives byte-for-byte the same JSON, twice, and with its id lists in any order."""
    first = result_json(data)
    assert result_json(data) == first
    shuffled = {**data, "present": random.sample(data["present"], len(data["present"]))}
    shuffled["absent"] = random.sample(data["absent"], len(data["absent"]))
    assert result_json(shuffled) == first


@SLOW
@given(case_data(), st.randoms(use_true_random=False))
def test_cli_json_is_deterministic_whatever_the_order_of_the_flags(data: dict[str, Any], random: Any) -> None:
    """`gutnerve assess ... --json` writes the same bytes twice, with its flags in any order, and the library's JSON."""
    data.pop("id", None)  # no flag for it
    args = ["assess", "--kb", str(SHIPPED), "--json"]
    groups = flag_groups(data)
    first = run_cli(*args, *[arg for group in groups for arg in group])
    assert first[0] == 0 and first[2] == "", first[2]
    random.shuffle(groups)
    assert run_cli(*args, *[arg for group in groups for arg in group]) == first
    assert first[1] == result_json(data) + "\n"


@FAST
@given(st.sampled_from(INFORMATIVE), st.data())
def test_unknown_is_not_the_same_as_absent(link: tuple[str, str, float, float], draw: Any) -> None:
    """For a finding a cause lists with a frequency p other than its background b, moving it from unknown
    to absent changes that cause's log score by ln((1 - p) / (1 - b)), which is not 0; every cause that does
    not list the finding changes by the same ln((1 - u b) / (1 - b)), u = model.yaml `unexplained.share`
    (u = 1, no change, for a finding of a neutral category). Where the case's silence about it, or about a
    finding its absence settles (one that implies it), counted (model.yaml `unmentioned`), that silence's
    ln LR leaves the score: it is never the absence's (r < 1)."""
    cause, finding, p, b = link
    data = draw.draw(case_data(without=nest(finding)))
    unknown = scores(KB, data)
    after = {**data, "absent": [*data["absent"], finding]}
    absent = scores(KB, after)
    hush = hushed(data, after)
    change = absent[cause] - unknown[cause]
    assert change != 0
    expected = math.log((1 - p) / (1 - b)) - sum(silence(KB.causes[cause], f) for f in hush)
    assert change == pytest.approx(expected, abs=1e-9)
    if finding in hush:  # silence is not absence: it weighed less
        assert abs(silence(KB.causes[cause], finding)) < abs(math.log((1 - p) / (1 - b)))
    listing = {c.id for c in KB.causes.values() if any(c.component_link(k, finding) is not None for k in range(c.components))}
    neutral = KB.findings[finding].category in KB.settings.neutral_categories
    share = 1.0 if neutral else KB.settings.unexplained
    unexplained = math.log((1 - share * b) / (1 - b))
    for other in KB.causes.values():
        hushing = [silence(other, f, k) for f in hush for k in range(other.components)]
        if other.id not in listing and (not other.presentations or not any(hushing)):
            expected = unexplained - sum(silence(other, f) for f in hush)
            assert absent[other.id] - unknown[other.id] == pytest.approx(expected, abs=1e-9)


@FAST
@given(st.sampled_from(RAISING), st.data())
def test_a_present_finding_with_likelihood_ratio_above_one_never_lowers_the_cause_odds(
    link: tuple[str, str, float, float], draw: Any
) -> None:
    """Adding a present finding whose likelihood ratio p / b for a cause is above 1 raises that cause's odds
    against its own prior (its unnormalised log score) by ln(p / b) > 0. (Its posterior can still fall, when
    other causes gain more: see the next test.)"""
    cause, finding, p, b = link
    data = draw.draw(case_data(without=nest(finding)))
    before = scores(KB, data)
    added = {**data, "present": [*data["present"], finding]}
    after = scores(KB, added)
    # a silence that counted against the cause leaves with it (model.yaml `unmentioned`): never for it
    hushing = [silence(KB.causes[cause], f) for f in hushed(data, added)]
    assert all(weight <= 0.0 for weight in hushing)
    assert after[cause] > before[cause]
    assert after[cause] - before[cause] == pytest.approx(math.log(p / b) - sum(hushing), abs=1e-9)


@FAST
@given(st.sampled_from(MIXED), st.booleans(), st.data())
def test_a_mixture_cause_moves_by_a_blend_of_its_components_ln_likelihood_ratios(
    pair: tuple[str, str], present: bool, draw: Any
) -> None:
    """For a cause with presentations, reporting one more finding moves its log score by
    ln sum_k r_k LR_k, r_k the components' posterior weights before: a blend of the components' own
    ln LRs for the finding, so never beyond the smallest and the largest of them."""
    cause_id, finding = pair
    cause = KB.causes[cause_id]
    data = draw.draw(case_data(without=nest(finding)))
    before = scores(KB, data)
    side = "present" if present else "absent"
    after = scores(KB, {**data, side: [*data[side], finding]})
    share = 1.0 if KB.findings[finding].category in KB.settings.neutral_categories else KB.settings.unexplained
    background = KB.findings[finding].background
    hush = hushed(data, {**data, side: [*data[side], finding]})  # silences that no longer count
    ln_ratios = []
    for component in range(cause.components):
        link = cause.component_link(component, finding)
        p = link.frequency if link is not None else share * background
        ln_ratio = math.log(p / background) if present else math.log((1 - p) / (1 - background))
        ln_ratios.append(ln_ratio - sum(silence(cause, f, component) for f in hush))
    change = after[cause_id] - before[cause_id]
    assert min(ln_ratios) - 1e-9 <= change <= max(ln_ratios) + 1e-9


def test_the_posterior_itself_can_fall_when_a_supporting_finding_is_added() -> None:
    """Why the property above is about odds, not posteriors: in the shipped knowledge base some finding with a
    likelihood ratio above 1 for a cause still lowers that cause's posterior, because others gain more."""
    base = {s.cause_id: s.posterior for s in assess_case(KB, parse_case({}, KB)).ranked}
    fallen = []
    for cause, finding, _, _ in RAISING:
        after = {s.cause_id: s.posterior for s in assess_case(KB, parse_case({"present": [finding]}, KB)).ranked}
        if after[cause] < base[cause]:
            fallen.append((cause, finding))
    assert fallen


@FAST
@given(st.sampled_from(KB.red_flags), case_data())
def test_a_red_flag_always_sets_at_least_its_level(flag: Any, data: dict[str, Any]) -> None:
    """Whatever else the case says, the findings of a red flag present give a triage level at least as urgent
    as the flag's (kb.settings.triage_levels, most urgent first), with the flag's message among the reasons."""
    data = {
        **data,
        "present": sorted(set(data["present"]) | set(flag.findings)),
        "absent": [f for f in data["absent"] if f not in flag.findings],
    }
    triage = assess_case(KB, parse_case(data, KB)).triage
    assert LEVELS.index(triage.level) <= LEVELS.index(flag.level)
    # its message, or that of the flag on the same findings that says it at least as urgently
    said = [other.message for other in KB.red_flags if set(other.findings) == set(flag.findings)]
    said = [m for m in said if m in [reason.message for reason in triage.reasons]]
    assert said, flag.message
    for other in KB.red_flags:  # and so does every other flag the case happens to raise
        if set(other.findings) <= set(data["present"]):
            assert LEVELS.index(triage.level) <= LEVELS.index(other.level)


# -- mutated knowledge bases ----------------------------------------------------------

YAML_FILES = sorted(str(p.relative_to(SHIPPED)) for p in SHIPPED.rglob("*.yaml"))
MAIN_FILES = ["model.yaml", "findings.yaml", "tests.yaml"]
ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def _nodes(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path to every node of parsed YAML."""
    found = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _nodes(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _nodes(value, (*path, index))
    return found


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        data = data[step]
    return data


def mutate(draw: Any, root: Path) -> str:
    """Break one file of the knowledge base at `root` at random; say how."""
    name = draw(st.sampled_from(MAIN_FILES) | st.sampled_from(YAML_FILES))
    path = root / name
    raw = path.read_bytes()
    kind = draw(
        st.sampled_from(
            [
                "delete-key",
                "retype",
                "number-to-string",
                "duplicate-entry",
                "truncate",
                "insert-bytes",
                "repeat-line",
                "copy-cause",
            ]
        )
    )
    if kind == "truncate":
        cut = draw(st.integers(0, len(raw) - 1))
        path.write_bytes(raw[:cut])
        return f"{name}: truncated to {cut} bytes"
    if kind == "insert-bytes":
        at, junk = draw(st.integers(0, len(raw))), draw(st.binary(min_size=1, max_size=12))
        path.write_bytes(raw[:at] + junk + raw[at:])
        return f"{name}: {junk!r} inserted at byte {at}"
    if kind == "repeat-line":
        lines = raw.splitlines(keepends=True)
        at = draw(st.integers(0, len(lines) - 1))
        path.write_bytes(b"".join(lines[: at + 1] + lines[at:]))
        return f"{name}: line {at + 1} repeated"
    if kind == "copy-cause":
        source = draw(st.sampled_from([f for f in YAML_FILES if f.startswith("causes/")]))
        (root / "causes" / "copy-of-a-cause.yaml").write_bytes((root / source).read_bytes())
        return f"{source} copied to causes/copy-of-a-cause.yaml (same id twice)"
    data = yaml.safe_load(raw)
    nodes = _nodes(data)
    if kind == "delete-key":
        candidates = [p for p in nodes if p and isinstance(_get(data, p[:-1]), dict)]
    elif kind == "number-to-string":
        candidates = [p for p in nodes if p and type(_get(data, p)) in (int, float)]
    elif kind == "duplicate-entry":
        candidates = [p for p in nodes if isinstance(_get(data, p), list) and _get(data, p)]
    else:
        candidates = [p for p in nodes if p]
    if not candidates:
        return f"{name}: no place for {kind}"
    where = draw(st.sampled_from(candidates))
    parent = _get(data, where[:-1]) if where else None
    if kind == "delete-key":
        del parent[where[-1]]
    elif kind == "number-to-string":
        parent[where[-1]] = str(_get(data, where))
    elif kind == "duplicate-entry":
        entries = _get(data, where)
        entries.append(entries[draw(st.integers(0, len(entries) - 1))])
    else:
        parent[where[-1]] = draw(ANY_VALUE)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return f"{name}: {kind} at {list(where)}"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_mutated_knowledge_base_loads_or_is_refused_cleanly(draw: Any) -> None:
    """Whatever one change does to a file of the shipped knowledge base, loading it either succeeds (and then
    assessing works) or raises KnowledgeBaseError with a one-line message, never another exception; and the
    command line agrees: exit 0 with JSON, or exit 2 with that message as its only line on standard error."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "kb"
        shutil.copytree(SHIPPED, root)
        note(mutate(draw.draw, root))
        try:
            kb = load(root, use_cache=False)
            error = None
        except KnowledgeBaseError as refused:
            kb, error = None, refused
        if kb is not None:
            ranked = assess_case(kb, parse_case({}, kb)).ranked
            assert abs(math.fsum(s.posterior for s in ranked) - 1.0) <= 1e-9
        else:
            assert str(error).startswith("malformed knowledge base: ") and "\n" not in str(error)
        with mock.patch.dict(os.environ, {"GUTNERVE_NO_CACHE": "1"}):
            code, out, err = run_cli("assess", "--kb", str(root), "--json")
        if error is None:
            assert (code, err) == (0, ""), err
            assert out.startswith("{")
        else:
            assert (code, out) == (2, ""), err
            assert err == f"gutnerve: error: {' '.join(str(error).split())}\n"
