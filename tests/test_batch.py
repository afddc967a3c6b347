"""Batch: input order, bad lines, bounded reading, worker processes, progress."""

from __future__ import annotations

import io
import json
import os
import random

import pytest

from gutnerve import batch
from gutnerve.report import assessment_dict


def random_lines(kb, count: int, seed: int = 7) -> list[bytes]:
    rng = random.Random(seed)
    findings = list(kb.findings)
    lines = []
    for number in range(count):
        chosen = rng.sample(findings, rng.randint(1, 8))
        split = rng.randint(0, len(chosen))
        case = {"id": f"c{number}", "present": chosen[:split], "absent": chosen[split:]}
        if rng.random() < 0.5:
            case["age"] = rng.randint(16, 95)
        if rng.random() < 0.5:
            case["sex"] = rng.choice(["female", "male"])
        lines.append(json.dumps(case).encode() + b"\n")
    return lines


def run_batch(kb, lines: list[bytes], jobs: int, top: int | None = 5) -> tuple[list[dict], int]:
    out = io.BytesIO()
    errors = batch.run(kb, None, io.BytesIO(b"".join(lines)), out, top=top, jobs=jobs)
    return [json.loads(line) for line in out.getvalue().splitlines()], errors


def test_worker_processes_give_exactly_the_serial_output(kb):
    lines = random_lines(kb, batch.CHUNK_LINES * 3 + 17)  # several chunks, the last one partial
    serial, parallel = io.BytesIO(), io.BytesIO()
    batch.run(kb, None, io.BytesIO(b"".join(lines)), serial, top=5, jobs=1)
    batch.run(kb, None, io.BytesIO(b"".join(lines)), parallel, top=5, jobs=2)
    assert parallel.getvalue() == serial.getvalue()
    results = [json.loads(line) for line in serial.getvalue().splitlines()]
    assert [r["id"] for r in results] == [f"c{n}" for n in range(len(lines))]


def test_each_line_is_the_assess_result_for_that_case(kb):
    from gutnerve.api import assess_case
    from gutnerve.case import parse_case

    lines = random_lines(kb, 40)
    results, errors = run_batch(kb, lines, jobs=1, top=3)
    assert errors == 0
    for line, result in zip(lines, results, strict=True):
        expected = assessment_dict(kb, assess_case(kb, parse_case(json.loads(line), kb), 3))
        assert result == json.loads(json.dumps(expected))


@pytest.mark.parametrize("jobs", [1, 2])
def test_bad_lines_become_error_objects_in_place(kb, jobs):
    lines = random_lines(kb, batch.CHUNK_LINES * 2 + 5)
    bad = {3: b"{not json\n", batch.CHUNK_LINES + 1: b'{"id": "x", "present": ["no-such-finding"]}\n', len(lines) - 1: b"\n"}
    for number, line in bad.items():
        lines[number] = line
    results, errors = run_batch(kb, lines, jobs)
    assert errors == len(bad) and len(results) == len(lines)
    for number, result in enumerate(results):
        if number in bad:
            assert "error" in result and result["error"].startswith(f"line {number + 1}:")
        else:
            assert "error" not in result and result["id"] == f"c{number}"
    assert results[batch.CHUNK_LINES + 1]["id"] == "x"  # a bad line keeps its id when it has one


def test_a_line_over_the_limit_is_skipped_to_its_end_not_kept():
    stream = io.BytesIO(b"short\n" + b"x" * 5000 + b"\nnext\nlast-without-newline")
    assert list(batch.read_lines(stream, limit=100)) == [b"short\n", batch.TOO_LONG, b"next\n", b"last-without-newline"]


def test_a_line_over_the_limit_is_an_error_object(kb, monkeypatch):
    monkeypatch.setattr(batch, "MAX_CASE_BYTES", 50)  # the name batch reads at call time
    lines = [b'{"present": ["diarrhea"]}\n', b'{"present": ["diarrhea"], "absent": ' + b" " * 60 + b"[]}\n"]
    out = io.BytesIO()
    stream = io.BytesIO(b"".join(lines))
    errors = batch.run(kb, None, stream, out, jobs=1)
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert errors == 1 and "error" not in first
    assert second["error"] == "line 2: case: line is longer than the limit of 50 bytes"


class CountingStream(io.RawIOBase):
    """An endless JSONL stream that counts the lines handed out."""

    def __init__(self, line: bytes, total: int):
        self.line, self.total, self.served = line, total, 0
        self.buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while len(self.buffer) < len(target) and self.served < self.total:
            self.buffer += self.line
            self.served += 1
        size = min(len(target), len(self.buffer))
        target[:size], self.buffer = self.buffer[:size], self.buffer[size:]
        return size


