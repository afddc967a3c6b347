"""Human-readable text for the terminal, built with rich and returned as a string.

The differential table for output that is not a terminal is gutnerve.render.plain,
which shows the same rows without importing rich.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from gutnerve.render.formats import (
    ask_lines,
    card_findings,
    card_sources,
    case_lines,
    frequency,
    implied_lines,
    percent,
    prevalence_line,
    ratio,
    reason_lines,
    understood_lines,
    watch_lines,
    why_lines,
)
from gutnerve.render.plain import DEFAULT_ROWS, LEVEL_MEANING, Style, bar
from gutnerve.report import in_sentence

# what the Key findings columns measure, for a reader who meets the card first
CARD_LEGEND = (
    "In this cause: how often the finding is present with this cause. Background: how often in adults with leg or foot"
    " and gut symptoms. LR: how many times likelier the finding (if present), or its absence (if absent), is with this"
    " cause than in that background."
)
LEVEL_STYLE = {"emergency": "bold white on red", "urgent": "bold red", "soon": "bold yellow", "routine": "green"}


def _render(style: Style, *items: RenderableType) -> str:
    out = io.StringIO()
    console = Console(
        file=out,
        width=style.width,
        force_terminal=style.color,
        no_color=not style.color,
        color_system="standard" if style.color else None,
        highlight=False,
        emoji=False,
        legacy_windows=False,
        soft_wrap=False,
    )
    for item in items:
        console.print(item)
    # rich pads a table's cells to the full width: trailing blanks only get in the way of a copy
    return "\n".join(line.rstrip(" ") for line in out.getvalue().split("\n"))


def _box(style: Style) -> box.Box:
    return box.ROUNDED if style.color else box.ASCII2


def triage_banner(result: dict[str, Any], style: Style) -> RenderableType:
    level = result["triage"]["level"]
    head = Text(f"TRIAGE: {level.upper()} - {LEVEL_MEANING.get(level, '')}", style=LEVEL_STYLE.get(level, ""))
    if level == "routine":
        return head
    lines = [head] + [Text(f"- {reason}") for reason in result["triage"]["reasons"]]
    return Panel(Group(*lines), box=_box(style), border_style=LEVEL_STYLE.get(level, ""), expand=False)


def assessment(
    result: dict[str, Any], style: Style, rows: int | None = None, total: int | None = None, disclaimer: bool = True
) -> str:
    """The person-facing view of one result: banner, table, workup, disclaimer."""
    if "error" in result:  # a bad line of a batch
        title = f"case {result['id']}: " if result.get("id") else ""
        return _render(style, Text(f"{title}error: {result['error']}", style="bold red"))
    shown = result["differential"][: rows or DEFAULT_ROWS]
    table = Table(box=_box(style), show_lines=False, expand=False, title="Differential", title_justify="left")
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Cause", ratio=3)
    table.add_column("Probability", no_wrap=True)
    table.add_column("For", ratio=3)
    table.add_column("Against", ratio=3)
    # one line per test, cut with an ellipsis, so long test names cannot squeeze the reasons
    table.add_column("First-line tests", ratio=2, max_width=30, no_wrap=True, overflow="ellipsis")
    for row in shown:
        table.add_row(
            str(row["rank"]),
            row["name"],
            f"{bar(row['probability'])} {row['probability']:6.1%}",
            *("\n".join(cell) or "-" for cell in reason_lines(row)),
            "\n".join(row["workup"][:2]),
        )
    items: list[RenderableType] = [*(Text(line) for line in case_lines(result)), triage_banner(result, style)]
    items += [*(Text(line) for line in watch_lines(result)), table]
    if "understood" in result:
        items.insert(0, Text(understood_lines(result["understood"])))
    if result.get("id"):
        items.insert(0, Text(f"Case {result['id']}", style="bold"))
    hidden = (total if total is not None else len(result["differential"])) - len(shown)
    if hidden > 0:
        items.append(Text(f"{hidden} less likely causes not shown (--top N to see more, --json for all).", style="dim"))
    if implied := implied_lines(result):
        items.append(Text("\n".join(implied), style="dim"))
    if "why" in result:
        items.append(Text("\n".join(why_lines(result["why"])) + "\n"))
    if "ask" in result:
        items.append(Text("\n".join(ask_lines(result["ask"])) + "\n"))
    if result["workup"]:
        plan = Text("Suggested workup, highest yield first:\n", style="bold")
        for number, item in enumerate(result["workup_plan"], start=1):
            plan.append(f"{number:>3}. {item['name']} ({item['line']}-line, {item['yield']:.0%} of probability)\n", style="")
        items.append(plan)
    if disclaimer:
        items.append(Text(result["disclaimer"], style="dim italic"))
    return _render(style, *items)


def _facts() -> Table:
    """A card's two-column table of labelled facts."""
    facts = Table(box=None, show_header=False, pad_edge=False)
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column()
    return facts


