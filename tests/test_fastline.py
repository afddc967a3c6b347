"""The compiled accelerator (gutnerve._speedups via gutnerve.fastline) writes, byte for byte,
what the reference writes, and batch gives the same output with it and without it.

The reference is `jsonio.dumps_line(report.assessment_dict(kb, assess_case(...)))`. These
tests run where the extension is built (a source checkout or an install with a C compiler:
`test_the_extension_is_built_where_a_compiler_is` fails if it should be there and is not)
and compare, over the vignettes, thousands of random cases (odd ids, nested findings, missing
age or sex, --top 1, 5 and none) on the shipped knowledge base and on a synthetic one scored
densely, and batch runs with one and two jobs, with GUTNERVE_PURE=1 and without.
"""

from __future__ import annotations

import io
import math
import os
import random
import shutil
import struct
import sys
import sysconfig
from pathlib import Path

import orjson
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from gutnerve import batch, fastline
from gutnerve.api import assess_case
from gutnerve.case import parse_case
from gutnerve.jsonio import dumps_line
from gutnerve.jsonline import _Numbers
from gutnerve.knowledge import load
from gutnerve.model import KnowledgeBase, PlanItem, Triage
from gutnerve.report import assessment_dict
from gutnerve.scoring import compile_tables, score

from .test_jsonline import IDS, TOPS, random_cases

ROOT = Path(__file__).parent.parent
speedups = fastline.extension()
needs_speedups = pytest.mark.skipif(speedups is None, reason="the compiled accelerator is not built (or GUTNERVE_PURE is set)")


def reference(kb: KnowledgeBase, data: dict, top: int | None) -> bytes:
    return dumps_line(assessment_dict(kb, assess_case(kb, parse_case(data, kb), top)))


def accelerated(kb: KnowledgeBase, data: dict, top: int | None) -> bytes:
    compiled = fastline.accelerator(kb)
    assert compiled is not None
    return fastline.line(kb, compiled, parse_case(data, kb), top)


def assert_same(kb: KnowledgeBase, cases: list[dict], tops=TOPS) -> int:
    """Compare every case at every top; return how many comparisons were made."""
    compared = 0
    for data in cases:
        for top in tops:
            assert accelerated(kb, data, top) == reference(kb, data, top), (data, top)
            compared += 1
    return compared


@pytest.fixture(scope="module")
def shipped() -> KnowledgeBase:
    return load(use_cache=False)


