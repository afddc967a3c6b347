"""Batch: JSONL in, JSONL out, one line out per line in, in input order.

The core is `assess_lines`, a pure function from a chunk of raw input lines to
the bytes of their output lines. `run` is the shell around it:

- it reads the input a line at a time, never more than `MAX_CASE_BYTES` of a
  line (a longer line is skipped to its end and reported), so memory stays
  flat whatever the size of the input or of its lines;
- chunks of `CHUNK_LINES` lines go to worker processes, at most
  `IN_FLIGHT_PER_JOB` chunks per worker at a time, and come back in input
  order; with one job, or an input of one chunk, nothing is forked;
- a bad line becomes an error object on its own output line, and the rest
  are still scored.
"""

from __future__ import annotations

import functools
import os
from collections import deque
from collections.abc import Callable, Iterator
from typing import IO, Any

from gutnerve.case import CaseError, parse_case, parse_json
from gutnerve.limits import MAX_CASE_BYTES
from gutnerve.model import Issue, KnowledgeBase

CHUNK_LINES = 256
IN_FLIGHT_PER_JOB = 4

TOO_LONG = None  # stands for a line longer than MAX_CASE_BYTES, which is not kept


class ReadError(Exception):
    """The input stopped being readable part-way (an I/O error): bad input, not a bug."""


def read_lines(handle: IO[bytes], limit: int | None = None) -> Iterator[bytes | None]:
    """Each line of a binary stream, or TOO_LONG for a line over `limit` bytes (read past, not kept)."""
    limit = MAX_CASE_BYTES if limit is None else limit
    while True:
        try:
            line = handle.readline(limit + 1)
        except OSError as error:
            raise ReadError(f"cannot read: {error.strerror or error}") from None
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                try:
                    line = handle.readline(1 << 16)
                except OSError as error:
                    raise ReadError(f"cannot read: {error.strerror or error}") from None
            yield TOO_LONG
        else:
            yield line


Encoder = Callable[[dict[str, Any]], bytes]


def assess_lines(
    kb: KnowledgeBase,
    lines: list[bytes | None],
    first_number: int,
    top: int | None,
    encode: Encoder | None = None,
    separator: bytes = b"\n",
) -> tuple[bytes, int]:
    """The output records for these input lines, joined by `separator`, and how many lines were bad.
    Records are JSON lines unless `encode` says otherwise (see gutnerve.render.formats)."""
    from gutnerve.api import assess_case
    from gutnerve.jsonio import dumps_line
    from gutnerve.report import assessment_dict, error_dict

    encode = encode or dumps_line

    out: list[bytes] = []
    errors = 0
    for number, raw in enumerate(lines, start=first_number):
        case_id = None
        try:
            if raw is TOO_LONG:
                raise CaseError([Issue("error", "case", f"line is longer than the limit of {MAX_CASE_BYTES} bytes")])
            if not raw.strip():
                raise CaseError([Issue("error", "case", "empty line")])
            data = parse_json(raw)
            if isinstance(data, dict) and isinstance(data.get("id"), str):
                case_id = data["id"]
            out.append(encode(assessment_dict(kb, assess_case(kb, parse_case(data, kb), top))))
        except CaseError as error:
            errors += 1
            out.append(encode(error_dict(case_id, f"line {number}: {error}")))
    return separator.join(out), errors


def _chunks(lines: Iterator[bytes | None], size: int) -> Iterator[tuple[int, list[bytes | None], int]]:
    """(number of the first line, the lines, their size in bytes) for each chunk."""
    number = 1
    while True:
        chunk: list[bytes | None] = []
        size_in = 0
        for line in lines:
            chunk.append(line)
            size_in += len(line) if line is not None else MAX_CASE_BYTES
            if len(chunk) == size:
                break
        if not chunk:
            return
        yield number, chunk, size_in
        number += len(chunk)


# Worker processes get the knowledge base once, at start-up: inherited when
# forked, else loaded (from the cache) by `_start_worker`.
_worker: dict[str, Any] = {}


def _start_worker(kb_path: str | None, fingerprint: str) -> None:
    kb = _worker.get("kb")
    if kb is None or kb.fingerprint != fingerprint:
        from gutnerve.knowledge import load

        _worker["kb"] = load(kb_path)
        import gc

        gc.freeze()  # as in the shell: the knowledge base is kept for the worker's life


def _work(
    lines: list[bytes | None], first_number: int, top: int | None, encode: Encoder | None, separator: bytes
) -> tuple[bytes, int]:
    return assess_lines(_worker["kb"], lines, first_number, top, encode, separator)


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def run(
    kb: KnowledgeBase,
    kb_path: str | None,
    handle: IO[bytes],
    out: IO[bytes],
    top: int | None = None,
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
    fmt: str = "jsonl",
    style: Any = None,
) -> int:
    """Assess every line of `handle` into `out` in format `fmt`; return the number of bad lines.

    `progress(lines, bytes)` is called after each chunk is written.
    """
    from gutnerve.render.formats import encode as encode_as
    from gutnerve.render.formats import framing

    frame = framing(fmt)
    encode = None if fmt == "jsonl" else functools.partial(encode_as, fmt, style)
    chunks = _chunks(read_lines(handle), CHUNK_LINES)
    errors = lines_done = bytes_done = 0
    out.write(frame.head)

    def emit(result: tuple[bytes, int], count: int, size: int) -> None:
        nonlocal errors, lines_done, bytes_done
        if lines_done:
            out.write(frame.separator)
        out.write(result[0])
        errors += result[1]
        lines_done += count
        bytes_done += size
        if progress is not None:
            progress(lines_done, bytes_done)

    first = next(chunks, None)
    second = next(chunks, None) if first is not None else None
    if first is None or jobs <= 1 or second is None:  # small input or one job: no processes to start
        for number, chunk, size in _prepend(first, second, chunks):
            emit(assess_lines(kb, chunk, number, top, encode, frame.separator), len(chunk), size)
        _finish(out, frame, lines_done)
        return errors

    import multiprocessing

    _worker["kb"] = kb  # inherited by forked workers
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with context.Pool(jobs, initializer=_start_worker, initargs=(kb_path, kb.fingerprint)) as pool:
        pending: deque[tuple[Any, int, int]] = deque()
        for number, chunk, size in _prepend(first, second, chunks):
            pending.append((pool.apply_async(_work, (chunk, number, top, encode, frame.separator)), len(chunk), size))
            while len(pending) >= jobs * IN_FLIGHT_PER_JOB:  # bounded: memory does not grow with the input
                task, count, done = pending.popleft()
                emit(task.get(), count, done)
        while pending:
            task, count, done = pending.popleft()
            emit(task.get(), count, done)
    _finish(out, frame, lines_done)
    return errors


def _finish(out: IO[bytes], frame: Any, lines: int) -> None:
    if lines or frame.head:  # an empty JSONL input gives an empty output
        out.write(frame.tail)
    out.flush()


def _prepend(first: Any, second: Any, rest: Iterator[Any]) -> Iterator[Any]:
    if first is not None:
        yield first
    if second is not None:
        yield second
    yield from rest
