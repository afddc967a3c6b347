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
import platform
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
from gutnerve.model import KnowledgeBase, Triage
from gutnerve.report import assessment_dict
from gutnerve.scoring import compile_tables, score

from .conftest import synthetic_kb
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
def dense_synthetic(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """A knowledge base of 90 causes over 400 findings: still scored densely, so accelerated."""
    kb = synthetic_kb(tmp_path_factory.mktemp("dense") / "kb", causes=90, findings=400, links=12, seed=5)
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
def test_the_accelerator_breaks_near_ties_as_scoring_does():
    from gutnerve import scoring

    assert speedups is not None and speedups.TIE == scoring.TIE


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
    kb = synthetic_kb(tmp_path / "kb", causes=150, findings=200, links=12, seed=6)
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
    screened = 0
    for data in random_cases(shipped, 1000, seed=14):
        case = parse_case(data, shipped)
        ranked = score(shipped, case, detail=None)
        counted = fastline.scoring.counted(shipped, case)
        index, _ = compiled.priors[case.age, case.sex]
        present = tuple(map(compiled.present.__getitem__, counted.present))
        absent = tuple(map(compiled.absent.__getitem__, counted.absent))
        rows = fastline.kernel_rows(shipped, compiled, counted, present, absent)
        assert rows is not None
        screened += rows != (present, absent)  # a finding neutral for some cause: its screened rows
        logs, posterior, order = compiled.dense.score(index, *rows)
        ids = compiled.cause_ids
        assert [ids[i] for i in order] == [s.cause_id for s in ranked]
        assert [(logs[i], posterior[i]) for i in order] == [(s.log_score, s.posterior) for s in ranked]
        assert all(math.copysign(1, p) == 1 for p in posterior)
    assert screened > 20  # cases with findings listed via another were among them


@needs_speedups
def test_the_gathered_workup_is_the_plan(shipped):
    """The accelerator's sums of posteriors per test (as workup.PlanKey tuples), ordered by workup.ordered, give workup.plan's
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
        assert sorted(test for _, _, test, _ in gathered) == sorted({s.test for c in shipped.causes.values() for s in c.workup})
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
    never = 2 * len(compiled.slots) - 1  # the last row: one no case has reported yet may still be unset
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
        dense.line(*CASE, NO_TRIAGE, index, (row,), post, order, 5, ((False, -0.5, "no-such-test", ()),))
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


# --- Review of the accelerator: the allocated (large-case) paths, reference counts, error paths,
# re-entry from Python during a call, the fallback logic and the build hook.


def _counted_rows(kb: KnowledgeBase, data: dict) -> int:
    counted = fastline.scoring.counted(kb, parse_case(data, kb))
    return len(counted.present) + len(counted.absent)


def _large_cases(kb: KnowledgeBase, count: int, seed: int, low: int, high: int) -> list[dict]:
    """Cases of `low`-`high` findings: more rows than the kernel keeps on its stack (64)."""
    rng = random.Random(seed)
    findings = sorted(kb.findings)
    cases = []
    for number in range(count):
        chosen = rng.sample(findings, min(len(findings), rng.randint(low, high)))
        cut = rng.randint(0, len(chosen))
        cases.append({"id": f"big-{number}", "present": chosen[:cut], "absent": chosen[cut:], "age": rng.choice([None, 7, 70])})
    return cases


@needs_speedups
def test_cases_with_more_rows_than_the_stack_holds(shipped, dense_synthetic):
    """Every case so far had at most 14 findings: these have 65 and more (every finding of the
    shipped knowledge base, up to 300 of the synthetic one), so the kernel's allocated buffers
    (rows, and the for/against lists of a cause) are used."""
    cases = _large_cases(shipped, 40, seed=21, low=len(shipped.findings), high=len(shipped.findings))
    assert all(_counted_rows(shipped, c) > 64 for c in cases)
    assert assert_same(shipped, cases) == 120
    cases = _large_cases(dense_synthetic, 30, seed=22, low=65, high=300)
    assert all(_counted_rows(dense_synthetic, c) > 64 for c in cases)
    assert assert_same(dense_synthetic, cases) == 90


def _tiny(n: int = 3, findings: int = 2, fallback=None, **changes):
    """A small Dense of made-up pieces, every object its own (not shared with the knowledge base)."""
    pieces = dict(
        heads=tuple(bytes(b',"h%d":' % c) for c in range(n)),
        middles=tuple(bytes(b',"m%d":[' % c) for c in range(n)),
        ends=tuple(bytes(b'],"e%d":0},' % c) for c in range(n)),
        findings=tuple(bytes(b'"f%d"' % k) for k in range(findings)),
        numbers=fastline.number_table(),
        fallback=fallback or (lambda value: b"0.0"),
        tests={f"t{k}": bytes(b'{"t":%d,"line":' % k) for k in range(3)},
        names={f"t{k}": bytes(b'"t%d"' % k) for k in range(3)},
        lines=dict(_LINES_),
        causes={f"c{c}": bytes(b'"c%d"' % c) for c in range(n)},
        head=b'{"head":1',
        tail=b',"tail":1}',
    )
    pieces.update(changes)
    return speedups.Dense(**pieces), pieces


_LINES_ = {False: b'"first","yield":', True: b'"second","yield":'}  # by PlanKey: second-line only?


@needs_speedups
def test_reference_counts_are_balanced():
    """Each object the kernel keeps is held once while kept and released once (a leak or a
    double release would show in sys.getrefcount); the arguments of a call, and what the
    fallback returns, are left as they were, on success and on error."""
    n = 3
    zero = b"0.0"
    dense, pieces = _tiny(n, fallback=lambda value: zero)
    kept = [pieces[k] for k in ("heads", "middles", "ends", "findings", "tests", "names", "lines", "causes", "head", "tail")]
    before = [sys.getrefcount(o) for o in kept]  # each held once by the Dense, too
    entries = tuple(bytes(b'{"entry":%d}' % c) for c in range(n))
    entry_counts = [sys.getrefcount(e) for e in entries]
    dense.set_row(0, (0.5, -0.5, 0.25), entries)
    assert [sys.getrefcount(e) for e in entries] == [c + 1 for c in entry_counts]
    dense.set_row(0, (0.5, -0.5, 0.25), entries)  # set again: still held once
    assert [sys.getrefcount(e) for e in entries] == [c + 1 for c in entry_counts]
    dense.set_row(0, (0.5, -0.5, 0.25), (None,) * n)  # released
    assert [sys.getrefcount(e) for e in entries] == entry_counts
    dense.set_row(0, (0.5, -0.5, 0.25), entries)
    dense.set_row(1, (0.1, 0.2, 0.3), (None,) * n)
    dense.set_row(2, (-0.1, 0.0, 0.3), entries)
    dense.set_row(3, (0.0, -0.2, 0.3), entries)
    factors = tuple(bytes(b"[%d]" % c) for c in range(n))
    factor_counts = [sys.getrefcount(f) for f in factors]
    index = dense.add_prior([0.0, -1.0, -2.0], [0.6, 0.3, 0.1], factors)
    assert [sys.getrefcount(f) for f in factors] == [c + 1 for c in factor_counts]
    cause_ids, test_ids = tuple(f"c{c}" for c in range(n)), ("t0", "t1", "t2")
    ids_before = sys.getrefcount(cause_ids), sys.getrefcount(test_ids)
    dense.set_tests(cause_ids, test_ids, (((0, True), (1, False)), ((1, True),), ((2, False), (0, False))))
    assert (sys.getrefcount(cause_ids), sys.getrefcount(test_ids)) == (ids_before[0] + 1, ids_before[1] + 1)

    logs, posterior, order = dense.score(index, (0,), (1,))
    names = [sys.getrefcount(c) for c in cause_ids]
    gathered = dense.gather(order, posterior, n)
    assert sorted(t for _, _, t, _ in gathered) == ["t0", "t1", "t2"]
    del gathered
    assert [sys.getrefcount(c) for c in cause_ids] == names
    plan = tuple((False, -0.00005, t, ("c0", "c2")) for t in test_ids)  # 0.00005: the fallback
    triage = ("urgent", (("urgent", "a message", "finding:x", b',"basis":null,"source":null'),))
    args = (None, 40, "female", (0,), (3,), b"", triage, index, (0, 2), posterior, order, n, plan)
    watched = [plan, triage, posterior, order, zero, *entries, *factors]
    counts = [sys.getrefcount(o) for o in watched]
    for _ in range(50):
        line = dense.line(*args)
        out = bytearray()
        dense.append_line(out, *args)
        assert bytes(out) == line
        with pytest.raises(KeyError):
            dense.line(*args[:-1], ((False, -0.5, "no-such-test", ()),))
        with pytest.raises(ValueError):
            dense.line(*args[:8], (0, 7), *args[9:])  # row 7 is not set
    orjson.loads(line)  # well-formed JSON
    del line
    assert [sys.getrefcount(o) for o in watched] == counts
    del watched, dense
    assert [sys.getrefcount(o) for o in kept] == [count - 1 for count in before]
    assert [sys.getrefcount(e) for e in entries] == entry_counts
    assert [sys.getrefcount(f) for f in factors] == factor_counts
    assert (sys.getrefcount(cause_ids), sys.getrefcount(test_ids)) == ids_before


@needs_speedups
def test_no_memory_grows_on_error_paths(shipped):
    """The same leak check as above for calls that fail part way, with more rows than the stack
    holds (allocated buffers to free) and fsum with more partials than its stack holds."""
    import gc
    import tracemalloc

    compiled = fastline.accelerator(shipped)
    assert compiled is not None
    dense, count = compiled.dense, len(compiled.cause_ids)
    width = compile_tables(shipped).width  # the prior's logs have a column per cause and presentation
    rows = tuple(compiled.present[f] for f in sorted(shipped.findings))  # 85 rows: allocated
    index, _ = compiled.priors[None, None]
    post, order = [1.0 / count] * count, list(range(count))
    spread = [2.0**e for e in range(-1000, 1000, 54)]  # 38 partials that never merge

    def fail_everywhere() -> None:
        with pytest.raises(ValueError):
            dense.score(index, rows, (10**6,))
        with pytest.raises(ValueError):
            dense.line(None, None, None, rows, (10**6,), b"", NO_TRIAGE, index, rows, post, order, 5, ())
        with pytest.raises(KeyError):
            dense.line(None, None, None, rows, (), b"", NO_TRIAGE, index, rows, post, order, 5, ((False, -0.5, "none", ()),))
        with pytest.raises(TypeError):
            dense.line(None, None, None, rows, (), b"", NO_TRIAGE, index, rows, post, order, 5, ((1, 2),))
        with pytest.raises(ValueError):
            dense.gather([count] + order[1:], post, count)
        with pytest.raises(ValueError):
            speedups.fsum([*spread, math.inf])
        with pytest.raises(TypeError):
            dense.add_prior([0.0] * width, [0.0] * (count - 1) + ["x"], (b"[]",) * count)

    for _ in range(20):
        fail_everywhere()
    assert speedups.fsum(spread) == math.fsum(spread)
    tracemalloc.start()
    try:
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(1000):
            fail_everywhere()
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 20_000, grown


@needs_speedups
def test_fsum_with_many_partials():
    """More partials than the port keeps on its stack (32): values spread over the exponents, each
    its own partial, mixed in sign and order, against math.fsum."""
    rng = random.Random(23)
    for _ in range(300):
        values = [rng.choice([-1.0, 1.0]) * rng.random() * 2.0 ** rng.randint(-1070, 1020) for _ in range(rng.randint(33, 120))]
        values += [-v for v in rng.sample(values, len(values) // 3)]  # some exact cancellation
        rng.shuffle(values)
        expected, got = math.fsum(values), speedups.fsum(values)
        assert got == expected and math.copysign(1, got) == math.copysign(1, expected)


@needs_speedups
def test_duplicate_and_odd_indices_stay_in_bounds():
    """The kernel trusts no index from Python: a ranking that repeats a cause (not a permutation),
    repeated rows, and every bad row, prior or rank are refused or handled within the tables."""
    n = 3
    dense, _ = _tiny(n)
    for row in range(4):
        dense.set_row(row, (0.5, -0.5, 0.0), (b"{}",) * n)
    index = dense.add_prior([0.0] * n, [1 / 3] * n, (b"[]",) * n)
    dense.set_tests(("c0", "c1", "c2"), ("t0", "t1", "t2"), (((0, True), (1, False), (2, False)), (), ((0, False),)))
    gathered = dense.gather([0, 0, 0], [0.5, 0.25, 0.25], 3)  # cause 0 thrice: each of its tests 3 times
    assert gathered == [
        (False, -1.5, "t0", ("c0",) * 3),
        (True, -1.5, "t1", ("c0",) * 3),
        (True, -1.5, "t2", ("c0",) * 3),
    ]
    line = dense.line(None, None, None, (0, 0, 2), (1, 1), b"", NO_TRIAGE, index, (0, 0, 1, 1), [0.5] * n, [2, 2, 2], 99, ())
    assert orjson.loads(line)["case"]["present"] == ["f0", "f0", "f1"]
    assert line.count(b'"h2":') == 3
    for bad in (-1, 4, 2**62, -(2**62)):
        with pytest.raises(ValueError):
            dense.score(index, (bad,), ())
        with pytest.raises(ValueError):
            dense.score(bad, (), ())
        with pytest.raises(ValueError):
            dense.gather([bad, 0, 0], [0.1] * n, 3)
        with pytest.raises(ValueError):
            dense.line(*CASE, NO_TRIAGE, index, (), [0.1] * n, [bad, 0, 0], 1, ())
    with pytest.raises(OverflowError):
        dense.score(index, (2**70,), ())
    with pytest.raises(TypeError):
        dense.score(index, (1.0,), ())  # a float is no row
    with pytest.raises(ValueError):
        speedups.Dense(**{**_tiny(n)[1], "heads": ()})  # no cause
    with pytest.raises(ValueError):
        speedups.Dense(**{**_tiny(n)[1], "middles": (b"",)})  # not one per cause
    with pytest.raises(ValueError):
        speedups.Dense(**{**_tiny(n)[1], "numbers": (b"123456789",) * 10_001})  # longer than 8 bytes
    with pytest.raises(TypeError):
        speedups.Dense(**{**_tiny(n)[1], "fallback": b"not callable"})


# Each runs in a child process: before the fixes they crashed the interpreter (or wrote to freed
# memory), which would take pytest down with them.
_REENTRY = {
    # writing a number near a tie calls `fallback` (Python), which here empties the lists the line reads
    "fallback": """
post, order = [0.00005] * n, list(range(n))
def fallback(value):
    post.clear(); order.clear()
    return b"0.0"
dense = tiny(fallback)
dense.add_prior([0.0] * n, [1.0 / n] * n, (b"[]",) * n)
for _ in range(20):
    post[:], order[:] = [0.00005] * n, list(range(n))
    try:
        dense.line(None, None, None, (), (), b"", Triage("routine", ()), 0, (), post, order, n, ())
    except RuntimeError as error:
        assert "changed size" in str(error)
    else:
        raise AssertionError("no error")
print("ok")
""",
    # iterating `logs` (a generator) adds priors meanwhile: the tables move under the call
    "add_prior": """
dense = tiny(None)
for _ in range(15):
    dense.add_prior([0.0] * n, [0.5] * n, (b"[]",) * n)
def logs():
    for _ in range(200):
        dense.add_prior([0.0] * n, [0.5] * n, (b"[]",) * n)
    yield from [1.0] * n
index = dense.add_prior(logs(), [0.25] * n, (b"[]",) * n)
assert index == 215, index
assert dense.score(index, (), ())[0] == [1.0] * n
assert dense.score(15, (), ())[0] == [0.0] * n
print("ok")
""",
    # a collection while gather makes its result runs a callback that replaces the test table
    "gather": """
import gc
dense = tiny(None)
many = tuple(f"test-{k}" for k in range(500))
dense.set_tests(tuple(f"c{c}" for c in range(n)), many, tuple(tuple((t, False) for t in range(c, 500, n)) for c in range(n)))
swapped = []
def callback(phase, info):
    if phase == "start" and not swapped:
        swapped.append(1)
        dense.set_tests(tuple(f"c{c}" for c in range(n)), ("only",), ((),) * n)
gather, order, post = dense.gather, list(range(n)), [1.0 / n] * n  # made before the callback is armed
gc.callbacks.append(callback)
gc.set_threshold(1)
try:
    out = gather(order, post, n)
finally:
    gc.callbacks.remove(callback)
    gc.set_threshold(700)
assert swapped
assert sorted(t for _, _, t, _ in out) == sorted(many), len(out)  # the table the call began with
print("ok")
""",
}

_PRELUDE = """
from gutnerve import fastline
from gutnerve._speedups import Dense
from gutnerve.model import Triage
n = 100  # tables big enough to be allocated by malloc (where freed memory can be caught)
def tiny(fallback):
    return Dense(heads=(b",",) * n, middles=(b",",) * n, ends=(b"},",) * n, findings=(b'"f"',),
                 numbers=fastline.number_table(), fallback=fallback or (lambda value: b"0.0"),
                 tests={}, names={}, lines={}, causes={}, head=b"{", tail=b"}")
"""


@needs_speedups
@pytest.mark.parametrize("scenario", sorted(_REENTRY))
def test_python_code_run_during_a_call_cannot_corrupt_it(scenario):
    import subprocess

    result = subprocess.run(
        [sys.executable, "-X", "dev", "-c", _PRELUDE + _REENTRY[scenario]],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONFAULTHANDLER": "1"},
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stdout + result.stderr


@needs_speedups
def test_a_top_below_one_is_refused_as_the_reference_refuses_it(shipped):
    from gutnerve.case import CaseError

    compiled = fastline.accelerator(shipped)
    assert compiled is not None
    case = parse_case({"present": [next(iter(shipped.findings))]}, shipped)
    for top in (0, -1):
        with pytest.raises(CaseError, match="at least 1"):
            assess_case(shipped, case, top)
        with pytest.raises(CaseError, match="at least 1"):
            fastline.line(shipped, compiled, case, top)
        with pytest.raises(CaseError, match="at least 1"):
            fastline.append_line(bytearray(), shipped, compiled, case, top)


def test_an_extension_that_cannot_be_imported_takes_the_pure_path(shipped, monkeypatch):
    """As on an install without a compiler: the import fails, batch runs the pure path, same bytes."""
    monkeypatch.delenv(fastline.PURE, raising=False)
    import gutnerve

    monkeypatch.setitem(sys.modules, "gutnerve._speedups", None)  # import raises ImportError
    monkeypatch.delattr(gutnerve, "_speedups", raising=False)  # (else `from gutnerve import` finds it)
    assert fastline.extension() is None
    assert fastline.accelerator(shipped) is None
    cases = random_cases(shipped, 40, seed=24)
    data, bad = batch.assess_lines(shipped, [orjson.dumps(c) for c in cases], 1, 5)
    assert bad == 0
    assert data.split(b"\n") == [reference(shipped, c, 5) for c in cases]


def test_the_c_source_names_no_knowledge(shipped):
    """The accelerator holds no medical fact and no rule: no id of the knowledge base appears in its
    strings, and its only decimal constants are those of the arithmetic (rounding to 4 places,
    fsum's halving, the tie margins), not a threshold."""
    import re

    source = (ROOT / "gutnerve" / "_speedups.c").read_text(encoding="utf-8")
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", source, flags=re.S)
    strings = " ".join(re.findall(r'"((?:[^"\\\n]|\\.)*)"', code))
    ids = set(shipped.causes) | set(shipped.findings) | set(shipped.tests)
    assert not {i for i in ids if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", strings)}
    floats = {
        float(x)
        for x in re.findall(r"(?<![\w.])(\d+\.\d*(?:e-?\d+)?|\d+e-?\d+)(?![\w.])", re.sub(r'"(?:[^"\\\n]|\\.)*"', "", code))
    }
    assert floats <= {0.0, 0.5, 1.0, 2.0, 10000.0, 1e-6, 1e-9}, floats


def _hook_module(monkeypatch):
    """hatch_build.py, imported with a stand-in for hatchling where it is not installed."""
    import importlib.util
    import types

    try:
        import hatchling.builders.hooks.plugin.interface  # noqa: F401
    except ImportError:
        stub = types.ModuleType("hatchling.builders.hooks.plugin.interface")
        stub.BuildHookInterface = type("BuildHookInterface", (), {})  # type: ignore[attr-defined]
        for name in ("hatchling", "hatchling.builders", "hatchling.builders.hooks", "hatchling.builders.hooks.plugin"):
            monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
        monkeypatch.setitem(sys.modules, stub.__name__, stub)
    spec = importlib.util.spec_from_file_location("hatch_build_under_test", ROOT / "hatch_build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_build_hook_falls_back_to_a_pure_wheel(monkeypatch, tmp_path, capsys):
    from types import SimpleNamespace

    hook = _hook_module(monkeypatch)
    monkeypatch.delenv("GUTNERVE_NO_SPEEDUPS", raising=False)
    fake = SimpleNamespace(root=str(tmp_path))

    def broken(root):
        raise RuntimeError("no compiler here")

    monkeypatch.setattr(hook, "compile_speedups", broken)
    for version in ("standard", "editable"):
        data: dict = {"force_include": {}}
        hook.SpeedupsHook.initialize(fake, version, data)
        assert data == {"force_include": {}}  # a pure wheel: nothing changed
        assert "not built (no compiler here)" in capsys.readouterr().err

    def missing(root):
        raise ImportError("No module named 'setuptools'")

    monkeypatch.setattr(hook, "compile_speedups", missing)
    data = {"force_include": {}}
    hook.SpeedupsHook.initialize(fake, "standard", data)
    assert data == {"force_include": {}}

    called = []
    monkeypatch.setattr(hook, "compile_speedups", lambda root: called.append(root) or tmp_path / "gutnerve" / "_speedups.x.so")
    monkeypatch.setenv("GUTNERVE_NO_SPEEDUPS", "1")
    hook.SpeedupsHook.initialize(fake, "standard", data)
    assert not called and data == {"force_include": {}}
    monkeypatch.setenv("GUTNERVE_NO_SPEEDUPS", "0")
    hook.SpeedupsHook.initialize(fake, "editable", data)  # built in place; the wheel itself stays pure
    assert called and data == {"force_include": {}}
    hook.SpeedupsHook.initialize(fake, "standard", data)
    assert data == {
        "force_include": {str(tmp_path / "gutnerve" / "_speedups.x.so"): "gutnerve/_speedups.x.so"},
        "pure_python": False,
        "infer_tag": True,
    }


def test_the_build_hook_compiles_without_a_warning(monkeypatch, tmp_path, capfd):
    """The hook's own compilation (its flags include -Wall -Wextra), into a scratch folder: no
    warning. (Not in place: the package's module is the one the other tests use.)"""
    pytest.importorskip("setuptools")
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if os.name == "nt" or shutil.which(compiler) is None:
        pytest.skip("no C compiler (or not a Unix one)")
    hook = _hook_module(monkeypatch)
    (tmp_path / "gutnerve").mkdir()
    shutil.copy(ROOT / "gutnerve" / "_speedups.c", tmp_path / "gutnerve" / "_speedups.c")
    capfd.readouterr()
    built = hook.compile_speedups(tmp_path)
    output = capfd.readouterr()
    assert built.is_file() and built.parent == tmp_path / "gutnerve"
    assert "warning" not in (output.out + output.err).lower(), output.out + output.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gutnerve"]  # no build/ left in the tree
    # and nothing is reused: with a compiler that fails, the next build fails (so the wheel is pure)
    monkeypatch.setenv("CC", "/bin/false")
    with pytest.raises(Exception):  # noqa: B017 - whichever error setuptools raises
        hook.compile_speedups(tmp_path)
    monkeypatch.delenv("CC")
    if "gcc" in compiler and platform.machine().lower() in ("x86_64", "amd64", "i386", "i686"):
        # x87 arithmetic keeps wider intermediates than CPython's floats: the source refuses to build
        monkeypatch.setenv("CFLAGS", "-mfpmath=387")
        with pytest.raises(Exception):  # noqa: B017
            hook.compile_speedups(tmp_path)
        assert "FLT_EVAL_METHOD" in "".join(capfd.readouterr())


@needs_speedups
def test_a_build_of_another_layout_is_not_used(monkeypatch):
    """An in-place module compiled from an older _speedups.c (its LAYOUT differs from fastline's)
    would misread its arguments: the pure path runs instead."""
    assert fastline.extension() is speedups
    monkeypatch.setattr(speedups, "LAYOUT", fastline.LAYOUT + 1)
    assert fastline.extension() is None
    monkeypatch.delattr(speedups, "LAYOUT")
    assert fastline.extension() is None


@needs_speedups
def test_the_compiled_raised_total_is_the_python_one():
    """_speedups.raised_total sums what Ranked.raised_total sums in Python, to the last bit: random
    posteriors and priors (ties included, factors from 1 to 10, index sets past the kernel's stack
    buffer), and it refuses what it cannot read."""
    from gutnerve.model import Ranked

    rng = random.Random(29)
    for _ in range(3000):
        n = rng.randint(1, 150)
        prior = [rng.random() / n for _ in range(n)]
        posterior = [rng.choice([q, q * rng.uniform(0.5, 12), rng.random()]) for q in prior]
        indices = tuple(rng.sample(range(n), rng.randint(0, n)))
        factor = rng.choice([1.0, 5.0, rng.uniform(1, 10)])
        plain = Ranked(("c",) * n, prior, [0.0] * n, posterior, list(range(n)))
        compiled = Ranked(("c",) * n, prior, [0.0] * n, posterior, list(range(n)), sum_raised=speedups.raised_total)
        expected = plain.raised_total(indices, frozenset(indices), factor)
        assert compiled.raised_total(indices, frozenset(indices), factor) == expected
    with pytest.raises(ValueError):
        speedups.raised_total([0.5], [0.25], (1,), 5.0)
    with pytest.raises(ValueError):
        speedups.raised_total([0.5], [0.25], (-1,), 5.0)
    with pytest.raises(ValueError):
        speedups.raised_total([0.5, 0.5], [0.25], (0,), 5.0)
    with pytest.raises(TypeError):
        speedups.raised_total([1], [0.25], (0,), 5.0)
    with pytest.raises(TypeError):
        speedups.raised_total([0.5], [0.25], ("0",), 5.0)
    with pytest.raises(TypeError):
        speedups.raised_total((0.5,), [0.25], (0,), 5.0)


@needs_speedups
def test_the_compiled_parts_mass_is_the_python_one():
    """_speedups.parts_mass sums what Ranked.parts_mass sums in Python, to the last bit: random
    posteriors, priors and shares (ties included, factors from 1 to 10, parts in any order and
    slot), and it refuses what it cannot read, leaving no memory behind."""
    import gc
    import tracemalloc

    from gutnerve.model import Ranked

    rng = random.Random(41)
    summed = 0
    for _ in range(3000):
        n, places, slots = rng.randint(1, 60), rng.randint(1, 40), rng.randint(1, 6)
        prior = [rng.random() / n for _ in range(n)]
        posterior = [rng.choice([q, q * rng.uniform(0.5, 12), rng.random()]) for q in prior]
        shares = [rng.choice([1.0, 0.5, rng.random()]) for _ in range(places)]
        parts = tuple(
            (rng.randrange(n), rng.randrange(places), rng.choice([1.0, 0.5, rng.random()]), rng.randrange(slots))
            for _ in range(rng.randint(0, 30))
        )
        factor = rng.choice([1.0, 5.0, rng.uniform(1, 10)])
        ranking = ("c",) * n, prior, [0.0] * n, posterior, list(range(n))
        plain = Ranked(*ranking, shares=shares)
        compiled = Ranked(*ranking, shares=shares, sum_parts=speedups.parts_mass)
        expected = plain.parts_mass(parts, slots, factor)
        assert len(expected) == slots
        assert compiled.parts_mass(parts, slots, factor) == expected
        summed += any(expected)
    assert summed > 1000  # parts raised and parts not
    with pytest.raises(ValueError):
        Ranked(*ranking).parts_mass(parts, slots, factor)  # a ranking without shares
    good = ([0.5], [0.25], [1.0], ((0, 0, 1.0, 0),), 1, 2.0)  # odds 3-fold: raised

    def refused() -> None:
        for bad, error in [
            (((1, 0, 1.0, 0),), ValueError),  # no such cause
            (((0, 1, 1.0, 0),), ValueError),  # no such share
            (((0, 0, 1.0, 1),), ValueError),  # no such slot
            (((0, 0, 1, 0),), TypeError),  # an int as the prior's share
            (((0, 0, 1.0),), TypeError),
            (([0, 0, 1.0, 0],), TypeError),
        ]:
            with pytest.raises(error):
                speedups.parts_mass(*good[:3], bad, *good[4:])
        with pytest.raises(ValueError):
            speedups.parts_mass([0.5, 0.5], *good[1:])  # a posterior per prior
        with pytest.raises(ValueError):
            speedups.parts_mass(*good[:4], 65, 5.0)
        with pytest.raises(TypeError):
            speedups.parts_mass([1], *good[1:])
        with pytest.raises(TypeError):
            speedups.parts_mass(good[0], good[1], ["x"], *good[3:])

    assert speedups.parts_mass(*good) == [0.5]
    refused()
    tracemalloc.start()
    try:
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(500):
            refused()
            speedups.parts_mass(*good)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 20_000, grown


@needs_speedups
def test_triage_is_the_same_with_and_without_the_compiled_sum(shipped):
    """Batch's accelerated path triages with the compiled sum; every level and reason is the pure one's."""
    from gutnerve import triage
    from gutnerve.model import Ranked

    levels = set()
    for data in random_cases(shipped, 2000, seed=31):
        case = parse_case(data, shipped)
        ranked = score(shipped, case, detail=0)
        ids, prior, logs, posterior, order = ranked._ids, ranked._prior, ranked._logs, ranked._posterior, ranked._order
        compiled = Ranked(ids, list(prior), logs, list(posterior), order, sum_raised=speedups.raised_total, shares=ranked.shares)
        expected = triage.triage(shipped, case, ranked)
        assert triage.triage(shipped, case, compiled) == expected
        levels.add(expected.level)
    assert levels == set(shipped.settings.triage_levels)  # every level met, so every rule ran
