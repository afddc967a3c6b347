"""Bad input of every kind, through the command line as users type it.

One table of cases and one check: every bad case, option, path or knowledge
base is refused with exit status 2, nothing on standard output, and exactly
one line on standard error, `gutnerve: error: ...`, that says what is wrong
and where, without a traceback. In `batch`, each bad line becomes an error
object in its place and the other lines are still scored.

Knowledge-base validation itself (every kind of issue, file:line, fixes) is
tested at the library level in tests/test_validation.py; here the same kinds
of breakage go through the command line. Most cases run in-process (the `run`
fixture); the ones marked `process` run the installed command, to prove the
real program behaves (encodings, binary input, Python tags, devices, pipes).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gutnerve.limits import MAX_CASE_BYTES, MAX_FILE_BYTES

from .conftest import MINI_KB, gutnerve_command, run_process

KB = ("--kb", str(MINI_KB))
SFN = "causes/small-fiber-neuropathy.yaml"
ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0
PROC_MEM = Path("/proc/self/mem")  # a file that exists but cannot be read (EIO at offset 0), even by root
needs_proc_mem = pytest.mark.skipif(not PROC_MEM.exists(), reason="needs Linux /proc/self/mem")
needs_non_root = pytest.mark.skipif(ROOT_USER, reason="root can read a file of mode 000")


# -- the table -----------------------------------------------------------------


@dataclass(frozen=True)
class Bad:
    """One bad invocation. "{tmp}" in args, file contents and `never` stands for the test's tmp_path."""

    args: tuple[str, ...]
    says: str  # what is wrong: must appear in the error line
    where: str  # where: must appear in the error line too
    files: tuple[tuple[str, bytes], ...] = ()  # files to create under tmp_path
    kb_copy: bool = False  # work on a copy of the fixture knowledge base at {tmp}/kb ...
    kb_edit: tuple[str, str | None, bytes] | None = None  # ... with (file, old text or None for all of it, new)
    setup: Callable[[Path], None] | None = None  # links, pipes, modes
    stdin: bytes | None = None
    process: bool = False  # run the installed command in a subprocess
    never: str | None = None  # a path that must not exist afterwards (a side effect that must not happen)


@dataclass(frozen=True)
class BadJson:
    """A bad case as JSON bytes: tried with `assess --input` and as a `batch` line."""

    content: bytes
    says: str
    where: str  # where `assess --input` says it is (batch says "line N:")
    process: bool = False


def _binary() -> bytes:
    data = bytes((i * 167 + 13) % 256 for i in range(4096))
    return data.replace(b"\n", b"\x80").replace(b"\r", b"\x81")  # one line: also usable in batch