def _hanging(lines: Iterable[str], marker: str = "-", indent: int = 2) -> Table:
    """Lines each opened by `marker` in a margin `indent` wide, their wrapped lines hanging under
    their text, not the margin."""
    items = Table(box=None, show_header=False, pad_edge=False, padding=0)
    items.add_column(width=indent, no_wrap=True)
    items.add_column(overflow="fold")  # a long link folds rather than being cut
    for line in lines:
        items.add_row(marker, Text(line))  # Text: a "[urgent]" or "[key]" is words, not console markup
    return items


def _bulleted(heading: Text, lines: Iterable[str]) -> Group:
    """A heading over "- " items whose wrapped lines hang under the item's text, not the dash."""
    return Group(heading, _hanging(lines), Text(""))


def _sources(sources: Iterable[dict[str, Any]], heading: str = "Sources") -> Group:
    """A card's reference list: [key] citation link, one an item."""
    return _bulleted(Text(heading, style="bold"), (f"[{s['key']}] {s['cite']} {s['link']}" for s in sources))


def cause_card(card: dict[str, Any], style: Style) -> str:
    """`gutnerve explain`: a study card for one cause."""
    head = Text(f"{card['name']}  ({card['id']})", style="bold")
    facts = _facts()
    facts.add_row("Mechanism", f"{card['mechanism']}: {card['mechanism_detail']}")
    facts.add_row("Link to the gut", card["gut_link"])
    facts.add_row("Affected area", card["area"])
    facts.add_row("Severity", card["severity"])
    facts.add_row("Time course", card["course"])
    facts.add_row("Urgency", urgency(card["urgency"]))
    if "suspect_when" in card:
        facts.add_row("Suspected when", Text(suspect_when_line(card["suspect_when"])))
    facts.add_row("Prevalence", prevalence_line(card["prior"]))
    if card["prior"]["age"] or card["prior"]["sex"]:
        facts.add_row("Prior adjusted", prior_adjustments(card["prior"]))
    facts.add_row("ICD-10-CM", ", ".join(card["icd10"]))
    key, neutral = card_findings(card)
    findings = Table(box=_box(style), title="Key findings", title_justify="left")
    # a finding's label and a source key fold rather than being cut with an ellipsis: cut short,
    # a label cannot be read nor a key looked up under Sources
    for name in ("Finding", "In this cause", "Background", "LR if present", "LR if absent", "Source"):
        findings.add_column(name, overflow="fold" if name in ("Finding", "Source") else "ellipsis")
    for f in key:
        source = f"{f['source']}\nvia {f['via']}" if "via" in f else f["source"]
        findings.add_row(
            f["label"],
            frequency(f),
            percent(f["background"]),
            ratio(f["likelihood_ratio"]),
            ratio(f["likelihood_ratio_absent"]),
            source,
        )
    items: list[RenderableType] = [head, Text(card["summary"]), facts, Text(""), findings, Text(CARD_LEGEND, style="dim")]
    if neutral:
        items.append(
            Text(
                f"Listed at about their background, so neither for nor against: {', '.join(in_sentence(f['label']) for f in neutral)}."
            )
        )
    items.append(Text(""))
    if card.get("presentations"):
        items.append(presentation_lines(card))
    if card["red_flags"]:
        most_urgent_first = sorted(card["red_flags"], key=lambda flag: list(LEVEL_MEANING).index(flag["level"]))
        flags = (f"[{flag['level']}] {' + '.join(flag['labels'])}: {flag['message']}{basis(flag)}" for flag in most_urgent_first)
        items.append(_bulleted(Text("Red flags", style="bold red"), flags))
    else:
        items.append(
            Text("Red flags: none of its own (any other cause's red flag still raises the triage of a case).\n", style="bold")
        )
    if card["mimics"]:
        items.append(mimic_lines(card["name"], card["typical"], card["mimics"]))
    work = (f"{step['name']} ({step['line']}-line): {step['why']}" for step in card["workup"])
    items += [_bulleted(Text("Workup", style="bold"), work), Text("Management: ", style="bold") + Text(card["management"] + "\n")]
    cited, others = card_sources(card)
    heading = "Sources" + (f" (those this card cites; {others} more behind the notes are in --json)" if others else "")
    items += [_sources(cited, heading), Text("Decision support only, not a diagnosis.", style="dim italic")]
    return _render(style, *items)


