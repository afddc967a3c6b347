"""gutnerve.jsonline writes, byte for byte, what the reference writes.

`batch` (JSONL) encodes each assessment with `jsonline.assessment_line`, a second,
faster serialisation of the contract's result object. The reference stays
`jsonio.dumps_line(report.assessment_dict(kb, assessment))`: these tests compare the
two over every vignette, thousands of random cases (unicode and quoted ids, nested
findings, missing age or sex, --top 1, 5 and none) on the shipped knowledge base
and on a large synthetic one (scored sparsely), and prove the number table.
"""

from __future__ import annotations

import math
import random
import struct
from pathlib import Path

import orjson
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from gutnerve.api import assess_case
from gutnerve.batch import assess_lines
from gutnerve.case import parse_case
from gutnerve.jsonio import dumps_line
from gutnerve.jsonline import _Numbers, assessment_line
from gutnerve.knowledge import load
from gutnerve.model import KnowledgeBase
from gutnerve.report import assessment_dict

from .conftest import synthetic_kb

ROOT = Path(__file__).parent.parent
TOPS = (1, 5, None)
IDS = ['quote " and \\ backslash', "ünïcødé ✓ 😀", "tab\tnew\nline", "\x01 control", "\u2028 line separator", "</script>", ""]


def reference(kb: KnowledgeBase, data: dict, top: int | None) -> tuple[bytes, bytes]:
    """(the reference's bytes, jsonline's bytes) for one case."""
    assessment = assess_case(kb, parse_case(data, kb), top)
    return dumps_line(assessment_dict(kb, assessment)), assessment_line(kb, assessment)