BAD_JSON = {
    "json-syntax-error": BadJson(b'{"present": ["diarrhea",}', "invalid JSON at line 1 column", "case"),
    "json-truncated": BadJson(b'{"present": ["diarrhea"', "invalid JSON", "case"),
    "json-two-documents": BadJson(b'{"present": []} {"absent": []}', "invalid JSON", "case"),
    "not-an-object-list": BadJson(b'["diarrhea"]', "a case must be a JSON object", "--input"),
    "not-an-object-null": BadJson(b"null", "a case must be a JSON object", "--input"),
    "not-an-object-string": BadJson(b'"diarrhea"', "a case must be a JSON object", "--input"),
    "age-string": BadJson(b'{"age": "54"}', "must be a whole number of years, not a string", "case.age"),
    "age-boolean": BadJson(b'{"id": "bad-age", "age": true}', "must be a whole number of years, not a boolean", "case.age"),
    "age-fraction": BadJson(b'{"age": 54.5}', "must be a whole number of years", "case.age"),
    "age-over-120": BadJson(b'{"age": 130}', "130 is outside 0-120", "case.age"),
    "age-negative": BadJson(b'{"age": -1}', "-1 is outside 0-120", "case.age"),
    "age-huge-integer": BadJson(b'{"age": 1' + b"0" * 400 + b"}", "invalid JSON", "case"),
    "age-nan": BadJson(b'{"age": NaN}', "invalid JSON", "case"),
    "sex-unknown": BadJson(b'{"sex": "F"}', "'F' is not one of female, male", "case.sex"),
    "sex-number": BadJson(b'{"sex": 1}', "1 is not one of female, male", "case.sex"),
    "present-a-string": BadJson(b'{"present": "diarrhea"}', "must be a list of finding ids, not a string", "case.present"),
    "absent-a-number": BadJson(b'{"absent": 5}', "must be a list of finding ids, not a number", "case.absent"),
    "present-item-number": BadJson(b'{"present": [1]}', "must be a finding id string, not a number", "case.present[0]"),
    "present-item-object": BadJson(
        b'{"present": ["diarrhea", {}]}', "must be a finding id string, not an object", "case.present[1]"
    ),
    "unknown-finding": BadJson(
        b'{"present": ["burnin-feet"]}', "unknown finding 'burnin-feet' (did you mean burning-feet?)", "case.present[0]"
    ),
    "unknown-key": BadJson(b'{"presnt": ["diarrhea"]}', "unknown key 'presnt'", "case"),
    "present-and-absent": BadJson(
        b'{"present": ["diarrhea"], "absent": ["diarrhea"]}', "listed both present and absent: diarrhea", "case"
    ),
    "id-number": BadJson(b'{"id": 7}', "must be a string, not a number", "case.id"),
    "deep-nesting": BadJson(b"[" * 100_000 + b"]" * 100_000, "nested too deeply", "case"),
    "binary-bytes": BadJson(_binary(), "not UTF-8 text: byte 0x81", "line 1 column 1", process=True),
    "utf-16": BadJson('{"present": ["diarrhea"]}'.encode("utf-16"), "UTF-16 text, not UTF-8", "case", process=True),
    "utf-16-without-bom": BadJson('{"present": []}'.encode("utf-16-le"), "not UTF-8 text: byte 0x00", "line 1 column 2"),
    "latin-1": BadJson(
        '{"present": ["diarrhée"]}'.encode("latin-1"), "not UTF-8 text: byte 0xe9", "line 1 column 21", process=True
    ),
    "over-the-size-limit": BadJson(b'{"present": [' + b" " * MAX_CASE_BYTES + b"]}", "limit", "--input"),
}


def case_file(bad: BadJson) -> Bad:
    return Bad(
        ("assess", *KB, "--input", "{tmp}/case.json", "--json"),
        bad.says,
        bad.where,
        files=(("case.json", bad.content),),
        process=bad.process,
    )


def assess(*args: str, says: str, where: str, **more: Any) -> Bad:
    return Bad(("assess", *KB, *args), says, where, **more)


KB_ASSESS = ("assess", "--kb", "{tmp}/kb", "--diarrhea", "--json")


def broken_kb(file: str, old: str | None, new: str | bytes, says: str, where: str, **more: Any) -> Bad:
    """`assess` with a copy of the fixture knowledge base at {tmp}/kb, `old` in `file` replaced by `new`."""
    content = new.encode() if isinstance(new, str) else new
    return Bad(KB_ASSESS, says, where, kb_copy=True, kb_edit=(file, old, content), **more)


def odd_kb(setup: Callable[[Path], None], says: str, where: str, **more: Any) -> Bad:
    """`assess` with a copy of the fixture knowledge base at {tmp}/kb, changed by `setup`."""
    return Bad(KB_ASSESS, says, where, kb_copy=True, setup=setup, **more)


def _unreadable(name: str) -> Callable[[Path], None]:
    def setup(tmp: Path) -> None:
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text('{"present": []}\n')
        path.chmod(0)

    return setup


def _link_in_kb(name: str, target: str) -> Callable[[Path], None]:
    def setup(tmp: Path) -> None:
        path = tmp / "kb" / name
        path.unlink()
        path.symlink_to(target)

    return setup


def _pipe_in_kb(tmp: Path) -> None:
    path = tmp / "kb" / "tests.yaml"
    path.unlink()
    os.mkfifo(path)


def _folder_in_kb(tmp: Path) -> None:
    (tmp / "kb" / "causes" / "extra.yaml").mkdir()


ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)
KB_WHOLE = None  # as `old`: replace the whole file

