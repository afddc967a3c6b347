"""JSON in and out, through orjson.

In `batch`, encoding and decoding JSON was most of the time spent per case
with the standard library (about 95 us to encode one result); orjson does the
same in under 10 us and is stricter on input (it refuses NaN and Infinity,
which are not JSON). Every JSON the program reads or writes goes through here,
so all outputs share one encoder and are byte-for-byte stable.
"""

from __future__ import annotations

from typing import Any

import orjson

JSONDecodeError = orjson.JSONDecodeError  # a subclass of json.JSONDecodeError: msg, lineno, colno


def loads(data: bytes | str) -> Any:
    return orjson.loads(data)


def dumps_line(data: Any) -> bytes:
    """Compact JSON on one line, without the newline (for JSONL)."""
    return orjson.dumps(data)


def dumps_document(data: Any) -> str:
    """Indented JSON for a single document."""
    return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode()
