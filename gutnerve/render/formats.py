"""The plain-text output formats: Markdown for notes, CSV for spreadsheets.

Pure functions of the result dicts of gutnerve.report (the same dicts that
`--json` prints), so every format says the same thing.
"""

from __future__ import annotations

import csv
import io
import math
import re
from typing import Any, NamedTuple

from gutnerve import jsonio
from gutnerve.report import DISCLAIMER, in_sentence

FORMATS = ("table", "json", "jsonl", "markdown", "csv")
CSV_COLUMNS = ("case_id", "rank", "id", "name", "probability", "triage", "error")


class Framing(NamedTuple):
    """How the records of a stream of results are put together."""

    head: bytes  # before the first record
    separator: bytes  # between two records
    tail: bytes  # after the last


def framing(fmt: str) -> Framing:
    return {
        "json": Framing(b"[\n", b",\n", b"\n]\n"),  # one JSON document: an array
        "jsonl": Framing(b"", b"\n", b"\n"),
        "csv": Framing(csv_header().encode(), b"", b""),
        "markdown": Framing(b"", b"\n", f"\n*{DISCLAIMER}*\n".encode()),
        "table": Framing(b"", b"\n", f"{DISCLAIMER}\n".encode()),
    }[fmt]


def encode(fmt: str, style: Any, result: dict[str, Any]) -> bytes:
    """One result as a record of a stream in this format (see `framing`)."""
    if fmt == "jsonl":
        return jsonio.dumps_line(result)
    if fmt == "json":
        return jsonio.dumps_document(result).encode()
    if fmt == "csv":
        return csv_rows(result).encode()
    if fmt == "markdown":
        return markdown(result, disclaimer=False).encode()
    rows = len(result.get("differential", ())) or None
    if style is None or not style.color:
        from gutnerve.render import plain

        return plain.assessment(result, style.width if style else 120, rows=rows, disclaimer=False).encode()
    from gutnerve.render.text import assessment

    return assessment(result, style, rows=rows, disclaimer=False).encode()


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def ratio(value: float) -> str:
    """A likelihood ratio for people: 55 or 120 (not 1.2e+02), 3.7, 0.57, 0.021."""
    return f"{value:.0f}" if value >= 10 else f"{value:.2g}"


def percent(value: float) -> str:
    """A probability as a percentage: 55%, and two digits below 10% (2.5%, 0.5%; not 2% or 0%)."""
    return f"{value:.0%}" if value >= 0.1 or value == 0 else f"{value * 100:.2g}%"


def frequency(entry: dict[str, Any]) -> str:
    """A card entry's frequency as a percentage, with the HPO term it was given as: 55% (frequent)."""
    return f"{percent(entry['frequency'])} ({entry['term']})" if entry["term"] else percent(entry["frequency"])


# A study card's entry whose likelihood ratios, present and absent, both lie within this band
# around 1 neither argues for nor against the cause: the cause lists it at about its background
# (a comorbidity it neither brings nor prevents, listed so that it does not count against it).
# The card names these in one line under its table, so the table keeps the findings that decide;
# scoring and the JSON use every entry.
NEAR_BACKGROUND = 1.25


def near_background(entry: dict[str, Any]) -> bool:
    """Whether a card entry speaks neither for nor against its cause (see NEAR_BACKGROUND)."""
    return all(1 / NEAR_BACKGROUND <= entry[key] <= NEAR_BACKGROUND for key in ("likelihood_ratio", "likelihood_ratio_absent"))