CASES: dict[str, Bad | object] = {
    **{f"input-{name}": case_file(bad) for name, bad in BAD_JSON.items()},
    # -- options
    "option-age-not-a-number": assess("--age", "abc", says="Invalid value", where="'--age'"),
    "option-age-negative": assess("--age", "-1", says="greater than or equal to 0", where="'--age'"),
    "option-age-over-120": assess("--age", "121", says="less than or equal to 120", where="'--age'"),
    "option-sex-unknown": assess("--sex", "x", says="'x' is not one of: female, male", where="'--sex'"),
    "option-top-zero": assess("--diarrhea", "--top", "0", says="greater than or equal to 1", where="'--top'"),
    "option-top-not-a-number": assess("--top", "many", says="Invalid value", where="'--top'"),
    "option-unknown-flag": assess("--frobnicate", says="no such option", where="--frobnicate"),
    "option-input-without-value": assess("--input", says="requires an argument", where="'--input'"),
    "option-age-disagrees-with-input": assess(
        "--input",
        "{tmp}/case.json",
        "--age",
        "60",
        says="age is 50 in the input but 60 on the command line",
        where="case",
        files=(("case.json", b'{"age": 50}'),),
    ),
    "option-flag-present-and-absent": assess("--diarrhea", "--no-diarrhea", says="both present and absent", where="diarrhea"),
    # -- paths for --input
    "input-missing-file": assess("--input", "{tmp}/nowhere.json", says="No such file or directory", where="--input"),
    "input-a-folder": assess("--input", "{tmp}", says="is a folder", where="--input"),
    "input-unreadable-mode": pytest.param(
        assess("--input", "{tmp}/locked.json", says="Permission denied", where="--input", setup=_unreadable("locked.json")),
        marks=needs_non_root,
    ),
    "input-unreadable-io-error": pytest.param(
        assess("--input", str(PROC_MEM), says="Input/output error", where=f"--input {PROC_MEM}"), marks=needs_proc_mem
    ),
    "input-stdin-not-json": assess("--input", "-", says="invalid JSON", where="case", stdin=b"burning feet\n"),
    "input-stdin-over-the-limit": assess(
        "--input", "-", says="larger than the limit", where="--input -", stdin=b" " * (MAX_CASE_BYTES + 1), process=True
    ),
    # -- paths for batch
    "batch-missing-file": Bad(("batch", *KB, "{tmp}/nowhere.jsonl"), "No such file or directory", "{tmp}/nowhere.jsonl"),
    "batch-a-folder": Bad(("batch", *KB, "{tmp}"), "is a folder", "{tmp}"),
    "batch-no-file-given": Bad(("batch", *KB), "Missing argument", "'file'"),
    "batch-unreadable-mode": pytest.param(
        Bad(("batch", *KB, "{tmp}/locked.jsonl"), "Permission denied", "{tmp}/locked.jsonl", setup=_unreadable("locked.jsonl")),
        marks=needs_non_root,
    ),
    "batch-unreadable-io-error": pytest.param(
        Bad(("batch", *KB, str(PROC_MEM)), "Input/output error", str(PROC_MEM)), marks=needs_proc_mem
    ),
    "batch-top-zero": Bad(("batch", *KB, "{tmp}/cases.jsonl", "--top", "0"), "greater than or equal to 1", "'--top'"),
    # -- paths for --kb
    "kb-missing-folder": Bad(("causes", "--kb", "{tmp}/nowhere"), "knowledge base folder not found", "{tmp}/nowhere"),
    "kb-a-file": Bad(
        ("assess", "--kb", "{tmp}/case.json", "--diarrhea"),
        "is a file, not a knowledge base folder",
        "{tmp}/case.json",
        files=(("case.json", b"{}"),),
    ),
    "kb-empty-folder": Bad(
        ("batch", "--kb", "{tmp}/empty", "{tmp}/cases.jsonl"),
        "model.yaml is missing",
        "model.yaml",
        setup=lambda t: (t / "empty").mkdir(),
    ),
    "kb-file-unreadable-mode": pytest.param(
        odd_kb(lambda t: (t / "kb/tests.yaml").chmod(0), "cannot read file: Permission denied", "kb/tests.yaml"),
        marks=needs_non_root,
    ),
    "kb-file-unreadable-io-error": pytest.param(
        odd_kb(_link_in_kb("tests.yaml", str(PROC_MEM)), "cannot read file: Input/output error", "kb/tests.yaml"),
        marks=needs_proc_mem,
    ),
    "kb-file-is-dev-zero": odd_kb(
        _link_in_kb("tests.yaml", "/dev/zero"), "tests.yaml is not a regular file", "kb/tests.yaml", process=True
    ),
    "kb-file-is-a-named-pipe": odd_kb(_pipe_in_kb, "tests.yaml is not a regular file", "kb/tests.yaml", process=True),
    "kb-cause-file-is-a-folder": odd_kb(_folder_in_kb, "extra.yaml is a folder, not a file", "kb/causes/extra.yaml"),
    # -- hostile or broken knowledge bases
    "kb-yaml-syntax-error": broken_kb("findings.yaml", "findings:\n", "findings: [\n", "YAML error", "kb/findings.yaml"),
    "kb-python-tag-apply": broken_kb(
        SFN,
        "summary: Illustrative",
        "summary: !!python/object/apply:os.system ['touch {tmp}/executed']\nx: Illustrative",
        "YAML error",
        f"kb/{SFN}",
        process=True,
        never="{tmp}/executed",
    ),
    "kb-python-tag-name": broken_kb(
        SFN,
        "summary: Illustrative",
        "summary: !!python/name:os.system\nx: Illustrative",
        "could not determine a constructor",
        f"kb/{SFN}",
    ),
    "kb-alias-bomb": broken_kb("findings.yaml", KB_WHOLE, ALIAS_BOMB, "aliases (*name) are not allowed", "kb/findings.yaml"),
    "kb-empty-file": broken_kb("tests.yaml", KB_WHOLE, "", "file is empty", "kb/tests.yaml"),
    "kb-only-a-comment": broken_kb("model.yaml", KB_WHOLE, "# nothing here\n", "file is empty", "kb/model.yaml"),
    "kb-unknown-test": broken_kb(SFN, "{test: skin-biopsy,", "{test: skin-biopsyy,", "unknown test `skin-biopsyy`", f"kb/{SFN}:"),
    "kb-unknown-finding": broken_kb(
        SFN, "burning-feet: {frequency", "burnin-feet: {frequency", "unknown finding `burnin-feet`", f"kb/{SFN}:"
    ),
    "kb-duplicate-finding-id": broken_kb(
        "findings.yaml", "{id: numb-feet,", "{id: burning-feet,", "duplicate finding `burning-feet`", "kb/findings.yaml:"
    ),
    "kb-duplicate-key": broken_kb(SFN, "area: feet", "area: feet\narea: hands", "duplicate key 'area'", f"kb/{SFN}"),
    "kb-background-out-of-range": broken_kb(
        "findings.yaml", "background: 0.2,", "background: 1.5,", "not a number strictly between 0 and 1", "kb/findings.yaml:"
    ),
    "kb-frequency-number-as-string": broken_kb(
        SFN, "frequency: very-frequent", 'frequency: "0.9"', "unknown frequency term '0.9'", f"kb/{SFN}:"
    ),
    "kb-mechanism-a-list": broken_kb(SFN, "mechanism: functional", "mechanism: [functional]", "unknown mechanism", f"kb/{SFN}:"),
    "kb-prevalence-a-mapping": broken_kb(
        SFN, "prevalence: common", "prevalence: {common: 1}", "unknown prevalence class", f"kb/{SFN}:"
    ),
    "kb-workup-test-a-list": broken_kb(SFN, "{test: skin-biopsy,", "{test: [skin-biopsy],", "unknown test", f"kb/{SFN}:"),
    "kb-findings-not-a-list": broken_kb(
        "findings.yaml", KB_WHOLE, "findings: many\n", "`findings` must be a list", "kb/findings.yaml"
    ),
    "kb-control-character": broken_kb(
        SFN,
        "summary: Illustrative",
        "summary: Illus\x14trative",
        "unacceptable character #x0014",
        f"kb/{SFN}: YAML error: line 3",
    ),
    "kb-not-utf8": broken_kb("tests.yaml", "Faecal", "Fäcal".encode("latin-1"), "file is not UTF-8", "kb/tests.yaml"),
    "kb-file-over-the-limit": broken_kb(
        "findings.yaml", "findings:\n", "#" * (MAX_FILE_BYTES + 1) + "\nfindings:\n", "over the limit", "kb/findings.yaml"
    ),
}