def random_cases(kb: KnowledgeBase, count: int, seed: int) -> list[dict]:
    """Random valid cases: 0-12 findings split present/absent, a nested pair in about a third
    (when the knowledge base has any), ids plain, odd or missing, age and sex given, null or missing."""
    rng = random.Random(seed)
    findings = list(kb.findings)
    nesting = [(f.id, other) for f in kb.findings.values() for other in f.implies]
    # a finding some cause lists `via` another, with that other: reported together, the first is
    # neutral for that cause (scoring.screening), which the accelerator leaves to the pure path
    vias = sorted({(link.finding, link.via) for c in kb.causes.values() for link in c.findings if link.via})
    cases = []
    for number in range(count):
        chosen = rng.sample(findings, rng.randint(0, 12))
        cut = rng.randint(0, len(chosen))
        present, absent = chosen[:cut], chosen[cut:]
        if nesting and rng.random() < 0.35:  # A implies B: both present, or both absent
            pair = list(rng.choice(nesting))
            if rng.random() < 0.6:
                present, absent = list(dict.fromkeys(present + pair)), [f for f in absent if f not in pair]
            else:
                absent, present = list(dict.fromkeys(absent + pair)), [f for f in present if f not in pair]
        if vias and number % 10 == 0:  # every tenth case, so the draws above are as they were
            turn, pair = divmod(number // 10, len(vias))
            finding, via = vias[pair]
            both = [finding, via][: 1 + turn % 2]  # the other present (odd turns) or absent
            present = [f for f in present if f not in (finding, via)] + both
            absent = [f for f in absent if f not in (finding, via)] + [via][: 1 - turn % 2]
        data: dict = {"present": present, "absent": absent}
        kind = rng.random()
        if kind < 0.5:
            data["id"] = f"case-{number}"
        elif kind < 0.8:
            data["id"] = rng.choice(IDS) + str(number)
        elif kind < 0.9:
            data["id"] = None
        for key, values in (("age", [rng.randint(0, 120), None]), ("sex", ["female", "male", None])):
            if rng.random() < 0.85:
                data[key] = rng.choice(values)
        cases.append(data)
    return cases


def assert_same(kb: KnowledgeBase, cases: list[dict], tops=TOPS) -> int:
    """Compare every case at every top; return how many cases had a nested (implied) finding."""
    implied = 0
    for data in cases:
        for top in tops:
            expected, got = reference(kb, data, top)
            assert got == expected, (data, top)
        implied += bool(assess_case(kb, parse_case(data, kb), 1).implied)
    return implied


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """A knowledge base of 400 causes over 300 findings: scored sparsely (scoring.DENSE_CAUSES)."""
    kb = synthetic_kb(tmp_path_factory.mktemp("synthetic") / "kb", causes=400, findings=300, links=12, seed=3)
    from gutnerve.scoring import compile_tables

    assert not kb.derived(compile_tables).dense
    return kb


def test_every_vignette_is_written_as_the_reference_writes_it(shipped):
    cases = []
    for path in sorted((ROOT / "tests" / "vignettes").glob("*.yaml")):
        for vignette in yaml.safe_load(path.read_text(encoding="utf-8")):
            cases.append({**vignette["case"], "id": vignette["id"]})
    assert len(cases) > 50
    assert_same(shipped, cases)


def test_random_cases_on_the_shipped_knowledge_base(shipped):
    cases = random_cases(shipped, 2000, seed=1)
    implied = assert_same(shipped, cases)
    assert implied > 100  # the nested findings were exercised


def test_random_cases_on_a_large_sparse_knowledge_base(synthetic):
    cases = random_cases(synthetic, 2000, seed=2)
    assert_same(synthetic, cases, tops=(1, 5))
    assert_same(synthetic, cases[:150], tops=(None,))  # every one of 400 causes shown: slow


@settings(max_examples=300, deadline=None)
@given(
    case_id=st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
    chosen=st.lists(st.integers(0, 10_000), max_size=8, unique=True),
    age=st.one_of(st.none(), st.integers(0, 120)),
    sex=st.sampled_from([None, "female", "male"]),
    top=st.sampled_from(TOPS),
)
def test_any_id_and_any_findings(shipped, case_id, chosen, age, sex, top):
    findings = list(shipped.findings)
    picked = list(dict.fromkeys(findings[n % len(findings)] for n in chosen))
    data = {"id": case_id, "present": picked[::2], "absent": picked[1::2], "age": age, "sex": sex}
    expected, got = reference(shipped, data, top)
    assert got == expected


def test_batch_jsonl_output_is_the_reference_joined(shipped):
    cases = random_cases(shipped, 300, seed=4)
    lines = [orjson.dumps(c) + b"\n" for c in cases] + [b"not json\n", b"\n"]
    for top in TOPS:
        data, bad = assess_lines(shipped, lines, 1, top)
        expected = [dumps_line(assessment_dict(shipped, assess_case(shipped, parse_case(c, shipped), top))) for c in cases]
        assert bad == 2
        assert data.split(b"\n")[: len(cases)] == expected


def test_the_number_table_writes_round_4_as_orjson_does():
    """Every value a posterior, prior or yield can round to, and random floats of every kind
    (ties at the fifth place, tiny, negative, huge, inf, nan): `numbers[f"{x:.4f}"]` is the
    reference's `orjson.dumps(round(x, 4) + 0.0)`."""
    numbers = _Numbers()
    for k in range(10_001):
        value = k / 10_000
        assert numbers[f"{value:.4f}"] == orjson.dumps(round(value, 4) + 0.0), value
    rng = random.Random(7)
    values = [rng.random() for _ in range(50_000)]
    values += [k / 2**n for n in range(1, 20) for k in range(1, 2**n, max(1, 2**n // 300))]  # exact binary ties
    values += [(k + 0.5) / 10_000 for k in range(10_000)]  # near ties, either side
    values += [-rng.random() * 1e-4 for _ in range(1000)] + [-0.0, 0.0, 1.0, 1.00004, 1.00005, 2.5, -3.25, 1e-12]
    values += [struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0] for _ in range(20_000)]  # any double
    values += [math.inf, -math.inf, math.nan, 1e300, 123456.78905]
    for value in values:
        assert numbers[f"{value:.4f}"] == orjson.dumps(round(value, 4) + 0.0), value
    assert len(numbers) <= 10_002  # kept only for [0, 1] (and "-0.0000")


def test_the_pieces_kept_stay_small():
    """The pieces are kept for the life of a batch worker: each must be its own size (the bytes
    orjson returns hold a 4 kB buffer however short the JSON; kept as they were, a run's few
    thousand pieces took 50 MB, more than the rest of a worker)."""
    import tracemalloc

    kb = load(use_cache=False)
    assessments = [assess_case(kb, parse_case(data, kb), 5) for data in random_cases(kb, 400, seed=9)]
    tracemalloc.start()  # after scoring: what grows now is the pieces
    try:
        for assessment in assessments:
            assessment_line(kb, assessment)
        grown = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert grown < 2_000_000, grown