def card_findings(card: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A cause card's entries split into those that argue (for its table, in order) and those
    listed near their background (named in one line). An entry a presentation lists otherwise
    stays in the table: near background in the typical picture is not neutral for the cause."""
    differs = {f["finding"] for p in card.get("presentations", ()) for f in p["findings"]}
    neutral = [e for e in card["findings"] if near_background(e) and e["finding"] not in differs]
    return [e for e in card["findings"] if e not in neutral], neutral


# A sentence ends at a full stop after a word, figure or bracket, before a capital letter
# ("1.8%. It" ends one; "et al. 2010" and "e.g. lead" do not).
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)%])\.\s+(?=[A-Z])")
GIST_CHARS = 60  # a gist shorter than this ("Clinical judgement.") takes the next sentence too
SHORTENED = "(shortened; all of it with --json)"


def gist(text: str) -> tuple[str, bool]:
    """The opening sentences of a long working (a prior's basis): whole sentences until the
    gist is at least GIST_CHARS long, and whether anything was left out."""
    for end in _SENTENCE_END.finditer(text):
        if end.start() + 1 >= GIST_CHARS:
            return text[: end.start() + 1], True
    return text, False


def prevalence_line(prior: dict[str, Any]) -> str:
    """A card's prevalence: its class and the gist of its basis, the class named once ("rare:
    Rare, by clinical judgement" reads twice), and where the full working is when it is cut."""
    text, cut = gist(prior["basis"])
    named = prior["prevalence"].replace("-", " ")
    line = text if text.lower().replace("-", " ").startswith(named) else f"{prior['prevalence']}: {text}"
    return line + (f" {SHORTENED}" if cut else "")


def card_sources(card: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    """The sources a cause card cites (those its entries, presentations and red flags rest on, and
    those its printed texts name, the prevalence gist among them), in the card's order, and how
    many others only back the notes (they are in the JSON)."""
    keys = {f["source"] for f in card["findings"]} | {flag["basis"] for flag in card["red_flags"]}
    if "suspect_when" in card:
        keys.add(card["suspect_when"]["basis"])
    for p in card.get("presentations", ()):
        keys |= {p["source"], p["urgency_basis"], *(f["source"] for f in p["findings"])}
    shown = [card[k] for k in ("summary", "mechanism_detail", "gut_link", "area", "severity", "course", "management")]
    shown += [
        prevalence_line(card["prior"]),
        *(step["why"] for step in card["workup"]),
        *(f["message"] for f in card["red_flags"]),
    ]
    text = "\n".join(shown)
    named = [s for s in card["sources"] if s["key"] in keys or re.search(rf"(?<![\w-]){re.escape(s['key'])}(?![\w-])", text)]
    return named, len(card["sources"]) - len(named)


# A reason whose likelihood ratio lies within 5% of 1 barely moves the odds: the tables leave it
# out (the JSON keeps every one), so "no fever (LR 1)" is not listed as a reason for a cause.
NOTABLE_WEIGHT = 0.05  # |ln LR|
SHOWN_REASONS = 3  # reasons a table cell lists; it says how many more there are


def reasons(items: list[dict[str, Any]]) -> list[str]:
    """The strongest for (or against) entries of a cause that the case reports, for a table cell,
    strongest first, "+N more" if cut."""
    reported = [item for item in items if item["present"] is not None and abs(item["weight"]) >= NOTABLE_WEIGHT]
    shown = [reason(item) for item in reported[:SHOWN_REASONS]]
    if len(reported) > SHOWN_REASONS:
        shown.append(f"+{len(reported) - SHOWN_REASONS} more")
    return shown


def silence(row: dict[str, Any]) -> tuple[float, str] | None:
    """What the case's silence (model.yaml `unmentioned`) says of a differential row, as one line:
    its ln LR summed over every finding the case does not mention, and the line, the strongest
    silence on that side named and the others counted ("not mentioned: alcohol excess and 24 more
    (LR 0.12 together)"); None when it barely moves the odds. --why and the JSON list each one."""
    silent = [item for item in (*row["for"], *row["against"]) if item["present"] is None]
    together = math.fsum(item["weight"] for item in silent)
    if abs(together) < NOTABLE_WEIGHT:
        return None
    if len(silent) == 1:
        return together, reason(silent[0])
    strongest = max(silent, key=lambda item: item["weight"] if together > 0 else -item["weight"])
    return together, f"{said(strongest)} and {len(silent) - 1} more (LR {ratio(math.exp(together))} together)"


def reason_lines(row: dict[str, Any]) -> tuple[list[str], list[str]]:
    """A differential row's reasons for and against the cause, as its two table cells: the for
    side opened by the presentation they are those of ("as diabetic amyotrophy") when it is one
    of the cause's presentations, and the case's silence closing the side it argues for on
    balance (worked out once for both)."""
    for_side, against_side = reasons(row["for"]), reasons(row["against"])
    quiet = silence(row)
    if quiet is not None:
        (for_side if quiet[0] > 0 else against_side).append(quiet[1])
    name = row.get("presentation_name")
    return ([f"as {in_sentence(name)}", *for_side] if name else for_side), against_side


def said(item: dict[str, Any]) -> str:
    """A finding as the case has it: its label if present, "no <label>" if known absent,
    "not mentioned: <label>" if the case is silent about it (model.yaml `unmentioned`)."""
    if item["present"] is None:
        return f"not mentioned: {in_sentence(item['label'])}"
    return item["label"] if item["present"] else f"no {in_sentence(item['label'])}"


def reason(item: dict[str, Any]) -> str:
    """One for/against entry in words: "Burning feet (LR 6)", "no weight loss (LR 0.6)",
    "not mentioned: diabetes (LR 0.6)", and "Foot drop (not a feature, LR 0.5)" for a finding
    the cause does not list."""
    unexplained = "" if item.get("explained", True) else "not a feature, "
    return f"{said(item)} ({unexplained}LR {ratio(item['likelihood_ratio'])})"


_DOUBTED = {
    "list": "named in a list after a negation",
    "side named": "only suggested by the side named",
    "suggests": "suggested, not said outright",
    "past": "said of the past",
}


def understood_lines(understood: dict[str, Any]) -> str:
    """What --text understood, as plain lines: present, absent, and what was not matched."""

    def listed(items: list[dict[str, Any]]) -> str:
        return ", ".join(f"{m['finding']} ({m['phrase']!r})" for m in items) or "-"

    lines = [f"Understood from the text: present: {listed(understood['present'])}", f"  absent: {listed(understood['absent'])}"]
    if understood["uncertain"]:
        lines.append(f"  uncertain, not used: {listed(understood['uncertain'])}")
    asked: dict[str, list[dict[str, Any]]] = {}  # a red flag said with doubt: never passed over in silence
    for m in understood["uncertain"]:
        if "if_present_triage" in m:
            asked.setdefault(m["finding"], []).append(m)
    for finding, mentions in asked.items():  # one question a finding, however many phrases raised it
        first = mentions[0]
        how = _DOUBTED.get(first.get("doubt", ""), "not said for certain")
        phrases = ", ".join(repr(m["phrase"]) for m in mentions)
        lines.append(
            f"  ! {finding} ({phrases}) was {how}; if present the triage would be"
            f" {first['if_present_triage'].upper()}: answer --{finding} or --no-{finding}"
        )
    if understood["age"] is not None or understood["sex"] is not None:
        lines.append(f"  age: {understood['age'] if understood['age'] is not None else '-'}, sex: {understood['sex'] or '-'}")
    hints = {s["phrase"]: s["finding"] for s in understood["suggestions"]}
    for key, what in (("unmatched", "not understood, not used"), ("quantities", "times and numbers not used")):
        if understood.get(key):  # quantities: absent from results written before it was added
            shown = [f"{p!r}" + (f" (did you mean --{hints[p]}?)" if p in hints else "") for p in understood[key]]
            lines.append(f"  {what}: {', '.join(shown)}")
    return "\n".join(lines) + "\n"


WATCHED = ("emergency", "urgent")  # the levels a terminal's safety net names


def watch_lines(result: dict[str, Any]) -> list[str]:
    """The safety net under the triage: the findings whose appearance alone would make the case an
    emergency, or urgent (`watch_for`, only at a terminal), grouped by level."""
    from gutnerve.render.plain import LEVEL_MEANING

    lines = []
    for level in WATCHED:
        named = [in_sentence(item["label"]) for item in result.get("watch_for", ()) if item["level"] == level]
        if named:
            appears = "if this appears" if len(named) == 1 else "if any of these appear"
            lines.append(f"{LEVEL_MEANING[level][0].upper()}{LEVEL_MEANING[level][1:]} {appears}: {', '.join(named)}.")
    return lines


def case_lines(result: dict[str, Any]) -> list[str]:
    """What was assessed, in the flags' own ids, so a person sees that every finding given was
    read: one line (none for a result without its case)."""
    case = result.get("case")
    if case is None:
        return []
    parts = [f"present: {', '.join(case['present'])}" if case["present"] else "present: none"]
    if case["absent"]:
        parts.append(f"absent: {', '.join(case['absent'])}")
    if case["age"] is not None:
        parts.append(f"age {case['age']}")
    if case["sex"] is not None:
        parts.append(case["sex"])
    return ["Assessed: " + "; ".join(parts)]


def why_lines(why: dict[str, Any]) -> list[str]:
    """`assess --why`: a cause beside the cause ranked first, finding by finding, as plain lines.
    The "favours" column multiplies out to the ratio of the two probabilities."""
    cause, versus = why["cause"], why["versus"]
    sides = [cause] if versus is None else [cause, versus]
    head = f"Why {cause['name']} ranks #{cause['rank']} ({percent(cause['probability'])})"
    if versus is not None:
        head += f", and {versus['name']} #{versus['rank']} ({percent(versus['probability'])})"
    rows = [["", *(side["id"] for side in sides), "favours" if versus else ""]]

    def prior(side: dict[str, Any]) -> str:
        factors = "".join(f", {f['reason']} x{f['multiplier']:g}" for f in side["prior_factors"])
        return f"{percent(side['prior'])}{f' ({factors[2:]})' if factors else ''}"

    def favours(mine: float, theirs: float) -> str:
        if versus is None or max(mine, theirs) < 1.05 * min(mine, theirs):
            return "-"
        return f"{cause['id'] if mine > theirs else versus['id']} x{max(mine, theirs) / min(mine, theirs):.2g}"

    rows.append(["prior", *(prior(side) for side in sides), favours(cause["prior"], versus["prior"] if versus else 0.0)])
    for number, item in enumerate(cause["findings"]):
        cells = [_why_cell(side["findings"][number]) for side in sides]
        ratios = [side["findings"][number]["likelihood_ratio"] for side in sides]
        rows.append([said(item), *cells, favours(ratios[0], ratios[1] if versus else 0.0)])
    if any("mixture_factor" in side for side in sides):  # a cause with presentations: its mixture's factor
        factors = [side.get("mixture_factor", 1.0) for side in sides]
        rows.append(["presentations", *map(_mixture_cell, sides), favours(factors[0], factors[1] if versus else 0.0)])
    if versus is not None:
        rows.append(
            [
                "probability",
                *(percent(side["probability"]) for side in sides),
                favours(cause["probability"], versus["probability"]),
            ]
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = [head + ":"]
    lines += ["  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    return lines


def ask_lines(ask: dict[str, Any]) -> list[str]:
    """`assess --ask N`: the questions worth asking next, each answer's likeliest causes, and the
    questions whose yes would raise the triage level."""

    def after(side: dict[str, Any]) -> str:
        causes = ", ".join(f"{c['name']} {percent(c['probability'])}" for c in side["top"][:2])
        return f"{causes}; triage {side['triage']}"

    lines = [f"Worth asking next (expected information gain; the case's uncertainty is {ask['entropy_bits']:.2f} bits):"]
    for number, item in enumerate(ask["questions"], start=1):
        lines.append(f"  {number}. {item['question']} ({item['label']}, {item['information_gain_bits']:.2f} bits)")
        lines.append(f"     yes (about {percent(item['if_yes']['probability'])}): {after(item['if_yes'])}")
        lines.append(f"     no  (about {percent(item['if_no']['probability'])}): {after(item['if_no'])}")
    if ask["would_raise_triage"]:
        raising = "; ".join(f"{item['label']} -> {item['if_yes']['triage']}" for item in ask["would_raise_triage"])
        lines.append(f"A yes would raise the triage level ({ask['triage']} now): {raising}")
    return lines


def _mixture_cell(side: dict[str, Any]) -> str:
    if "mixture_factor" not in side:
        return "-"
    shown = f"shown as {side['presentation']}" if side["presentation"] else "shown as typical"
    return f"x{side['mixture_factor']:.3g} (mixture, {shown})"


def _why_cell(item: dict[str, Any]) -> str:
    if "likelihood" not in item:
        return f"LR 1 (neutral: counted through {item['via']})" if "via" in item else "LR 1 (not listed: neutral)"
    shares = f"{percent(item['likelihood'])} vs {percent(item['background'])}"
    return f"LR {ratio(item['likelihood_ratio'])} ({shares}{'' if item['listed'] else ', not listed'})"


def implied_lines(result: dict[str, Any]) -> list[str]:
    """The reported findings not counted again, one line each (none when there are none)."""
    return [f"Not counted twice: {item['message']}" for item in result.get("case", {}).get("implied", ())]


def markdown(result: dict[str, Any], disclaimer: bool = True) -> str:
    """A result as Markdown: triage, a table a student can paste into notes, the workup."""
    title = f"### Case {result['id']}\n\n" if result.get("id") else ""
    if "error" in result:
        return f"{title}**Error:** {_md_cell(result['error'])}\n"
    triage = result["triage"]
    lines = [title.rstrip("\n")] if title else []
    if "understood" in result:
        lines += ["```", understood_lines(result["understood"]).rstrip("\n"), "```", ""]
    lines += [*(_md_cell(line) for line in case_lines(result)), ""]
    lines.append(f"**Triage: {triage['level']}**")
    lines += [f"- {_md_cell(text)}" for text in triage["reasons"]]
    lines += ["", "| # | Cause | Probability | For | Against | First tests |", "|---:|---|---:|---|---|---|"]
    for row in result["differential"]:
        cells = [
            str(row["rank"]),
            _md_cell(row["name"]),
            f"{row['probability']:.1%}",
            *(_md_cell("; ".join(cell) or "-") for cell in reason_lines(row)),
            _md_cell("; ".join(row["workup"][:2])),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    if implied := implied_lines(result):
        lines += ["", *(f"- {_md_cell(line)}" for line in implied)]
    if "why" in result:
        lines += ["", "```", *why_lines(result["why"]), "```"]
    if "ask" in result:
        lines += ["", "```", *ask_lines(result["ask"]), "```"]
    if result["workup"]:
        lines += ["", "**Suggested workup, highest yield first:**", ""]
        lines += [f"{number}. {_md_cell(test)}" for number, test in enumerate(result["workup"], start=1)]
    if disclaimer:
        lines += ["", f"*{DISCLAIMER}*"]
    return "\n".join(lines) + "\n"


def csv_header() -> str:
    return _csv_lines([CSV_COLUMNS])


def csv_rows(result: dict[str, Any]) -> str:
    """One CSV row per cause shown (rank, id, name, probability), or one row for an error."""
    case_id = result.get("id") or ""
    if "error" in result:
        return _csv_lines([(case_id, "", "", "", "", "", result["error"])])
    level = result["triage"]["level"]
    return _csv_lines(
        [(case_id, row["rank"], row["id"], row["name"], row["probability"], level, "") for row in result["differential"]]
    )


def _csv_lines(rows: list[tuple[Any, ...]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()