# -- the check -------------------------------------------------------------------


def _fill(text: str, tmp: Path) -> str:
    return text.replace("{tmp}", str(tmp))


def _prepare(bad: Bad, tmp: Path) -> list[str]:
    """Create the files the case needs; return its arguments."""
    (tmp / "cases.jsonl").write_text('{"present": ["diarrhea"]}\n')
    for name, content in bad.files:
        (tmp / name).write_bytes(content)
    if bad.kb_copy:
        shutil.copytree(MINI_KB, tmp / "kb")
    if bad.kb_edit is not None:
        file, old, new = bad.kb_edit
        path = tmp / "kb" / file
        new = _fill(new.decode("latin-1"), tmp).encode("latin-1")
        if old is None:
            path.write_bytes(new)
        else:
            content = path.read_bytes()
            assert old.encode() in content, f"fixture changed: {old!r} not in {file}"
            path.write_bytes(content.replace(old.encode(), new, 1))
    if bad.setup is not None:
        bad.setup(tmp)
    return [_fill(arg, tmp) for arg in bad.args]


def assert_refused(code: int, out: str, err: str, bad: Bad, tmp: Path) -> None:
    """Exit 2, nothing on stdout, one `gutnerve: error:` line on stderr saying what and where."""
    assert "Traceback" not in err, err
    assert code == 2, f"exit {code}: {err}"
    assert out == "", f"unexpected output: {out[:200]!r}"
    lines = err.splitlines()
    assert len(lines) == 1 and err.endswith("\n"), f"not one line on stderr: {err!r}"
    line = lines[0]
    assert line.startswith("gutnerve: error: "), line
    assert bad.says in line, f"{bad.says!r} not in: {line}"
    assert _fill(bad.where, tmp) in line, f"{_fill(bad.where, tmp)!r} not in: {line}"
    if bad.never is not None:
        assert not Path(_fill(bad.never, tmp)).exists(), "a side effect of the input happened"


