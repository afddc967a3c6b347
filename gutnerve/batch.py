"""Batch: JSONL in, JSONL out, one line out per line in, in input order.

The core is `assess_lines`, a pure function from a chunk of raw input lines to
the bytes of their output lines. `run` is the shell around it:

- it reads the input a line at a time, never more than `MAX_CASE_BYTES` of a
  line (a longer line is skipped to its end and reported), so memory stays
  flat whatever the size of the input or of its lines;
- chunks of `CHUNK_LINES` lines go to worker processes in turn, at most
  `IN_FLIGHT_PER_JOB` chunks per worker at a time, and their output is read
  back in input order; with one job, or an input of one chunk, nothing is
  forked;
- a bad line becomes an error object on its own output line, and the rest
  are still scored.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections import deque
from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from gutnerve.case import CaseError, parse_case, parse_json
from gutnerve.limits import MAX_CASE_BYTES
from gutnerve.model import Issue, KnowledgeBase

if TYPE_CHECKING:
    from multiprocessing.connection import Connection  # imported when workers start

CHUNK_LINES = 256
IN_FLIGHT_PER_JOB = 4

TOO_LONG = None  # stands for a line longer than MAX_CASE_BYTES, which is not kept


class ReadError(Exception):
    """The input stopped being readable part-way (an I/O error): bad input, not a bug."""


def read_lines(handle: IO[bytes], limit: int | None = None) -> Iterator[bytes | None]:
    """Each line of a binary stream, or TOO_LONG for a line over `limit` bytes (read past, not kept)."""
    limit = MAX_CASE_BYTES if limit is None else limit
    while True:
        line = _readline(handle, limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = _readline(handle, 1 << 16)
            yield TOO_LONG
        else:
            yield line


def _readline(handle: IO[bytes], size: int) -> bytes:
    try:
        return handle.readline(size)
    except OSError as error:
        raise ReadError(f"cannot read: {error.strerror or error}") from None


Encoder = Callable[[dict[str, Any]], bytes]


def assess_lines(
    kb: KnowledgeBase,
    lines: list[bytes | None],
    first_number: int,
    top: int | None,
    encode: Encoder | None = None,
    separator: bytes = b"\n",
) -> tuple[bytearray, int]:
    """The output records for these input lines, joined by `separator`, and how many lines were bad.
    Records are JSON lines unless `encode` says otherwise (see gutnerve.render.formats). They are
    written into one buffer: a chunk's output is a few MB, and copying each record once more
    (a bytes object per record, then their join) showed in the time per case."""
    from gutnerve import fastline
    from gutnerve.api import assess_case
    from gutnerve.jsonio import dumps_line
    from gutnerve.jsonline import assessment_line
    from gutnerve.report import assessment_dict, error_dict

    encode_error = encode or dumps_line
    # JSONL through the compiled accelerator where it is built (same bytes; see gutnerve.fastline);
    # a --top below 1 takes the pure path, which reports it on every line
    fast = fastline.accelerator(kb) if encode is None and (top is None or top >= 1) else None

    out = bytearray()
    errors = 0
    for number, raw in enumerate(lines, start=first_number):
        if number != first_number:
            out += separator
        case_id = None
        try:
            if raw is TOO_LONG:
                raise CaseError([Issue("error", "case", f"line is longer than the limit of {MAX_CASE_BYTES} bytes")])
            if not raw.strip():
                raise CaseError([Issue("error", "case", "empty line")])
            data = parse_json(raw)
            if isinstance(data, dict) and isinstance(data.get("id"), str):
                case_id = data["id"]
            case = parse_case(data, kb)
            if fast is not None:
                fastline.append_line(out, kb, fast, case, top)
                continue
            assessment = assess_case(kb, case, top)
            if encode is None:  # JSONL: straight to the bytes of dumps_line(assessment_dict(...)) (see jsonline)
                out += assessment_line(kb, assessment)
            else:
                out += encode(assessment_dict(kb, assessment))
        except CaseError as error:
            errors += 1
            out += encode_error(error_dict(case_id, f"line {number}: {error}"))
    return out, errors


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


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


# A chunk's output (about 10 KB a case, 2.5 MB a chunk) follows its header message on the
# worker's pipe as raw bytes. The parent moves them to its output with os.splice where the
# system has it (Linux): the kernel copies pipe to file without the bytes passing through
# Python, which took a third of the parent's time, and the parent shares the cores with the
# workers. Elsewhere, or when the output cannot take a splice (a terminal), it reads and writes
# pieces of at most this many bytes.
PIECE_BYTES = 1 << 16


def _serve(tasks: Connection, results: Connection, kb_path: str | None, fingerprint: str, options: tuple[Any, ...]) -> None:
    """A worker process: assess the chunks it is sent, in order, and send back each one's
    output ((bad lines, size), then the bytes in pieces), until it is sent None."""
    import signal
    import threading
    from queue import SimpleQueue

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops its workers on Ctrl-C
    _start_worker(kb_path, fingerprint)
    kb = _worker["kb"]
    queue: SimpleQueue[Any] = SimpleQueue()
    # A thread takes tasks off the pipe as they come: the parent never waits on a worker
    # that is itself waiting for the parent to read its output (chunks can exceed a pipe's buffer).
    threading.Thread(target=_receive, args=(tasks, queue), daemon=True).start()
    while (task := queue.get()) is not None:
        number, lines = task
        try:
            data, errors = assess_lines(kb, lines, number, *options)
        except Exception as error:  # a bug: raised again in the parent, as a pool would
            results.send(error)
            return
        results.send((errors, len(data)))
        _write_all(results.fileno(), data)


def _write_all(fd: int, data: bytearray) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _copy(fd: int, out: IO[bytes], size: int) -> None:
    """Move `size` bytes from the pipe `fd` to `out` (flushed first), by splice where it can."""
    out.flush()
    try:
        target = out.fileno() if hasattr(os, "splice") else -1
    except (OSError, ValueError):  # io.UnsupportedOperation is both: an in-memory stream
        target = -1
    while size > 0:
        if target >= 0:
            try:
                moved = os.splice(fd, target, size)
            except OSError:  # this output cannot take a splice (EINVAL): copy, as elsewhere
                target = -1
                continue
        else:
            piece = os.read(fd, min(size, PIECE_BYTES))
            moved = len(piece)
            out.write(piece)
        if moved == 0:
            raise EOFError  # the worker died part-way through its chunk
        size -= moved


def _receive(tasks: Connection, queue: Any) -> None:
    from multiprocessing import parent_process
    from multiprocessing.connection import wait

    parent = parent_process()
    watched: list[Any] = [tasks] if parent is None else [tasks, parent.sentinel]
    while True:
        if tasks not in wait(watched):  # the parent died (killed): stop, whatever this worker is doing
            os._exit(1)
        try:
            task = tasks.recv()
        except (EOFError, OSError):  # the parent is gone
            task = None
        queue.put(task)
        if task is None:
            return


class _Worker(NamedTuple):
    process: Any  # a multiprocessing.Process
    tasks: Connection  # the parent's end: chunks to assess
    results: Connection  # the parent's end: their output


def _start_workers(kb: KnowledgeBase, kb_path: str | None, jobs: int, options: tuple[Any, ...]) -> list[_Worker]:
    import multiprocessing

    _worker["kb"] = kb  # inherited by forked workers
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    workers = []
    for _ in range(jobs):
        task_reader, task_writer = context.Pipe(duplex=False)
        result_reader, result_writer = context.Pipe(duplex=False)
        args = (task_reader, result_writer, kb_path, kb.fingerprint, options)
        process = context.Process(target=_serve, args=args, daemon=True)
        process.start()
        task_reader.close()  # the worker's ends
        result_writer.close()
        workers.append(_Worker(process, task_writer, result_reader))
    return workers


def _stop(workers: list[_Worker], finished: bool) -> None:
    for worker in workers:
        if finished:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # gone, its output all read
                worker.tasks.send(None)
        else:
            worker.process.terminate()
    for worker in workers:
        worker.process.join()
        worker.tasks.close()
        worker.results.close()


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

    def done(bad: int, count: int, size: int) -> None:
        nonlocal errors, lines_done, bytes_done
        errors += bad
        lines_done += count
        bytes_done += size
        if progress is not None:
            progress(lines_done, bytes_done)

    first = next(chunks, None)
    second = next(chunks, None) if first is not None else None
    if first is None or jobs <= 1 or second is None:  # small input or one job: no processes to start
        for number, chunk, size in _prepend(first, second, chunks):
            data, bad = assess_lines(kb, chunk, number, top, encode, frame.separator)
            if lines_done:
                out.write(frame.separator)
            out.write(data)
            done(bad, len(chunk), size)
        _finish(out, frame, lines_done)
        return errors

    def collect(worker: _Worker, count: int, size: int) -> None:
        """Write the output of the oldest chunk in flight as it arrives."""
        try:
            message = worker.results.recv()
            if isinstance(message, BaseException):
                raise message
            bad, left = message
            if lines_done:
                out.write(frame.separator)
            _copy(worker.results.fileno(), out, left)
        except EOFError:  # not the end of the input: the worker died (killed, out of memory)
            raise _stopped(worker) from None
        done(bad, count, size)

    out.flush()  # before forking: a worker must not inherit output still buffered
    workers = _start_workers(kb, kb_path, jobs, (top, encode, frame.separator))
    finished = False
    try:
        pending: deque[tuple[_Worker, int, int]] = deque()
        for turn, (number, chunk, size) in enumerate(_prepend(first, second, chunks)):
            worker = workers[turn % jobs]  # in turn: each worker's output comes back in the order sent
            try:
                worker.tasks.send((number, chunk))
            except (BrokenPipeError, ConnectionResetError):
                # The worker has exited: read what is owed in order, which raises the error it
                # sent before exiting, or reports that it stopped; never the bare pipe error.
                while pending:
                    collect(*pending.popleft())
                raise _stopped(worker) from None
            pending.append((worker, len(chunk), size))
            while len(pending) >= jobs * IN_FLIGHT_PER_JOB:  # bounded: memory does not grow with the input
                collect(*pending.popleft())
        while pending:
            collect(*pending.popleft())
        finished = True
    finally:
        _stop(workers, finished)
    _finish(out, frame, lines_done)
    return errors


def _stopped(worker: _Worker) -> RuntimeError:
    worker.process.join(1)
    return RuntimeError(f"a worker process stopped (exit code {worker.process.exitcode})")


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