def presentation_lines(card: dict[str, Any]) -> Group:
    """A cause's presentations: each with its share and what it rests on, and the findings in
    which it differs from the cause's own (typical) table, indented under it."""
    parts: list[RenderableType] = [
        Text(f"Presentations (scored as a mixture; the typical table above: {percent(card['typical_share'])})", style="bold")
    ]
    for p in card["presentations"]:
        parts.append(_hanging([f"{p['name']} ({p['id']}): {percent(p['share'])} of cases [{p['source']}]"]))
        details = []
        if p["urgency_basis"] is not None:  # its own urgency, not the cause's; the working is in the JSON
            details.append(f"Its own urgency: {urgency(p['urgency'])} [{p['urgency_basis']}]")
        for f in p["findings"]:
            typical = "not listed" if f["typical"] is None else percent(f["typical"])
            details.append(f"{f['label']}: {percent(f['frequency'])} (typical {typical}) [{f['source']}]")
        parts.append(_hanging(details, marker="", indent=4))
    return Group(*parts, Text(""))


def suspect_when_line(gate: dict[str, Any]) -> str:
    """When a cause's probability counts for triage: 'saddle anesthesia, or leg weakness (not with
    one leg only) [bmj-bp-ces]'."""

    def entry(e: dict[str, Any]) -> str:
        unless = " or ".join(in_sentence(u["label"]) for u in e["unless"])
        return in_sentence(e["label"]) + (f" (not with {unless})" if unless else "")

    named = [entry(e) for e in gate["any"]]
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + f" or {named[-1]}"
    return f"only with {listed}: without one, its probability does not raise triage (its red flags still do) [{gate['basis']}]"


def urgency(level: str) -> str:
    """A card's urgency level with what it means: 'soon (be seen within 1-2 weeks)'."""
    return f"{level} ({LEVEL_MEANING.get(level, '')})"


def prior_adjustments(prior: dict[str, Any]) -> str:
    """The age bands and sex factors that multiply a cause's prior: 'age 60+ x1.94; male x1.82'."""

    def band(b: dict[str, Any]) -> str:
        if b["min"] is None:
            return f"up to {b['max']}"
        return f"{b['min']}+" if b["max"] is None else f"{b['min']}-{b['max']}"

    # the factors as the cause file gives them, so they read as its basis quotes them (1.68, not 1.7)
    parts = [f"age {band(b)} x{b['factor']:g}" for b in prior["age"]]
    parts += [f"{sex} x{factor:g}" for sex, factor in prior["sex"].items() if factor != 1.0]
    return "; ".join(parts) + " (times the prevalence weight, for a person of that age or sex)"


def finding_card(card: dict[str, Any], style: Style) -> str:
    """`gutnerve explain <finding>`: what it means, how common it is (and on what basis), its red
    flag, and how strongly it speaks for each cause."""
    head = Text(f"{card['label']}  ({card['id']}, {card['category']})", style="bold")
    facts = _facts()
    facts.add_row("Meaning", card["meaning"])
    facts.add_row("Asked as", card["question"])
    facts.add_row("Flags", f"--{card['id']} (present), --no-{card['id']} (known absent)")
    if card["hpo"]:
        facts.add_row("HPO term", card["hpo"])
    where = "clinical judgement" if card["background_basis"] == "judgement" else card["background_basis"]
    facts.add_row("Background", f"{percent(card['background'])} of the reference population (basis: {where})")
    if card["implies"]:
        facts.add_row("Entails", ", ".join(card["implies"]) + " (counted once, through this finding)")
    if card["implied_by"]:
        facts.add_row("Entailed by", ", ".join(card["implied_by"]))
    for measured in card.get("measured", ()):
        facts.add_row("Read from", Text(measured_line(measured)))
    items: list[RenderableType] = [head, facts]
    flag = card["red_flag"]
    if flag:
        items.append(Text(f"Red flag [{flag['level']}]: {flag['message']}{basis(flag)}", style="bold red"))
    table = Table(box=_box(style), title="How strongly it speaks for each cause", title_justify="left")
    for name in ("Cause", "Frequency", "LR if present", "LR if absent", "Source"):
        table.add_column(name)
    for entry in card["causes"]:
        table.add_row(
            f"{entry['name']} ({entry['cause']})",
            frequency(entry),
            ratio(entry["likelihood_ratio"]),
            ratio(entry["likelihood_ratio_absent"]),
            entry["source"],
        )
    items.append(table)
    if card.get("presentations"):  # the causes' presentations that list it themselves
        lines = Text("In the causes' presentations (scored as part of their cause's mixture)\n", style="bold")
        for entry in card["presentations"]:
            lines.append(
                f"- {entry['name']} ({entry['cause']}, {percent(entry['share'])} of its cases): "
                f"{percent(entry['frequency'])}, LR {ratio(entry['likelihood_ratio'])} if present, "
                f"{ratio(entry['likelihood_ratio_absent'])} if absent [{entry['source']}]\n",
                style="",
            )
        items.append(lines)
    unlisted = card["unlisted"]
    if unlisted["causes"]:
        effect = (
            "neutral for them (LR 1)"
            if unlisted["share"] == 1.0
            else f"counted as coincidence: LR {ratio(unlisted['likelihood_ratio'])} if present, "
            f"{ratio(unlisted['likelihood_ratio_absent'])} if absent"
        )
        items.append(Text(f"The other {len(unlisted['causes'])} causes do not list it: {effect}."))
    measured_sources = [m["source"] for m in card.get("measured", ())]
    cited = {s["key"]: s for s in (card["background_source"], flag and flag["source"], *measured_sources) if s}
    if cited:
        items.append(_sources(cited.values()))
    items.append(Text("Decision support only, not a diagnosis.", style="dim italic"))
    return _render(style, *items)