@pytest.mark.parametrize("bad", list(CASES.values()), ids=list(CASES))
def test_bad_input_is_refused_with_one_line(bad: Bad, tmp_path: Path, run, monkeypatch) -> None:
    args = _prepare(bad, tmp_path)
    if bad.process:
        started = time.perf_counter()
        done = run_process(*args, stdin=bad.stdin)
        assert time.perf_counter() - started < 30
        assert_refused(done.returncode, done.stdout.decode(errors="replace"), done.stderr.decode(errors="replace"), bad, tmp_path)
        return
    if bad.stdin is not None:
        import io

        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(bad.stdin)))
    result = run(*args)
    assert_refused(result.code, result.out, result.err, bad, tmp_path)


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30


# -- batch: each bad line in its place ----------------------------------------------


def _expected_id(content: bytes) -> str | None:
    try:
        data = json.loads(content)
    except (ValueError, RecursionError):
        return None
    return data["id"] if isinstance(data, dict) and isinstance(data.get("id"), str) else None


def _batch_input() -> tuple[bytes, list[tuple[str, BadJson | None]]]:
    """Good lines and every one-line bad case of BAD_JSON, alternating; and what each line is."""
    lines: list[bytes] = []
    expect: list[tuple[str, BadJson | None]] = []
    for number, (name, bad) in enumerate(BAD_JSON.items()):
        lines.append(json.dumps({"id": f"good-{number}", "present": ["burning-feet"]}).encode())
        expect.append((f"good-{number}", None))
        if bad.content.strip() and b"\n" not in bad.content:
            lines.append(bad.content)
            expect.append((name, bad))
    lines.append(b'{"id": "last", "absent": ["diarrhea"]}')
    expect.append(("last", None))
    return b"\n".join(lines) + b"\n", expect


@pytest.mark.parametrize("how", ["file-in-process", "stdin-subprocess"])
def test_batch_turns_each_bad_line_into_an_error_object_in_place(how: str, tmp_path: Path, run) -> None:
    data, expect = _batch_input()
    if how == "file-in-process":
        path = tmp_path / "cases.jsonl"
        path.write_bytes(data)
        result = run("batch", *KB, str(path))
        code, out, err = result.code, result.out, result.err
    else:
        done = run_process("batch", *KB, "-", stdin=data)
        code, out, err = done.returncode, done.stdout.decode(), done.stderr.decode()
    bad_count = sum(1 for _, bad in expect if bad is not None)
    assert bad_count >= 25
    assert code == 2 and "Traceback" not in err
    assert err.count("\n") == 1 and err.startswith(f"gutnerve: error: {bad_count} line(s) of ")
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == len(expect)
    for number, (record, (name, bad)) in enumerate(zip(records, expect, strict=True), start=1):
        if bad is None:
            assert "error" not in record and record["id"] == name, record
            assert record["differential"] and record["differential"][0]["rank"] == 1
        else:
            assert set(record) >= {"id", "error"}, (name, record)
            assert record["error"].startswith(f"line {number}: "), (name, record)
            assert bad.says in record["error"], (name, record)
            assert record["id"] == _expected_id(bad.content), (name, record)
            assert "\n" not in record["error"]