@pytest.fixture(scope="module")
def dense_synthetic(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """A knowledge base of 90 causes over 400 findings: still scored densely, so accelerated."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic_kb import write

    folder = tmp_path_factory.mktemp("dense") / "kb"
    write(folder, causes=90, findings=400, links=12, seed=5)
    kb = load(folder, use_cache=False)
    assert kb.derived(compile_tables).dense
    return kb


def test_the_extension_is_built_where_a_compiler_is():
    """An install or editable install on a machine with a C compiler builds the extension
    (hatch_build.py); here it must then be the module the tests import."""
    if os.environ.get("GUTNERVE_NO_SPEEDUPS", "") not in ("", "0") or os.environ.get(fastline.PURE, "") not in ("", "0"):
        pytest.skip("built or used without the accelerator on purpose")
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        pytest.skip(f"no C compiler ({compiler}): the pure Python path is used")
    assert speedups is not None, "gutnerve._speedups is not built: reinstall (pip install -e '.[test]')"
    assert Path(speedups.__file__).parent == Path(fastline.__file__).parent  # the package under test


def test_gutnerve_pure_forces_the_pure_path(shipped, monkeypatch):
    monkeypatch.setenv(fastline.PURE, "1")
    assert fastline.extension() is None
    assert fastline.accelerator(shipped) is None
    monkeypatch.setenv(fastline.PURE, "0")
    assert (fastline.accelerator(shipped) is None) == (speedups is None)


@needs_speedups
def test_every_vignette(shipped):
    cases = []
    for path in sorted((ROOT / "tests" / "vignettes").glob("*.yaml")):
        for vignette in yaml.safe_load(path.read_text(encoding="utf-8")):
            cases.append({**vignette["case"], "id": vignette["id"]})
    assert assert_same(shipped, cases) > 150


@needs_speedups
def test_random_cases_on_the_shipped_knowledge_base(shipped):
    cases = random_cases(shipped, 3000, seed=11)
    assert assert_same(shipped, cases) == 9000
    nested = sum(bool(assess_case(shipped, parse_case(c, shipped), 1).implied) for c in cases)
    assert nested > 150  # nested findings were exercised


@needs_speedups
def test_random_cases_on_a_synthetic_dense_knowledge_base(dense_synthetic):
    cases = random_cases(dense_synthetic, 1500, seed=12)
    assert assert_same(dense_synthetic, cases) == 4500


def test_a_sparse_knowledge_base_takes_the_pure_path(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic_kb import write

    write(tmp_path / "kb", causes=150, findings=200, links=12, seed=6)
    kb = load(tmp_path / "kb", use_cache=False)
    assert not kb.derived(compile_tables).dense
    assert fastline.accelerator(kb) is None
    cases = random_cases(kb, 60, seed=13)
    lines = [orjson.dumps(c) + b"\n" for c in cases]
    data, bad = batch.assess_lines(kb, lines, 1, 5)
    assert bad == 0
    assert data.split(b"\n") == [reference(kb, c, 5) for c in cases]


@needs_speedups
@settings(max_examples=300, deadline=None)
@given(
    case_id=st.one_of(st.none(), st.text(st.characters(blacklist_categories=("Cs",)), max_size=12), st.sampled_from(IDS)),
    chosen=st.lists(st.integers(0, 10_000), max_size=14, unique=True),
    age=st.one_of(st.none(), st.integers(0, 120)),
    sex=st.sampled_from([None, "female", "male"]),
    top=st.sampled_from((1, 2, 5, 41, 42, 43, 1000, None)),
)
def test_any_id_any_findings_any_top(shipped, case_id, chosen, age, sex, top):
    findings = list(shipped.findings)
    picked = list(dict.fromkeys(findings[n % len(findings)] for n in chosen))
    data = {"id": case_id, "present": picked[::2], "absent": picked[1::2], "age": age, "sex": sex}
    assert accelerated(shipped, data, top) == reference(shipped, data, top)


@needs_speedups
def test_the_kernel_is_bit_for_bit_scoring(shipped):
    """Logs, posteriors and ranking as floats equal to the last bit, for random cases."""
    compiled = fastline.accelerator(shipped)
    assert compiled is not None
    for data in random_cases(shipped, 1000, seed=14):
        case = parse_case(data, shipped)
        ranked = score(shipped, case, detail=None)
        counted = fastline.scoring.counted(shipped, case)
        index, _ = compiled.priors[case.age, case.sex]
        present = tuple(map(compiled.present.__getitem__, counted.present))
        absent = tuple(map(compiled.absent.__getitem__, counted.absent))
        logs, posterior, order = compiled.dense.score(index, present, absent)
        ids = compiled.cause_ids
        assert [ids[i] for i in order] == [s.cause_id for s in ranked]
        assert [(logs[i], posterior[i]) for i in order] == [(s.log_score, s.posterior) for s in ranked]
        assert all(math.copysign(1, p) == 1 for p in posterior)


@needs_speedups
def test_the_gathered_workup_is_the_plan(shipped):
    """The accelerator's sums of posteriors per test, ordered by workup.ordered, give workup.plan's
    plan (yields equal to the last bit), whatever the number of contributing causes."""
    from gutnerve import workup

    compiled = fastline.accelerator(shipped)
    assert compiled is not None
    dense = compiled.dense
    for data in random_cases(shipped, 1000, seed=19):
        case = parse_case(data, shipped)
        ranked = score(shipped, case, detail=None)
        order = [compiled.cause_ids.index(s.cause_id) for s in ranked]
        posterior = [0.0] * len(order)
        for index, scored in zip(order, ranked, strict=True):
            posterior[index] = scored.posterior
        count = workup.contributing(shipped.settings, (s.posterior for s in ranked))
        assert workup.ordered(shipped.settings, dense.gather(order, posterior, count)) == workup.plan(shipped, ranked)
        gathered = dense.gather(order, posterior, len(order))  # every cause: every test some cause lists
        assert sorted(test for test, _, _, _ in gathered) == sorted({s.test for c in shipped.causes.values() for s in c.workup})
        assert dense.gather(order, posterior, 0) == []
    with pytest.raises(ValueError):
        dense.gather(order[:-1], posterior, 3)
    with pytest.raises(ValueError):
        dense.gather([len(order)] + order[1:], posterior, 3)
    with pytest.raises(ValueError):
        dense.set_tests(compiled.cause_ids, ("a-test",), ((),) * (len(order) - 1))
    with pytest.raises(ValueError):
        dense.set_tests(compiled.cause_ids, ("a-test",), (((1, True),),) * len(order))
    with pytest.raises(ValueError):
        dense.set_tests(compiled.cause_ids, ("a-test",), (((0, True), (0, False)),) * len(order))
    with pytest.raises(TypeError):
        dense.set_tests(compiled.cause_ids, ("a-test",), ((0,),) * len(order))


@needs_speedups
def test_fsum_is_math_fsum():
    rng = random.Random(15)
    cases = [[], [0.0], [1e-16, 1.0, 1e16], [1.0, 1e100, 1.0, -1e100], [0.1] * 10, [2.0**-1074] * 3]
    cases += [[1.0, -(2.0**-53), -(2.0**-106)], [1.0, 2.0**-53, 2.0**-106], [1e308, -1e308, 1e308]]
    for _ in range(3000):
        size = rng.randint(1, 60)
        kind = rng.random()
        if kind < 0.4:  # posteriors' odds: in (0, 1]
            values = [math.exp(-rng.random() * 40) for _ in range(size)]
        elif kind < 0.7:  # cancelling magnitudes
            values = [rng.choice([-1, 1]) * rng.random() * 10.0 ** rng.randint(-30, 30) for _ in range(size)]
        else:  # any finite double
            values = [v for v in (struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0] for _ in range(size))]
            values = [v for v in values if math.isfinite(v) and abs(v) < 1e307]
        cases.append(values)
    for values in cases:
        expected = math.fsum(values)
        got = speedups.fsum(values)
        assert got == expected and math.copysign(1, got) == math.copysign(1, expected), values
    with pytest.raises(ValueError):
        speedups.fsum([1.0, math.inf])
    for values in ([1.0, math.nan], [-math.inf]):  # math.fsum gives nan or inf: the kernel, never fed them, refuses
        with pytest.raises(ValueError):
            speedups.fsum(values)
    with pytest.raises(OverflowError):  # as math.fsum
        math.fsum([1e308, 1e308, -1e308])
    with pytest.raises(OverflowError):
        speedups.fsum([1e308, 1e308, -1e308])


NO_TRIAGE = Triage("routine", ())
CASE = (None, None, None, (), (), b"")  # id, age, sex, present, absent, implied


def test_the_number_table_is_the_references():
    numbers = _Numbers()
    table = fastline.number_table()
    assert len(table) == 10_001
    assert all(table[k] == numbers[f"{k / 10_000:.4f}"] for k in range(10_001))


def _probability(line: bytes) -> bytes:
    start = line.index(b'"probability":') + len(b'"probability":')
    return line[start : line.index(b",", start)]


@needs_speedups
def test_numbers_are_written_as_the_reference_rounds_them(shipped):
    """Any posterior (near ties at the fifth place, tiny, negative, above 1, inf, nan) is
    written as `orjson.dumps(round(x, 4) + 0.0)`: from the table, or through Python near a tie."""
    compiled = fastline.accelerator(shipped)
    assert compiled is not None
    count = len(compiled.cause_ids)
    index, _ = compiled.priors[None, None]
    rng = random.Random(16)
    values = [k / 10_000 for k in range(10_001)] + [rng.random() for _ in range(5000)]
    values += [(k + 0.5) / 10_000 for k in range(10_000)]  # the nearest doubles to the ties
    values += [math.nextafter((k + 0.5) / 10_000, side) for k in range(0, 10_000, 7) for side in (0.0, 2.0)]
    values += [k / 2**n for n in range(1, 18) for k in range(1, 2**n, max(1, 2**n // 200))]
    values += [-0.0, 0.0, 1.0, -1e-9, -0.00004, -0.00005, -0.00006, -0.5, 1.00004, 1.00005, 1.00006, 2.5, 1e-300]
    values += [math.inf, -math.inf, math.nan, 1e300, 123456.78905]
    for value in values:
        line = compiled.dense.line(
            None, None, None, (), (), b"", NO_TRIAGE, index, (), [value] * count, list(range(count)), 1, ()
        )
        assert _probability(line) == orjson.dumps(round(value, 4) + 0.0), value


@needs_speedups
def test_bad_arguments_raise_and_do_not_crash(shipped):
    compiled = fastline.accelerator(shipped)
    assert compiled is not None
    dense = compiled.dense
    count = len(compiled.cause_ids)
    index, _ = compiled.priors[40, "male"]
    row = compiled.present[next(iter(shipped.findings))]
    post, order = [0.5] * count, list(range(count))
    with pytest.raises(ValueError):
        dense.score(index + 10_000, (), ())
    with pytest.raises(ValueError):
        dense.score(index, (10**6,), ())
    with pytest.raises(TypeError):
        dense.score(index, ("row",), ())
    never = 2 * len(shipped.findings) - 1  # a row no case has reported yet may still be unset
    dense.score(index, (row,), ())
    with pytest.raises(ValueError):
        dense.line(*CASE, NO_TRIAGE, index, (row,), post[:-1], order, 5, ())
    with pytest.raises(ValueError):
        dense.line(*CASE, NO_TRIAGE, index, (row,), post, [count] + order[1:], 5, ())
    with pytest.raises(TypeError):
        dense.line(*CASE, NO_TRIAGE, index, (row,), ["x"] * count, order, 5, ())
    with pytest.raises(TypeError):
        dense.line(None, "54", None, (), (), b"", NO_TRIAGE, index, (row,), post, order, 5, ())
    with pytest.raises(TypeError):
        dense.line(None, None, None, (), (), b"", ("urgent", (("too", "short"),)), index, (row,), post, order, 5, ())
    with pytest.raises(ValueError):
        dense.line(None, None, None, (never + 1,), (), b"", NO_TRIAGE, index, (row,), post, order, 5, ())
    with pytest.raises(KeyError):
        dense.line(*CASE, NO_TRIAGE, index, (row,), post, order, 5, (PlanItem("no-such-test", "first", 0.5, ()),))
    with pytest.raises(TypeError):
        dense.line(*CASE, NO_TRIAGE, index, (row,), post, order, 5, (("too", "short"),))
    with pytest.raises(ValueError):
        dense.line(*CASE, NO_TRIAGE, index, (row,), post, order, -1, ())
    with pytest.raises(IndexError):
        dense.set_row(never + 1, (0.0,) * count, (None,) * count)
    with pytest.raises(ValueError):
        dense.set_row(never, (0.0,), (None,))
    with pytest.raises(TypeError):
        dense.add_prior([0.0] * count, [0.0] * count, ("x",) * count)


@pytest.mark.parametrize("pure", [False, True])
@pytest.mark.parametrize("jobs", [1, 2])
def test_batch_output_is_the_reference_with_and_without_the_accelerator(shipped, monkeypatch, pure, jobs):
    if pure:
        monkeypatch.setenv(fastline.PURE, "1")
    else:
        monkeypatch.delenv(fastline.PURE, raising=False)
    cases = random_cases(shipped, batch.CHUNK_LINES * 2 + 31, seed=17)
    lines = [orjson.dumps(c) + b"\n" for c in cases] + [b"not json\n", b'{"present": ["nope"]}\n']
    for top in (1, 5, None):
        out = io.BytesIO()
        errors = batch.run(shipped, None, io.BytesIO(b"".join(lines)), out, top=top, jobs=jobs)
        written = out.getvalue().splitlines()
        assert errors == 2
        assert written[: len(cases)] == [reference(shipped, c, top) for c in cases]
        assert b'"error":"line ' in written[-2] and b'"error":"line ' in written[-1]


@needs_speedups
def test_no_memory_grows_over_many_calls(shipped):
    """A leak check: the same cases run again and again leave the traced memory flat
    (a reference leaked per call, of a float or a line, would grow it by megabytes)."""
    import gc
    import tracemalloc

    compiled = fastline.accelerator(shipped)
    assert compiled is not None
    cases = [parse_case(data, shipped) for data in random_cases(shipped, 200, seed=18)]
    for case in cases:  # fill every lazy table first
        fastline.line(shipped, compiled, case, 5)
    tracemalloc.start()
    try:
        for case in cases * 5:
            fastline.line(shipped, compiled, case, 5)
        gc.collect()  # also empties the free lists of tuples and floats, which tracemalloc counts as in use
        before = tracemalloc.get_traced_memory()[0]
        for case in cases * 50:
            fastline.line(shipped, compiled, case, 5)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 20_000, grown  # 10,000 calls: under 2 bytes a call