class FirstWrite(io.BytesIO):
    """Records how many input lines had been read when output first appeared."""

    def __init__(self, source: CountingStream):
        super().__init__()
        self.source, self.read_at_first_write = source, None

    def write(self, data) -> int:
        if self.read_at_first_write is None:
            self.read_at_first_write = self.source.served
        return super().write(data)


@pytest.mark.parametrize("jobs", [1, 2])
def test_input_is_read_as_output_is_written_not_all_at_once(kb, jobs):
    total = batch.CHUNK_LINES * (batch.IN_FLIGHT_PER_JOB * jobs + 10)
    source = CountingStream(b'{"present": ["burning-feet", "diarrhea"]}\n', total)
    out = FirstWrite(source)
    batch.run(kb, None, io.BufferedReader(source), out, top=1, jobs=jobs)
    assert out.getvalue().count(b"\n") == total
    # at most the chunks in flight (plus read-ahead buffering) are read before the first result is written
    in_flight = batch.CHUNK_LINES * (batch.IN_FLIGHT_PER_JOB * jobs + 2)
    assert out.read_at_first_write is not None and out.read_at_first_write < in_flight + 300


def test_progress_is_reported_per_chunk(kb):
    lines = random_lines(kb, batch.CHUNK_LINES * 2 + 1)
    calls: list[tuple[int, int]] = []
    batch.run(kb, None, io.BytesIO(b"".join(lines)), io.BytesIO(), top=1, jobs=1, progress=lambda n, b: calls.append((n, b)))
    assert [n for n, _ in calls] == [batch.CHUNK_LINES, batch.CHUNK_LINES * 2, len(lines)]
    assert calls[-1][1] == sum(len(line) for line in lines)


def test_progress_bar_draws_on_a_terminal_only(run, tmp_path, monkeypatch):
    from gutnerve.render.progress import progress_bar

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    with progress_bar(screen, total_bytes=1000) as update:
        update(10, 500)
    assert "10 cases" in screen.getvalue() and "50%" in screen.getvalue()
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"present": ["diarrhea", "burning-feet"]}\n')
    result = run("batch", str(cases))
    assert result.code == 0 and result.err == ""  # not a terminal: no progress output


def test_an_input_that_fails_part_way_is_a_read_error_not_a_crash(kb):
    class Failing(io.RawIOBase):
        def __init__(self):
            self.calls = 0

        def readable(self) -> bool:
            return True

        def readinto(self, target) -> int:
            self.calls += 1
            if self.calls > 1:
                raise OSError(5, "Input/output error")
            line = b'{"present": ["diarrhea"]}\n'
            target[: len(line)] = line  # the first read hands out one good line
            return len(line)

    out = io.BytesIO()
    with pytest.raises(batch.ReadError, match="cannot read: Input/output error"):
        batch.run(kb, None, io.BufferedReader(Failing()), out, jobs=1)


def test_chunks_larger_than_a_pipe_buffer_do_not_block_the_workers(kb, monkeypatch):
    """Chunks and their output much larger than a pipe's buffer (64 kB), several in flight per
    worker: the parent must never wait on a worker that waits on the parent."""
    import threading

    monkeypatch.setattr(batch, "CHUNK_LINES", 3)
    padding = b" " * 100_000  # JSON allows it: each line is 100 kB
    lines = [line[:-2] + padding + b"}\n" for line in random_lines(kb, 40)]
    result: list[tuple[list[dict], int]] = []
    runner = threading.Thread(target=lambda: result.append(run_batch(kb, lines, jobs=2, top=None)), daemon=True)
    runner.start()
    runner.join(timeout=120)
    assert result, "batch did not finish: a worker and the parent wait on each other"
    parallel, errors = result[0]
    serial, _ = run_batch(kb, lines, jobs=1, top=None)
    assert errors == 0 and parallel == serial and len(parallel) == len(lines)