# -- limits: refused without reading the input whole -------------------------------

MEMORY_CAP = 256 * 1024 * 1024  # address space for the command: a few times what it needs
BIG = 320 * 1024 * 1024  # sparse files larger than that cap: reading one whole would fail


def _run_capped(args: list[str], stdin_path: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    with open(stdin_path or os.devnull, "rb") as stdin:
        return subprocess.run(
            gutnerve_command() + args,
            stdin=stdin,
            capture_output=True,
            timeout=60,
            preexec_fn=cap,
            env=dict(os.environ, GUTNERVE_NO_CACHE="1"),
            check=False,
        )


def _sparse(path: Path, head: bytes = b"", size: int = BIG) -> Path:
    path.write_bytes(head)
    os.truncate(path, size)  # zeros after the head, taking no disk space
    return path


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and sparse files as on Linux")
@pytest.mark.parametrize("where", ["input-file", "stdin", "batch-line", "kb-file"])
def test_input_over_the_limit_is_refused_without_being_read_whole(where: str, tmp_path: Path) -> None:
    big = tmp_path / "big"
    if where == "kb-file":
        shutil.copytree(MINI_KB, tmp_path / "kb")
        _sparse(tmp_path / "kb" / "findings.yaml", b"findings:\n")
        done = _run_capped(["causes", "--kb", str(tmp_path / "kb")])
        says = f"kb/findings.yaml: file is {BIG} bytes, over the limit of {MAX_FILE_BYTES}"
    elif where == "batch-line":  # one good line, then one line of 320 MB without a newline
        _sparse(big, b'{"id": "first", "present": ["diarrhea"]}\n')
        done = _run_capped(["batch", *KB, str(big)])
        records = [json.loads(line) for line in done.stdout.decode().splitlines()]
        assert [r.get("id") for r in records] == ["first", None]
        assert "error" not in records[0]
        assert records[1]["error"] == f"line 2: case: line is longer than the limit of {MAX_CASE_BYTES} bytes"
        says = "1 line(s) of"
    else:
        _sparse(big, b'{"present": [')
        args = ["assess", *KB, "--input", str(big) if where == "input-file" else "-"]
        done = _run_capped(args, stdin_path=big if where == "stdin" else None)
        says = f"larger than the limit of {MAX_CASE_BYTES} bytes"
    err = done.stderr.decode()
    assert "Traceback" not in err and "MemoryError" not in err, err
    assert done.returncode == 2, err
    assert err.count("\n") == 1 and err.startswith("gutnerve: error: ") and says in err, err
    if where != "batch-line":
        assert done.stdout == b""


def test_capped_memory_is_enough_for_a_normal_run(tmp_path: Path) -> None:
    """The cap of the test above leaves room for a real run: its refusals are not just lack of memory."""
    case = tmp_path / "case.json"
    case.write_text('{"present": ["diarrhea"]}')
    done = _run_capped(["assess", *KB, "--input", str(case), "--json"])
    assert done.returncode == 0, done.stderr.decode()
    assert json.loads(done.stdout)["case"]["present"] == ["diarrhea"]


def test_a_utf8_byte_order_mark_is_accepted(run, tmp_path: Path) -> None:
    """Not bad input: some editors write a UTF-8 BOM, and JSON readers may ignore it (RFC 8259, 8.1)."""
    case = tmp_path / "case.json"
    case.write_bytes(b'\xef\xbb\xbf{"present": ["diarrhea"]}')
    result = run("assess", *KB, "--input", str(case), "--json")
    assert result.code == 0, result.err
    assert result.json()["case"]["present"] == ["diarrhea"]
