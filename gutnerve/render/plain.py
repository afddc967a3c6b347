"""The differential as a plain-text table, for output that is not a terminal.

Piped or redirected output has no colour and no terminal width, so it needs
none of rich; this keeps `gutnerve assess ... > file` and scripts that read
the table from paying rich's import time (about 50 ms) on every call. On a
terminal, gutnerve.render.text draws the same table with rich. Both read the
same result dict (gutnerve.report), and a test checks they show the same rows.
"""

from __future__ import annotations

import textwrap
from typing import Any, NamedTuple

from gutnerve.render.formats import ask_lines, case_lines, implied_lines, reason_lines, understood_lines, watch_lines, why_lines


class Style(NamedTuple):
    """How the output will be shown: decided by the shell, passed in."""

    color: bool = False
    width: int = 100


DEFAULT_ROWS = 10
LEVEL_MEANING = {
    "emergency": "go to an emergency department now",
    "urgent": "be seen by a clinician within 24-48 hours",
    "soon": "be seen within 1-2 weeks",
    "routine": "discuss at a routine appointment",
}


def bar(probability: float, width: int = 10) -> str:
    filled = round(probability * width)
    return "#" * filled + "." * (width - filled)


def _table(headers: list[str], rows: list[list[str]], widths: list[int]) -> list[str]:
    """An ASCII table; each cell is wrapped to its column width (a cell's own lines are kept);
    the first column (the rank) is right-aligned."""
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def line(cells: list[list[str]]) -> list[str]:
        height = max(len(c) for c in cells)
        return [
            "| "
            + " | ".join(
                (c[i] if i < len(c) else "").rjust(w) if n == 0 else (c[i] if i < len(c) else "").ljust(w)
                for n, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
            + " |"
            for i in range(height)
        ]

    def wrap(text: str, width: int) -> list[str]:
        return [part for piece in text.split("\n") for part in (textwrap.wrap(piece, width) or [""])]

    out = [rule, *line([[h] for h in headers]), rule]
    for row in rows:
        out += line([wrap(cell, w) for cell, w in zip(row, widths, strict=True)])
    return [*out, rule]


def assessment(
    result: dict[str, Any], width: int = 120, rows: int | None = None, total: int | None = None, disclaimer: bool = True
) -> str:
    """Triage, the ranked table, the workup and the disclaimer, as plain text."""
    lines: list[str] = []
    if result.get("id"):
        lines.append(f"Case {result['id']}")
    if "error" in result:
        return "\n".join([*lines, f"error: {result['error']}"]) + "\n"
    if "understood" in result:
        lines += [*understood_lines(result["understood"]).splitlines(), ""]
    lines += case_lines(result)
    level = result["triage"]["level"]
    lines.append(f"TRIAGE: {level.upper()} - {LEVEL_MEANING.get(level, '')}")
    lines += [f"- {text}" for text in result["triage"]["reasons"]] if level != "routine" else []
    lines += watch_lines(result)
    shown = result["differential"][: rows or DEFAULT_ROWS]
    fixed = 1 + 17 + 30 + 6 * 3 + 1  # "#", probability, tests, borders
    flexible = max(30, width - fixed)
    cause, for_ = flexible * 36 // 100, flexible * 32 // 100
    widths = [len(str(len(shown))), cause, 17, for_, flexible - cause - for_, 30]
    table_rows = [
        [
            str(row["rank"]),
            row["name"],
            f"{bar(row['probability'])} {row['probability']:6.1%}",
            *("\n".join(cell) or "-" for cell in reason_lines(row)),
            "\n".join(_cut(test, 30) for test in row["workup"][:2]),
        ]
        for row in shown
    ]
    lines.append("Differential")
    lines += _table(["#", "Cause", "Probability", "For", "Against", "First-line tests"], table_rows, widths)
    hidden = (total if total is not None else len(result["differential"])) - len(shown)
    if hidden > 0:
        lines.append(f"{hidden} less likely causes not shown (--top N to see more, --json for all).")
    lines += implied_lines(result)
    if "why" in result:
        lines += ["", *why_lines(result["why"]), ""]
    if "ask" in result:
        lines += ["", *ask_lines(result["ask"]), ""]
    if result["workup"]:
        lines.append("Suggested workup, highest yield first:")
        lines += [
            f"{number:>3}. {item['name']} ({item['line']}-line, {item['yield']:.0%} of probability)"
            for number, item in enumerate(result["workup_plan"], start=1)
        ]
    if disclaimer:
        lines += ["", result["disclaimer"]]
    return "\n".join(lines) + "\n"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