def test_output_to_a_file_or_a_pipe_is_the_serial_output(kb, tmp_path, monkeypatch):
    """Workers' output reaches a real file descriptor through os.splice where the system has it
    (an in-memory stream, as in the other tests, takes the read-and-write path)."""
    import threading

    spliced: list[int] = []
    if hasattr(os, "splice"):
        real_splice = os.splice
        monkeypatch.setattr(os, "splice", lambda *args: spliced.append(1) or real_splice(*args))

    lines = random_lines(kb, batch.CHUNK_LINES * 4 + 5)
    serial = io.BytesIO()
    batch.run(kb, None, io.BytesIO(b"".join(lines)), serial, top=5, jobs=1)
    path = tmp_path / "out.jsonl"
    with path.open("wb") as out:
        out.write(b"kept\n")  # buffered by the parent before the workers' output: must come first
        batch.run(kb, None, io.BytesIO(b"".join(lines)), out, top=5, jobs=2)
    assert path.read_bytes() == b"kept\n" + serial.getvalue()
    reader, writer = os.pipe()
    received = bytearray()

    def read_to_the_end() -> None:
        while piece := os.read(reader, 1 << 16):
            received.extend(piece)

    drain = threading.Thread(target=read_to_the_end, daemon=True)
    drain.start()
    with os.fdopen(writer, "wb") as out:
        batch.run(kb, None, io.BytesIO(b"".join(lines)), out, top=5, jobs=2)
    drain.join(timeout=60)
    os.close(reader)
    assert bytes(received) == serial.getvalue()
    assert spliced or not hasattr(os, "splice")


def test_a_worker_that_dies_part_way_through_its_output_is_an_error(kb, monkeypatch, tmp_path):
    import signal

    parent = os.getpid()
    real = batch._write_all

    def dying(fd, data):
        if os.getpid() != parent:
            real(fd, data[: len(data) // 2])
            os.kill(os.getpid(), signal.SIGKILL)
        real(fd, data)

    monkeypatch.setattr(batch, "_write_all", dying)  # inherited by the forked workers
    with (tmp_path / "out.jsonl").open("wb") as out, pytest.raises(RuntimeError, match="a worker process stopped"):
        batch.run(kb, None, io.BytesIO(b"".join(random_lines(kb, batch.CHUNK_LINES * 3))), out, top=5, jobs=2)


def test_a_failure_in_a_worker_is_raised_in_the_parent(kb, monkeypatch):
    import os

    parent = os.getpid()
    real = batch.assess_lines

    def failing(*args, **kwargs):
        if os.getpid() != parent:
            raise RuntimeError("a bug in a worker")
        return real(*args, **kwargs)

    monkeypatch.setattr(batch, "assess_lines", failing)  # inherited by the forked workers
    with pytest.raises(RuntimeError, match="a bug in a worker"):
        run_batch(kb, random_lines(kb, batch.CHUNK_LINES * 3), jobs=2)


def test_a_worker_that_dies_is_an_error_not_a_hang(kb, monkeypatch):
    import os
    import signal

    parent = os.getpid()
    real = batch.assess_lines

    def dying(*args, **kwargs):
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's out-of-memory killer would
        return real(*args, **kwargs)

    monkeypatch.setattr(batch, "assess_lines", dying)
    with pytest.raises(RuntimeError, match="a worker process stopped"):
        run_batch(kb, random_lines(kb, batch.CHUNK_LINES * 3), jobs=2)


def test_a_worker_gone_before_it_is_sent_a_chunk_is_an_error_not_a_pipe_error(kb, monkeypatch):
    """The parent's send to a worker that has already exited fails with a broken pipe (the race
    behind a flaky failure of the test above): it is reported as the stopped worker it is."""
    import os
    import signal

    real = batch._start_workers

    def started_then_killed(*args, **kwargs):
        workers = real(*args, **kwargs)
        for worker in workers:
            os.kill(worker.process.pid, signal.SIGKILL)
            worker.process.join()
        return workers

    monkeypatch.setattr(batch, "_start_workers", started_then_killed)
    with pytest.raises(RuntimeError, match=r"a worker process stopped \(exit code -9\)"):
        run_batch(kb, random_lines(kb, batch.CHUNK_LINES * 3), jobs=2)


def _running(pid: int) -> bool:
    from pathlib import Path

    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status  # a zombie has stopped


def test_workers_stop_when_the_parent_is_killed(kb, tmp_path):
    """A worker inherits the pipes of the workers started before it, so it cannot count on the
    end of its task pipe to notice a killed parent: it watches the parent itself."""
    import subprocess
    import time
    from pathlib import Path

    from .conftest import gutnerve_command

    process = Path("/proc/self/task") / str(os.getpid()) / "children"
    if not process.exists():
        pytest.skip("needs /proc/PID/task/TID/children (Linux)")
    cases = tmp_path / "cases.jsonl"
    cases.write_bytes(b"".join(random_lines(kb, 100)) * 400)  # 40,000 lines: several seconds of work
    parent = subprocess.Popen(
        [*gutnerve_command(), "batch", str(cases), "--jobs", "2"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert parent.stdout is not None
    parent.stdout.readline()  # the workers are at work
    children = [int(pid) for pid in Path(f"/proc/{parent.pid}/task/{parent.pid}/children").read_text().split()]
    assert len(children) == 2
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(_running(pid) for pid in children):
        time.sleep(0.1)
    assert not any(_running(pid) for pid in children)