def measured_line(measured: dict[str, Any]) -> str:
    """A value free text reads a finding by: 'sodium, na: present at 132 mmol/l or less, absent at
    137 or more [spasovski-2014]'."""

    def span(bounds: dict[str, float | None], unit: str) -> str:
        low, high = bounds["min"], bounds["max"]
        if low is None:
            return f"{high:g} {unit} or less"
        if high is None:
            return f"{low:g} {unit} or more"
        return f"{low:g}-{high:g} {unit}"

    def read(bounds: dict[str, Any], unit: str) -> str:
        return f"present at {span(bounds['present'], unit)}, absent at {span(bounds['absent'], unit)}"

    def scale(s: dict[str, Any]) -> str:
        unit = s["units"][0]
        by_sex = [f"in a {'woman' if sex == 'female' else 'man'} {read(s[sex], unit)}" for sex in ("female", "male") if sex in s]
        return read(s, unit) + (f" ({'; '.join(by_sex)})" if by_sex else "")

    scales = "; ".join(scale(s) for s in measured["scales"])
    return f"{', '.join(measured['names'])}: {scales}; between, nothing [{measured['basis']}]"


def basis(flag: dict[str, Any]) -> str:
    """What a red flag's level rests on, as the card's findings table names a source: its key
    (the full citation is under Sources), or clinical judgement."""
    if not flag["basis"]:
        return ""
    return " (basis: clinical judgement)" if flag["basis"] == "judgement" else f" (basis: {flag['basis']})"


def mimic_lines(name: str, typical: list[dict[str, Any]], mimics: list[dict[str, Any]]) -> Group:
    """The card's closest mimics (the causes that explain its typical picture best), each with the
    findings that tell them apart, as 'how often here vs there'."""
    text = Text("Closest mimics", style="bold")
    picture = ", ".join(in_sentence(f["label"]) for f in typical)
    text.append(f" (the causes that best explain its typical picture: {picture})\n", style="")
    text.append(
        f"What tells them apart: how often in {name} vs in the mimic, over all their cases, presentations included"
        " ('unlisted': not a feature)",
        style="",
    )

    def often(value: float, listed: bool) -> str:
        return percent(value) if listed else "unlisted"

    def line(mimic: dict[str, Any]) -> str:
        telling = "; ".join(
            f"{t['label']} {often(t['here'], t['listed_here'])} vs {often(t['there'], t['listed_there'])}"
            for t in mimic["telling"]
        )
        return f"{mimic['name']} ({mimic['id']}): {telling}"

    return _bulleted(text, map(line, mimics))


def listing(rows: list[dict[str, Any]], columns: list[tuple[str, str]], style: Style, title: str = "") -> str:
    """A plain table of dicts: `columns` are (key, heading) pairs."""
    table = Table(box=_box(style), title=title or None, title_justify="left")
    for _, heading in columns:
        table.add_column(heading)
    for row in rows:
        table.add_row(*(_cell(row.get(key)) for key, _ in columns))
    return _render(style, table)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, dict):
        return str(value.get("level", value))
    return str(value)


Formatter = Callable[..., str]
