"""Read the YAML files of a knowledge base, check them field by field, and build it.

Used by gutnerve.knowledge.load when the cache cannot answer (and by `kb
validate`): a warm start never imports this module, nor yaml. Every problem
becomes an Issue (file, line, what is wrong, how to fix it).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

from gutnerve.case import SEXES
from gutnerve.knowledge import KnowledgeBaseError, read_head
from gutnerve.model import (
    AgeBand,
    Cause,
    Finding,
    FindingLink,
    Issue,
    KnowledgeBase,
    LabTest,
    Lasting,
    Measured,
    Presentation,
    Prior,
    Recent,
    RedFlag,
    Scale,
    Settings,
    Source,
    SuspectWhen,
    WorkupStep,
)
from gutnerve.scoring import listed_or_unexplained

ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
HPO_PATTERN = re.compile(r"^HP:\d{7}$")
LOINC_PATTERN = re.compile(r"^\d{1,7}-\d$")
ICD10_PATTERN = re.compile(r"^[A-Z]\d{2}(\.[0-9A-Z]{1,4})?$")
PMID_PATTERN = re.compile(r"^\d{1,9}$")
CATEGORIES = ("neuropathic", "musculoskeletal", "gastrointestinal", "systemic", "history", "course")
TEST_KINDS = ("blood", "urine", "stool", "imaging", "electrodiagnostic", "biopsy", "bedside", "genetic", "other")
JUDGEMENT = "judgement"
MAX_CAUSE_FILES = 5_000
# A presentation's name is printed in the differential's row ("as <name>") and in triage's
# reasons: a name, not a description (the findings and notes describe it)
MAX_PRESENTATION_NAME = 80


# --------------------------------------------------------------------------


# a finding's phrase lists (its fields, in the order they are checked), and how a validation message
# names a phrase of each
_PHRASE_KIND = {
    "synonyms": "synonym",
    "normal": "`normal` phrase",
    "suggests": "`suggests` phrase",
    "broader": "`broader` phrase",
    "broader_normal": "`broader_normal` phrase",
    "together": "`together` phrase",
}


# the phrase lists several findings may share: a wider complaint or normal examination, wider than each
# of them ("leg pain", "sensation intact"), and a phrase naming several at once ("tetraparesis")
_SHARED = frozenset({"broader", "broader_normal", "together"})


class Builder:
    """Reads each file, checks it field by field, and builds the dataclasses."""

    def __init__(self, root: Path):
        self.root = root
        self.issues: list[Issue] = []
        self.file = ""
        self.finding_sources: dict[str, Source] = {}  # findings.yaml's, kept for the knowledge base

    # -- issue helpers ------------------------------------------------------

    def _where(self, data: Any = None, key: str | None = None) -> str:
        from gutnerve.yamlio import line_of

        line = line_of(data, key) if data is not None else None
        return f"{self.file}:{line}" if line else self.file

    def error(self, message: str, fix: str, data: Any = None, key: str | None = None) -> None:
        self.issues.append(Issue("error", self._where(data, key), message, fix))

    def _read(self, path: Path) -> Any:
        from gutnerve.limits import MAX_FILE_BYTES
        from gutnerve.yamlio import parse_yaml

        self.file = self._display(path)
        if not path.is_file():  # a folder, a device such as /dev/zero or a named pipe is never opened
            what = "is missing"
            if path.is_dir():
                what = "is a folder, not a file"
            elif path.exists():
                what = "is not a regular file"
            self.error(f"{path.name} {what}", f"create {path.name} (see the knowledge/ folder of gutnerve)")
            return None
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                self.error(f"file is {size} bytes, over the limit of {MAX_FILE_BYTES}", "split or shorten it")
                return None
            data = read_head(path, MAX_FILE_BYTES + 1)  # bounded even when the size on disk lies (/proc) or grows
            if len(data) > MAX_FILE_BYTES:
                self.error(f"file is over the limit of {MAX_FILE_BYTES} bytes", "split or shorten it")
                return None
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            self.error("file is not UTF-8 text", "save it as UTF-8")
            return None
        except OSError as error:
            self.error(f"cannot read file: {error.strerror}", "check the path and its permissions")
            return None
        import yaml

        try:
            data = parse_yaml(text)
        except yaml.YAMLError as error:
            self.error(f"YAML error: {error}", "fix the YAML syntax")
            return None
        if data is None:
            self.error("file is empty", "fill it in or remove it")
        return data

    def _display(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:  # pragma: no cover - path outside root
            return str(path)

    # -- typed field access ---------------------------------------------------

    def mapping(self, data: Any, what: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> bool:
        """Check that data is a mapping with these keys; report missing and unknown keys."""
        if not isinstance(data, dict):
            self.error(f"{what} must be a mapping of keys to values", "see the header of the file for its fields", data)
            return False
        ok = True
        for key in required:
            if key not in data:
                self.error(f"{what} lacks `{key}`", f"add `{key}:`", data)
                ok = False
        allowed = set(required) | set(optional)
        for key in data:
            if key not in allowed:
                self.error(f"{what} has unknown key `{key}`", f"allowed keys: {', '.join(sorted(allowed))}", data, key)
                ok = False
        return ok

    def entries(
        self, items: list[Any], kind: str, required: tuple[str, ...], optional: tuple[str, ...], within: str = ""
    ) -> Iterator[tuple[dict[str, Any], str, str]]:
        """(entry, id, "kind `id`") for each well-formed entry of a catalogue; reports duplicates.

        `within` names the entry that holds the catalogue ("cause `x`"), for a list nested in one.
        """
        prefix = f"{within}: " if within else ""
        seen: set[str] = set()
        for entry in items:
            if not self.mapping(entry, f"{prefix}{kind}", required, optional):
                continue
            ident = self.ident(entry["id"], f"{prefix}{kind} id", entry, "id")
            what = f"{within}, {kind} `{ident}`" if within else f"{kind} `{ident}`"
            if ident in seen:
                self.error(f"{prefix}duplicate {kind} `{ident}`", f"give each {kind} its own id", entry, "id")
            seen.add(ident)
            yield entry, ident, what

    def text(self, data: dict[str, Any], key: str, what: str, default: str | None = None) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or not value.strip():
            self.error(f"{what}: `{key}` must be non-empty text", f"write `{key}: ...`", data, key)
            return ""
        return value.strip()

    def number(self, data: dict[str, Any], key: str, what: str, low: float, high: float, open_: bool = False) -> float:
        value = data.get(key)
        ok = False
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            ok = (low < value < high) if open_ else (low <= value <= high)
        if not ok or not isinstance(value, (int, float)):
            bounds = f"strictly between {low} and {high}" if open_ else f"between {low} and {high}"
            self.error(f"{what}: `{key}` is {value!r}, not a number {bounds}", f"set `{key}` {bounds}", data, key)
            return low if not open_ else (low + high) / 2
        return float(value)

    def ident(self, value: Any, what: str, data: Any, key: str | None = None) -> str:
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            self.error(f"{what} {value!r} is not a kebab-case id", "use lower-case words joined by '-'", data, key)
            return str(value)
        return value

    def str_list(self, data: dict[str, Any], key: str, what: str) -> list[str]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(f"{what}: `{key}` must be a list of text", f"write `{key}: [a, b]`", data, key)
            return []
        return value

    # -- the files --------------------------------------------------------------

    def build(self, stamp: str) -> KnowledgeBase:
        settings = self.settings(self._read(self.root / "model.yaml"))
        findings = self.findings(self._read(self.root / "findings.yaml"), settings)
        categories = {finding.category for finding in findings.values()}
        for section, key, named in (
            ("unexplained", "neutral_categories", settings.neutral_categories),
            ("unmentioned", "mentioned_share", frozenset(settings.mentioned_shares)),
            ("text", "current", settings.current_categories),
        ):
            for category in sorted(named - categories):
                self.file = self._display(self.root / "model.yaml")
                self.error(f"{section}: unknown finding category `{category}` in {key}", f"use one of {sorted(categories)}")
        tests = self.tests(self._read(self.root / "tests.yaml"))
        causes: dict[str, Cause] = {}
        cause_paths = sorted((self.root / "causes").glob("*.yaml")) if (self.root / "causes").is_dir() else []
        if len(cause_paths) > MAX_CAUSE_FILES:
            self.file = "causes/"
            self.error(f"{len(cause_paths)} cause files, over the limit of {MAX_CAUSE_FILES}", "remove some")
            cause_paths = []
        if not cause_paths:
            self.file = self._display(self.root / "causes")
            self.error("no cause files found", "add causes/<id>.yaml files")
        for path in cause_paths:
            cause = self.cause(path, self._read(path), settings, findings, tests)
            if cause is not None and cause.id in findings:  # `explain ID` must know which one is meant
                self.file = self._display(path)
                self.error(f"cause `{cause.id}` has the id of a finding", "give the cause an id no finding uses")
            elif cause is not None:
                causes[cause.id] = cause
                self.nesting(cause, findings, settings)
        if any(i.level == "error" for i in self.issues):
            raise KnowledgeBaseError(self.issues)
        return KnowledgeBase(
            root=str(self.root),
            settings=settings,
            findings=findings,
            causes=dict(sorted(causes.items())),
            tests=tests,
            fingerprint=stamp,
            finding_sources=self.finding_sources,
        )

    def nesting(self, cause: Cause, findings: dict[str, Finding], settings: Settings) -> None:
        """A finding cannot be commoner in a cause than a finding it implies (frequencies as scored:
        the listed one, else the unexplained share of the background), in the cause's own table
        and in that of each of its presentations."""
        for component in range(cause.components):
            self._nesting(cause, component, findings, settings)

    def _nesting(self, cause: Cause, component: int, findings: dict[str, Finding], settings: Settings) -> None:
        def frequency(fid: str) -> float:
            return listed_or_unexplained(settings, findings[fid], cause.component_link(component, fid))

        def said(fid: str) -> str:
            unlisted = "" if cause.component_link(component, fid) else ", not listed: the unexplained share of its background"
            return f"`{fid}` ({frequency(fid):g}{unlisted})"

        whose = f"cause `{cause.id}`"
        key = "findings"
        if component:
            whose += f", presentation `{cause.presentations[component - 1].id}`"
            key = "presentations"

        # every finding that implies another, listed or not: an unlisted one is scored too
        for finding in findings.values():
            for other in finding.implies:
                if frequency(finding.id) > frequency(other) + 1e-9:
                    fix = (
                        f"list `{other}` at {frequency(finding.id):g} or more, or lower `{finding.id}`"
                        if cause.component_link(component, finding.id)
                        else f"list `{finding.id}` at {frequency(other):g} or less, or raise `{other}`"
                    )
                    if component:
                        fix += " in this presentation's `findings`"
                    self.error(f"{whose}: {said(finding.id)} is commoner than {said(other)}, which it implies", fix, None, key)

    def settings(self, data: Any) -> Settings:
        empty = Settings({}, {}, {}, ("emergency", "urgent", "soon", "routine"), {}, 0.0, 1)
        keys = ("frequency_terms", "prevalence_classes", "mechanisms", "triage", "workup")
        if data is None or not self.mapping(data, "model.yaml", keys, ("unexplained", "unmentioned", "text")):
            return empty
        terms: dict[str, float] = {}
        if isinstance(data["frequency_terms"], dict):
            for term, spec in data["frequency_terms"].items():
                if self.mapping(spec, f"frequency term `{term}`", ("value",), ("hpo", "range")):
                    terms[term] = self.number(spec, "value", f"frequency term `{term}`", 0, 1, open_=True)
        classes: dict[str, float] = {}
        if isinstance(data["prevalence_classes"], dict):
            for name in data["prevalence_classes"]:
                classes[name] = self.number(data["prevalence_classes"], name, "prevalence_classes", 0, 1e6, open_=True)
        mechanisms = {}
        if isinstance(data["mechanisms"], dict):
            mechanisms = {k: self.text(data["mechanisms"], k, "mechanisms") for k in data["mechanisms"]}
        levels: tuple[str, ...] = empty.triage_levels
        thresholds: dict[str, float] = {}
        triage = data["triage"]
        evidence = 1.0
        floor: int | None = None
        if self.mapping(triage, "triage", ("levels", "cause_thresholds"), ("cause_evidence", "leading_cause_floor")):
            if "cause_evidence" in triage:
                evidence = self.number(triage, "cause_evidence", "triage", 1, 1000)
            if "leading_cause_floor" in triage:  # a whole number of levels
                levels_below = self.number(triage, "leading_cause_floor", "triage", 0, 3)
                floor = int(levels_below)
                if floor != levels_below:
                    self.error("triage: `leading_cause_floor` is not a whole number of levels", "set it to 0, 1, 2 or 3", triage)
            levels = tuple(self.str_list(triage, "levels", "triage")) or levels
            if isinstance(triage["cause_thresholds"], dict):
                for level in triage["cause_thresholds"]:
                    if level not in levels:
                        self.error(f"triage threshold for unknown level `{level}`", f"use one of {levels}", triage)
                    thresholds[level] = self.number(triage["cause_thresholds"], level, "cause_thresholds", 0, 1)
        workup = data["workup"]
        min_posterior, min_causes, max_tests = 0.0, 1, None
        if self.mapping(workup, "workup", ("min_posterior", "min_causes"), ("max_tests",)):
            min_posterior = self.number(workup, "min_posterior", "workup", 0, 1)
            min_causes = int(self.number(workup, "min_causes", "workup", 1, 1000))
            if "max_tests" in workup:
                max_tests = int(self.number(workup, "max_tests", "workup", 1, 1000))
        share, neutral = 1.0, frozenset[str]()
        spec = data.get("unexplained")
        if spec is not None and self.mapping(spec, "unexplained", ("share",), ("neutral_categories",)):
            share = self.number(spec, "share", "unexplained", 0.01, 1)
            neutral = (
                frozenset(self.str_list(spec, "neutral_categories", "unexplained")) if "neutral_categories" in spec else neutral
            )
        mentioned: dict[str, float] = {}
        spec = data.get("unmentioned")
        if spec is not None and self.mapping(spec, "unmentioned", ("mentioned_share",), ()):
            shares = spec["mentioned_share"]
            if not isinstance(shares, dict) or not shares:
                self.error(
                    "unmentioned: `mentioned_share` must map finding categories to r",
                    "write `mentioned_share: {history: 0.5}`",
                    spec,
                    "mentioned_share",
                )
                shares = {}
            for category in shares:
                # at most 0.99: at 1, leaving a finding unsaid would be saying it is absent, and the
                # contract keeps the two apart (a finding given neither way is unknown)
                mentioned[str(category)] = self.number(shares, category, "unmentioned: mentioned_share", 0, 0.99)
        current, past_days = frozenset[str](), math.inf
        spec = data.get("text")
        if spec is not None and self.mapping(spec, "text", ("current", "past_days")):
            current = frozenset(self.str_list(spec, "current", "text"))
            past_days = self.number(spec, "past_days", "text", 1, 36500)
        return Settings(
            terms,
            classes,
            mechanisms,
            levels,
            thresholds,
            min_posterior,
            min_causes,
            max_tests,
            share,
            neutral,
            evidence,
            mentioned,
            current,
            past_days,
            floor,
        )

    def findings(self, data: Any, settings: Settings) -> dict[str, Finding]:
        result: dict[str, Finding] = {}
        if data is None or not self.mapping(data, "findings.yaml", ("findings",), ("sources",)):
            return result
        sources = self.finding_sources = self.sources(data.get("sources", {}), "findings.yaml", minimum=0)
        entries = data["findings"]
        if not isinstance(entries, list):
            self.error("`findings` must be a list", "write `findings:` then `- id: ...` items", data, "findings")
            return result
        required = ("id", "label", "meaning", "question", "category", "background", "background_basis")
        declared: dict[str, list[str]] = {}  # finding -> the findings its `implies` names
        from gutnerve.freetext import phrase_key  # here: only validation (a cache miss) needs the reader

        phrases: dict[str, tuple[str, str]] = {}  # phrase, as free text reads it -> (finding, field) listing it first
        together: dict[str, list[tuple[str, Any, str]]] = {}  # a `together` phrase -> (phrase, entry, what) per finding
        measured_by: dict[str, str] = {}  # a measurement's name -> the finding it reads
        for entry, fid, what in self.entries(
            entries,
            "finding",
            required,
            (
                "hpo",
                "synonyms",
                "normal",
                "suggests",
                "broader",
                "broader_normal",
                "together",
                "red_flag",
                "implies",
                "sided",
                "extra",
                "lasting",
                "recent",
                "measured",
            ),
        ):
            declared[fid] = self.str_list(entry, "implies", what)
            if not _known(entry["category"], CATEGORIES):
                self.error(f"{what}: unknown category {entry['category']!r}", f"use one of {CATEGORIES}", entry, "category")
            hpo = entry.get("hpo")
            if hpo is not None and (not isinstance(hpo, str) or not HPO_PATTERN.match(hpo)):
                self.error(f"{what}: hpo {hpo!r} is not of the form HP:0000000", "fix or remove `hpo`", entry, "hpo")
            basis = self.text(entry, "background_basis", what)
            if basis:  # an empty one is reported by `text`
                self.cited(basis, sources, f"{what}: background_basis", entry, "background_basis")
            # each phrase list of the finding (synonyms, normal, suggests, broader, broader_normal, together)
            lists = {field: [s.strip().lower() for s in self.str_list(entry, field, what)] for field in _PHRASE_KIND}
            for field, listed in lists.items():
                read_as: dict[str, str] = {}  # this list's phrases, as free text reads them -> the first
                for phrase in dict.fromkeys(listed):
                    # compared as free text reads them ("can't climb stairs" is "cannot climb stairs",
                    # "pain in my calf" is "pain in the calf")
                    key = " ".join(phrase_key(phrase)) or phrase
                    first = read_as.setdefault(key, phrase)
                    if first != phrase:
                        self.error(
                            f"{what}: {_PHRASE_KIND[field]} {phrase!r} reads as {first!r}, listed before it",
                            "free text reads the two alike: remove the later one",
                            entry,
                            field,
                        )
                    if field == "together":  # checked below, once every finding is read
                        together.setdefault(key, []).append((phrase, entry, what))
                    owner, kind = phrases.setdefault(key, (fid, field))
                    # free text refuses a phrase two findings share (it never matches), except in the lists
                    # meant to be shared (`_SHARED`)
                    if (owner, kind) != (fid, field) and not (kind == field and field in _SHARED):
                        self.error(
                            f"{what}: {_PHRASE_KIND[field]} {phrase!r} is also a {_PHRASE_KIND[kind]} of `{owner}`;"
                            " free text never matches a shared phrase",
                            "keep it on the one finding, and the one list, it belongs to",
                            entry,
                            field,
                        )
                if len(set(listed)) < len(listed):
                    self.error(f"{what}: a {_PHRASE_KIND[field]} is listed twice", "remove the repeat", entry, field)
            red_flag = None
            if "red_flag" in entry:
                red_flag = self.red_flag(
                    {"all": [fid], **entry["red_flag"]} if isinstance(entry["red_flag"], dict) else entry["red_flag"],
                    fid,
                    settings,
                    None,
                    sources,
                )
            result[fid] = Finding(
                id=fid,
                label=self.text(entry, "label", what),
                meaning=self.text(entry, "meaning", what),
                question=self.text(entry, "question", what),
                category=str(entry["category"]),
                background=self.number(entry, "background", what, 0, 1, open_=True),
                background_basis=basis,
                hpo=hpo if isinstance(hpo, str) else None,
                red_flag=red_flag,
                sided=self.flag(entry, "sided", what),
                extra=self.flag(entry, "extra", what),
                **{field: tuple(listed) for field, listed in lists.items()},
                lasting=self.lasting(entry, what),
                recent=self.recent(entry, what),
                measured=self.measured(entry, what, sources, measured_by),
            )
        for named in together.values():
            if len(named) == 1:  # read as every finding listing it: on one, it is a synonym
                phrase, entry, what = named[0]
                self.error(
                    f"{what}: `together` phrase {phrase!r} names no other finding",
                    "list it under `together` of each finding it names, or make it a synonym",
                    entry,
                    "together",
                )
        self.dated(result)
        several = [fid for fid, finding in result.items() if finding.sided]
        if len(several) > 1:
            self.error(f"findings {', '.join(several)} are all `sided: true`", "keep `sided: true` on one finding only")
        closure = self.implications(declared, result)
        return {fid: finding._replace(implies=closure.get(fid, ())) for fid, finding in result.items()}

    def days(self, spec: dict[str, Any], what: str) -> tuple[float, float]:
        """(min_days, max_days) of a `lasting` or `recent` spec: each optional where the other is given
        (0 and no bound), at least one needed; min below max."""
        if "min_days" not in spec and "max_days" not in spec:
            self.error(f"{what} gives neither `min_days` nor `max_days`", "give one or both, in days", spec)
        low = self.number(spec, "min_days", what, 0, 36500) if "min_days" in spec else 0.0
        high = self.number(spec, "max_days", what, 0, 36500) if "max_days" in spec else math.inf
        if low >= high:
            self.error(f"{what}: `min_days` {low:g} is not below `max_days` {high:g}", "swap or fix them", spec)
        return low, high

    def lasting(self, entry: dict[str, Any], what: str) -> Lasting | None:
        spec = entry.get("lasting")
        if spec is None or not self.mapping(spec, f"{what}: lasting", ("of",), ("min_days", "max_days")):
            return None
        low, high = self.days(spec, f"{what}: lasting")
        of = self.str_list(spec, "of", f"{what}: lasting")
        for category in of:
            if not _known(category, CATEGORIES):
                self.error(f"{what}: lasting: unknown category {category!r}", f"use some of {CATEGORIES}", spec, "of")
        return Lasting(low, high, frozenset(of))

    def measured(
        self, entry: dict[str, Any], what: str, sources: Collection[str], measured_by: dict[str, str]
    ) -> tuple[Measured, ...]:
        """The values free text reads the finding by: each name measures one finding, each scale's
        bounds lie inside its range and do not meet, and a measurement's scales do not overlap."""
        specs = entry.get("measured")
        if specs is None:
            return ()
        if not isinstance(specs, list):
            self.error(f"{what}: `measured` must be a list", "write `measured:` then `- names: [...]` items", entry, "measured")
            return ()
        result = []
        for spec in specs:
            if not self.mapping(spec, f"{what}: measured", ("names", "scales", "basis"), ("note",)):
                continue
            names = [n.strip().lower() for n in self.str_list(spec, "names", f"{what}: measured")]
            if not names:
                self.error(f"{what}: measured lists no names", "write `names: [sodium, na]`", spec, "names")
            for name in names:
                if name in measured_by:  # a name reads one measurement of one finding
                    owner = measured_by[name]
                    self.error(
                        f"{what}: measured name {name!r} also measures `{owner}`", "keep it on one measurement", spec, "names"
                    )
                measured_by[name] = str(entry["id"])
            scales = spec["scales"]
            if not isinstance(scales, list) or not scales:
                self.error(f"{what}: measured has no scales", "write `scales:` then `- units: [...]` items", spec, "scales")
                continue
            read = [scale for item in scales if (scale := self.scale(item, f"{what}: measured scale")) is not None]
            for one, other in itertools.combinations(read, 2):
                if one.low <= other.high and other.low <= one.high:
                    self.error(
                        f"{what}: measured scales {list(one.units)} and {list(other.units)} have overlapping ranges",
                        "a number without a unit must fit one scale: narrow a range",
                        spec,
                        "scales",
                    )
            rests = self.rests(spec, f"{what}: measured", sources)
            if rests is not None:
                result.append(Measured(tuple(names), tuple(read), *rests))
        return tuple(result)

    def scale(self, item: Any, what: str) -> Scale | None:
        if not self.mapping(item, what, ("units", "range", "present", "absent"), SEXES):
            return None
        units = tuple("".join(u.lower().split()) for u in self.str_list(item, "units", what))
        bounds = item["range"]
        numeric = (
            isinstance(bounds, list)
            and len(bounds) == 2
            and all(isinstance(b, (int, float)) and not isinstance(b, bool) for b in bounds)
        )
        if not numeric or not math.isfinite(bounds[0]) or not math.isfinite(bounds[1]) or bounds[0] >= bounds[1]:
            self.error(
                f"{what}: range {bounds!r} is not [low, high]", "write `range: [low, high]`, low below high", item, "range"
            )
            return None
        low, high = float(bounds[0]), float(bounds[1])
        either = self.bounds(item, what, low, high)
        if either is None:
            return None
        by_sex = []
        for sex in (s for s in SEXES if s in item):
            if not self.mapping(item[sex], f"{what}: {sex}", ("present", "absent"), ()):
                continue
            own = self.bounds(item[sex], f"{what}: {sex}", low, high)
            if own is None:
                continue
            # the bounds for either sex are where both agree: inside each sex's own
            for key, mine, theirs in (("present", either[0], own[0]), ("absent", either[1], own[1])):
                if not (theirs[0] <= mine[0] and mine[1] <= theirs[1]):
                    self.error(
                        f"{what}: {key} bounds read more than the {sex} bounds allow",
                        f"the bounds for either sex must lie inside each sex's: narrow `{key}` or widen `{sex}: {key}`",
                        item,
                        sex,
                    )
            by_sex.append((sex, *own))
        return Scale(units, low, high, *either, tuple(by_sex))

    def bounds(
        self, item: dict[str, Any], what: str, low: float, high: float
    ) -> tuple[tuple[float, float], tuple[float, float]] | None:
        """A scale's (present, absent) bounds, inside its range and leaving a gap."""
        spans = []
        for key in ("present", "absent"):
            spec = item[key]
            if not self.mapping(spec, f"{what}: {key}", (), ("min", "max")) or not ("min" in spec or "max" in spec):
                self.error(f"{what}: {key} gives neither `min` nor `max`", "give one or both", item, key)
                return None
            lo = self.number(spec, "min", f"{what}: {key}", low, high) if "min" in spec else -math.inf
            hi = self.number(spec, "max", f"{what}: {key}", low, high) if "max" in spec else math.inf
            if lo > hi:
                self.error(f"{what}: {key}: `min` {lo:g} is above `max` {hi:g}", "swap or fix them", item, key)
            spans.append((lo, hi))
        (plo, phi), (alo, ahi) = spans
        if plo <= ahi and alo <= phi:
            self.error(
                f"{what}: the present and absent bounds meet", "leave a gap between them (values there read nothing)", item
            )
        return spans[0], spans[1]

    def recent(self, entry: dict[str, Any], what: str) -> Recent | None:
        spec = entry.get("recent")
        if spec is None or not self.mapping(spec, f"{what}: recent", ("max_days",), ("min_days", "since")):
            return None
        low, high = self.days(spec, f"{what}: recent")
        return Recent(low, high, tuple(self.str_list(spec, "since", f"{what}: recent")))

    def dated(self, findings: dict[str, Finding]) -> None:
        """`recent: since` names other findings, each read by one finding's `recent` at most."""
        read_by: dict[str, str] = {}
        for fid, finding in findings.items():
            for other in finding.recent.since if finding.recent else ():
                if other not in findings or other == fid:
                    fix = "name another finding" if other == fid else _suggest(other, findings)
                    self.error(f"finding `{fid}`: recent: since names unknown or itself: `{other}`", fix)
                elif read_by.setdefault(other, fid) != fid:
                    self.error(
                        f"finding `{fid}`: recent: since names `{other}`, which `{read_by[other]}` names too",
                        "a dated mention reads one finding: keep `since` on one of them",
                    )

    def flag(self, entry: dict[str, Any], field: str, what: str) -> bool:
        value = entry.get(field, False)
        if not isinstance(value, bool):
            self.error(
                f"{what}: {field} must be true or false, not {value!r}", f"write `{field}: true` or leave it out", entry, field
            )
            return False
        return value

    def implications(self, declared: dict[str, list[str]], findings: dict[str, Finding]) -> dict[str, tuple[str, ...]]:
        """Each finding's `implies`, followed through chains; names, cycles and backgrounds checked."""
        for fid, named in declared.items():
            for other in named:
                if other not in findings or other == fid:
                    fix = "name another finding" if other == fid else _suggest(other, findings)
                    self.error(f"finding `{fid}`: implies unknown or itself: `{other}`", fix)
        closure: dict[str, tuple[str, ...]] = {}
        for fid in declared:
            reached: set[str] = set()
            todo = [f for f in declared[fid] if f in findings]
            while todo:
                other = todo.pop()
                if other not in reached:
                    reached.add(other)
                    todo += [f for f in declared.get(other, ()) if f in findings]
            if fid in reached:
                self.error(f"finding `{fid}`: implies itself through a chain of `implies`", "remove one link of the cycle")
                reached.discard(fid)
            for other in sorted(reached):
                if findings[fid].background > findings[other].background:
                    self.error(
                        f"finding `{fid}`: background {findings[fid].background} is above that of `{other}` "
                        f"({findings[other].background}), which it implies",
                        f"a finding cannot be commoner than one it implies: lower it or raise `{other}`'s",
                    )
            if reached:
                closure[fid] = tuple(sorted(reached))
        return closure

    def tests(self, data: Any) -> dict[str, LabTest]:
        result: dict[str, LabTest] = {}
        if data is None or not self.mapping(data, "tests.yaml", ("tests",)):
            return result
        if not isinstance(data["tests"], list):
            self.error("`tests` must be a list", "write `tests:` then `- {id: ..., ...}` items", data, "tests")
            return result
        for entry, tid, what in self.entries(data["tests"], "test", ("id", "name", "kind", "looks_for"), ("loinc",)):
            if not _known(entry["kind"], TEST_KINDS):
                self.error(f"{what}: unknown kind {entry['kind']!r}", f"use one of {TEST_KINDS}", entry, "kind")
            loinc = entry.get("loinc")
            if loinc is not None and (not isinstance(loinc, str) or not LOINC_PATTERN.match(loinc)):
                self.error(f"{what}: loinc {loinc!r} is not of the form 1234-5 (quoted)", "fix or remove `loinc`", entry, "loinc")
            result[tid] = LabTest(
                tid,
                self.text(entry, "name", what),
                str(entry["kind"]),
                self.text(entry, "looks_for", what),
                loinc if isinstance(loinc, str) else None,
            )
        return result

    def sources(self, data: Any, what: str, minimum: int) -> dict[str, Source]:
        result: dict[str, Source] = {}
        if not isinstance(data, dict):
            self.error(f"{what}: `sources` must be a mapping of key -> source", "see knowledge/causes/README.md", data)
            return result
        if len(data) < minimum:
            self.error(
                f"{what}: {len(data)} source(s), at least {minimum} needed", "cite more sources found with the search tool", data
            )
        for key, spec in data.items():
            self.ident(key, "source key", data, key)
            if not self.mapping(spec, f"source `{key}`", ("cite", "supports"), ("pmid", "doi", "url")):
                continue
            pmid, doi, url = spec.get("pmid"), spec.get("doi"), spec.get("url")
            if pmid is None and doi is None and url is None:
                self.error(f"source `{key}` has no pmid, doi or url", "add the identifier the search tool showed", spec)
            if pmid is not None and not (isinstance(pmid, str) and PMID_PATTERN.match(pmid)):
                self.error(f"source `{key}`: pmid {pmid!r} must be digits in quotes", 'write pmid: "12345678"', spec, "pmid")
            if doi is not None and not (isinstance(doi, str) and doi.startswith("10.")):
                self.error(
                    f"source `{key}`: doi {doi!r} must start with 10.", "write the bare DOI, e.g. 10.1000/xyz", spec, "doi"
                )
            if url is not None and not (isinstance(url, str) and url.startswith(("http://", "https://"))):
                self.error(f"source `{key}`: url {url!r} must start with http(s)://", "write the full address", spec, "url")
            result[key] = Source(
                key,
                self.text(spec, "cite", f"source `{key}`"),
                str(pmid) if pmid is not None else None,
                doi if isinstance(doi, str) else None,
                url if isinstance(url, str) else None,
                self.text(spec, "supports", f"source `{key}`"),
            )
        return result

    def cited(self, key: Any, sources: Collection[str], who: str, entry: Any, field: str) -> None:
        """Check that `key` names a source of the same file, or is the word for clinical judgement
        (a finding's background, a cause's frequency, a red flag's level)."""
        if key != JUDGEMENT and not _known(key, sources):
            self.error(
                f"{who} cites unknown source `{key}`", f"use `{JUDGEMENT}` or a key of this file's `sources`", entry, field
            )

    def grounded(
        self,
        basis: str,
        note: str,
        sources: Collection[str],
        who: str,
        spec: Any,
        keys: tuple[str, str, str],
        cited_as: str | None = None,
    ) -> None:
        """Check what a level rests on (a red flag's, a presentation's urgency): a source of the
        file, or judgement with a note saying why. `keys`: the basis key, the note key, and how a
        message names the note."""
        basis_key, note_key, named = keys
        if basis != JUDGEMENT:
            self.cited(basis, sources, cited_as or who, spec, basis_key)
        elif not note.strip():
            self.error(
                f"{who} rests on judgement without {named} saying why",
                f"add {'a ' if named.startswith('a ') else ''}`{note_key}` with the reasoning, or cite a guideline in `{basis_key}`",
                spec,
                note_key,
            )

    def red_flag(
        self, spec: Any, origin: str, settings: Settings, findings: dict[str, Finding] | None, sources: dict[str, Source]
    ) -> RedFlag | None:
        if not self.mapping(spec, f"red flag of `{origin}`", ("all", "level", "message", "basis"), ("note",)):
            return None
        ids = self.str_list(spec, "all", "red flag")
        if not ids:
            self.error("red flag lists no findings", "write `all: [finding-id, ...]`", spec, "all")
        for fid in ids:
            if findings is not None and fid not in findings:
                self.error(f"red flag names unknown finding `{fid}`", _suggest(fid, findings), spec, "all")
        level = spec["level"]
        if level not in settings.triage_levels or level == settings.triage_levels[-1]:
            self.error(
                f"red flag level {level!r} is not an urgent level", f"use one of {settings.triage_levels[:-1]}", spec, "level"
            )
        # A red flag sends people to an emergency department or a doctor: what says it should is
        # shown with it (`explain`), as a finding's frequency shows its source.
        basis, note = self.rests(spec, f"red flag of `{origin}`", sources) or ("", "")
        return RedFlag(tuple(ids), str(level), self.text(spec, "message", "red flag"), origin, basis, note)

    def rests(self, spec: dict[str, Any], who: str, sources: Collection[str]) -> tuple[str, str] | None:
        """(basis, note) of what an entry rests on (a red flag's level, a cause's `suspect_when`, a
        measurement's bounds): text both, the basis grounded (`grounded`); None, reported, if not text."""
        basis, note = spec["basis"], spec.get("note", "")
        if not isinstance(basis, str) or not basis or not isinstance(note, str):
            self.error(f"{who}: `basis` and `note` must be text", "quote them as strings", spec)
            return None
        self.grounded(basis, note, sources, who, spec, ("basis", "note", "a note"))
        return basis, note.strip()

    def suspect_when(
        self, spec: Any, what: str, urgency: str, settings: Settings, findings: dict[str, Finding], sources: dict[str, Source]
    ) -> SuspectWhen | None:
        """When a cause's probability may raise triage: the findings its guidance suspects it by."""
        if not self.mapping(spec, f"{what}: `suspect_when`", ("any", "basis"), ("note",)):
            return None
        items = spec["any"]
        if not isinstance(items, list) or not items:
            self.error(f"{what}: `suspect_when` lists no findings", "write `any: [finding-id, ...]`", spec, "any")
            items = []
        entries: list[tuple[str, tuple[str, ...]]] = []
        for item in items:
            # a finding id, or {finding: id, unless: [ids]}: the finding counts unless one of those is present
            if isinstance(item, dict):
                if not self.mapping(item, f"{what}: a `suspect_when` entry", ("finding", "unless"), ()):
                    continue
                fid, unless = item["finding"], self.str_list(item, "unless", f"{what}: `suspect_when`")
            else:
                fid, unless = item, []
            if not isinstance(fid, str):
                self.error(f"{what}: `suspect_when` entry {fid!r} is not a finding id", "write a finding id", spec, "any")
                continue
            for named in (fid, *unless):
                if named not in findings:
                    self.error(f"{what}: `suspect_when` names unknown finding `{named}`", _suggest(named, findings), spec, "any")
            entries.append((fid, tuple(unless)))
        if urgency not in settings.cause_thresholds:
            self.error(
                f"{what}: `suspect_when` on a cause whose probability never raises triage (urgency {urgency!r})",
                f"remove it, or give the urgency a threshold in model.yaml `triage.cause_thresholds` ({sorted(settings.cause_thresholds)})",
                spec,
            )
        rests = self.rests(spec, f"{what}: `suspect_when`", sources)
        return None if rests is None else SuspectWhen(tuple(entries), *rests)

    def cause(
        self, path: Path, data: Any, settings: Settings, findings: dict[str, Finding], tests: dict[str, LabTest]
    ) -> Cause | None:
        required = (
            "id",
            "name",
            "summary",
            "mechanism",
            "mechanism_detail",
            "gut_link",
            "area",
            "severity",
            "course",
            "urgency",
            "prior",
            "findings",
            "workup",
            "management",
            "icd10",
            "sources",
        )
        if data is None or not self.mapping(data, "cause file", required, ("red_flags", "presentations", "suspect_when")):
            return None
        cid = self.ident(data["id"], "cause id", data, "id")
        if cid != path.stem:
            self.error(
                f"cause id `{cid}` does not match the file name {path.name}",
                f"rename the file to {cid}.yaml or fix `id`",
                data,
                "id",
            )
        what = f"cause `{cid}`"
        sources = self.sources(data["sources"], what, minimum=2)
        if not _known(data["mechanism"], settings.mechanisms):
            self.error(
                f"{what}: unknown mechanism {data['mechanism']!r}", f"use one of {sorted(settings.mechanisms)}", data, "mechanism"
            )
        if not _known(data["urgency"], settings.triage_levels):
            self.error(f"{what}: unknown urgency {data['urgency']!r}", f"use one of {settings.triage_levels}", data, "urgency")
        prior = self.prior(data["prior"], what, settings)
        links = self.links(data["findings"], what, settings, findings, sources)
        red_flags: list[RedFlag] = []
        if "red_flags" in data:
            if isinstance(data["red_flags"], list):
                red_flags = [rf for spec in data["red_flags"] if (rf := self.red_flag(spec, cid, settings, findings, sources))]
            else:
                self.error(
                    f"{what}: `red_flags` must be a list", "write `red_flags:` then `- all: [...]` items", data, "red_flags"
                )
        presentations = self.presentations(data.get("presentations", []), what, settings, findings, sources, data)
        suspect_when = None
        if "suspect_when" in data:
            suspect_when = self.suspect_when(data["suspect_when"], what, str(data["urgency"]), settings, findings, sources)
        workup = self.workup(data["workup"], what, tests)
        icd10 = self.str_list(data, "icd10", what)
        for code in icd10:
            if not ICD10_PATTERN.match(code):
                self.error(f"{what}: ICD-10 code {code!r} is malformed", "write codes like G62.9 or E53.8", data, "icd10")
        if not icd10:
            self.error(f"{what}: no ICD-10 code", "add `icd10: [...]`", data, "icd10")
        cause = Cause(
            id=cid,
            name=self.text(data, "name", what),
            summary=self.text(data, "summary", what),
            mechanism=str(data["mechanism"]),
            mechanism_detail=self.text(data, "mechanism_detail", what),
            gut_link=self.text(data, "gut_link", what),
            area=self.text(data, "area", what),
            severity=self.text(data, "severity", what),
            course=self.text(data, "course", what),
            urgency=str(data["urgency"]),
            prior=prior,
            findings=links,
            red_flags=tuple(red_flags),
            workup=workup,
            management=self.text(data, "management", what),
            icd10=tuple(icd10),
            sources=tuple(sources.values()),
            path=self.file,
            presentations=presentations,
            suspect_when=suspect_when,
        )
        if "suspect_when" in data and cause.triaged_by_presentations:
            self.error(
                f"{what}: `suspect_when` on a cause whose presentations have urgencies of their own",
                "triage weighs such a cause by its presentations: remove `suspect_when`, or the presentations' `urgency`",
                data,
                "suspect_when",
            )
        return cause

    def presentations(
        self,
        data: Any,
        what: str,
        settings: Settings,
        findings: dict[str, Finding],
        sources: dict[str, Source],
        cause: dict[str, Any],
    ) -> tuple[Presentation, ...]:
        """The cause's clinically distinct subtypes (optional), scored as a mixture with its own table."""
        if not isinstance(data, list):
            self.error(
                f"{what}: `presentations` must be a list", "write `presentations:` then `- id: ...` items", cause, "presentations"
            )
            return ()
        result: list[Presentation] = []
        required, optional = ("id", "name", "share", "source", "findings"), ("note", "urgency", "urgency_basis", "urgency_note")
        for spec, pid, where in self.entries(data, "presentation", required, optional, within=what):
            share = self.number(spec, "share", where, 0, 1, open_=True)
            source, note = spec["source"], spec.get("note", "")
            if not isinstance(note, str):
                self.error(f"{where}: `note` must be text", "quote it as a string", spec, "note")
                note = ""
            self.cited(source, sources, where, spec, "source")
            if source == JUDGEMENT and not note.strip():
                self.error(
                    f"{where}: its share rests on judgement without a note saying how it was judged",
                    "add a `note` with the reasoning, or cite a study in `source`",
                    spec,
                    "share",
                )
            own = cause.get("findings")
            inherited = tuple(own) if isinstance(own, dict) else ()
            links = self.links(spec["findings"], where, settings, findings, sources, minimum=1, inherited=inherited)
            urgency = self.presentation_urgency(spec, where, settings, sources, cause)
            name = self.text(spec, "name", where)
            if len(name) > MAX_PRESENTATION_NAME:
                self.error(
                    f"{where}: its name is {len(name)} characters, over {MAX_PRESENTATION_NAME}",
                    "shorten it to what a table row can show; describe the presentation in its findings' notes",
                    spec,
                    "name",
                )
            result.append(Presentation(pid, name, share, str(source), note.strip(), links, *urgency))
        total = sum(p.share for p in result)
        if result and not total < 1.0:
            self.error(
                f"{what}: the presentations' shares sum to {total:g}, leaving nothing for its own table (the typical one)",
                "make the shares sum to less than 1",
                cause,
                "presentations",
            )
        return tuple(result)

    def presentation_urgency(
        self, spec: dict[str, Any], where: str, settings: Settings, sources: dict[str, Source], cause: dict[str, Any]
    ) -> tuple[str | None, str, str]:
        """(urgency, basis, note) of a presentation that needs seeing at another speed than its
        cause; (None, "", "") when it gives none. Like a red flag's level, it says what says so."""
        urgency, basis, note = spec.get("urgency"), spec.get("urgency_basis"), spec.get("urgency_note", "")
        if urgency is None:
            for key in ("urgency_basis", "urgency_note"):
                if key in spec:
                    self.error(f"{where}: `{key}` without `urgency`", "add `urgency`, or remove the key", spec, key)
            return None, "", ""
        if not _known(urgency, settings.triage_levels):
            self.error(f"{where}: unknown urgency {urgency!r}", f"use one of {settings.triage_levels}", spec, "urgency")
            return None, "", ""
        if urgency == cause.get("urgency"):
            self.error(
                f"{where}: urgency {urgency!r} is the cause's own",
                "remove `urgency` (a presentation inherits it)",
                spec,
                "urgency",
            )
        if not isinstance(basis, str) or not basis or not isinstance(note, str):
            self.error(
                f"{where}: `urgency` needs an `urgency_basis` (a source key or judgement) and a text `urgency_note`",
                "add `urgency_basis:` and `urgency_note:`",
                spec,
                "urgency",
            )
            return str(urgency), "", ""
        keys = ("urgency_basis", "urgency_note", "an `urgency_note`")
        self.grounded(basis, note, sources, f"{where}: its urgency", spec, keys, cited_as=f"{where} (urgency)")
        return str(urgency), basis, note.strip()

    def prior(self, data: Any, what: str, settings: Settings) -> Prior:
        fallback = Prior("rare", 1.0, "")
        if not self.mapping(data, f"{what}: prior", ("prevalence", "basis"), ("age", "sex")):
            return fallback
        prevalence = data["prevalence"]
        if not _known(prevalence, settings.prevalence_classes):
            self.error(
                f"{what}: unknown prevalence class {prevalence!r}",
                f"use one of {list(settings.prevalence_classes)}",
                data,
                "prevalence",
            )
            return fallback
        bands: list[AgeBand] = []
        for band in data.get("age", []) if isinstance(data.get("age", []), list) else [None]:
            if not isinstance(band, dict) or not self.mapping(band, f"{what}: age band", ("factor",), ("min", "max")):
                if not isinstance(band, dict):
                    self.error(
                        f"{what}: `age` must be a list of {{min, max, factor}} bands",
                        "write age: [{min: 60, factor: 2}]",
                        data,
                        "age",
                    )
                continue
            bounds = [band.get("min"), band.get("max")]
            if bounds == [None, None] or not all(
                b is None or (isinstance(b, int) and not isinstance(b, bool) and 0 <= b <= 120) for b in bounds
            ):
                self.error(f"{what}: age band needs whole-year `min` and/or `max` in 0-120", "write {min: 60, factor: 2}", band)
                continue
            bands.append(AgeBand(bounds[0], bounds[1], self.number(band, "factor", f"{what}: age band", 0, 100, open_=True)))
        sex: list[tuple[str, float]] = []
        if "sex" in data and self.mapping(data["sex"], f"{what}: prior sex", (), SEXES):
            sex = [(s, self.number(data["sex"], s, f"{what}: prior sex", 0, 100, open_=True)) for s in data["sex"]]
        return Prior(
            str(prevalence), settings.prevalence_classes[prevalence], self.text(data, "basis", what), tuple(bands), tuple(sex)
        )

    def links(
        self,
        data: Any,
        what: str,
        settings: Settings,
        findings: dict[str, Finding],
        sources: dict[str, Source],
        minimum: int = 6,
        inherited: Collection[str] = (),
    ) -> tuple[FindingLink, ...]:
        """The entries of a findings table (a presentation's `inherited` the cause's own table's ids)."""
        if not isinstance(data, dict):
            self.error(f"{what}: `findings` must be a mapping of finding id -> frequency", "see knowledge/causes/README.md", data)
            return ()
        if len(data) < minimum:
            fix = (
                "list the findings that argue for and against it"
                if minimum > 1
                else "list the findings whose frequency differs from the cause's own table"
            )
            self.error(f"{what}: {len(data)} findings listed, at least {minimum} needed", fix, data)
        links: list[FindingLink] = []
        for fid, spec in data.items():
            if fid not in findings:
                self.error(f"{what}: unknown finding `{fid}`", _suggest(fid, findings), data, fid)
                continue
            if not self.mapping(spec, f"{what}: finding `{fid}`", ("frequency", "source"), ("note", "via")):
                continue
            frequency, term = spec["frequency"], None
            if isinstance(frequency, str):
                term = frequency
                if term not in settings.frequency_terms:
                    self.error(
                        f"{what}: `{fid}` has unknown frequency term {term!r}",
                        f"use a number or one of {list(settings.frequency_terms)}",
                        spec,
                        "frequency",
                    )
                    continue
                value = settings.frequency_terms[term]
            else:
                value = self.number(spec, "frequency", f"{what}: `{fid}`", 0, 1, open_=True)
            source = spec["source"]
            self.cited(source, sources, f"{what}: `{fid}`", spec, "source")
            note = spec.get("note", "")
            if term is None and source == JUDGEMENT and not (isinstance(note, str) and note.strip()):
                # a judgement may be a number (an estimate between two HPO terms), but it must say why
                self.error(
                    f"{what}: `{fid}` gives a judgement number without a note saying how it was judged",
                    "add a `note` with the reasoning, cite a study in `source`, or use an HPO frequency term",
                    spec,
                    "frequency",
                )
            via = spec.get("via")
            if via is not None and (
                not isinstance(via, str) or via == fid or via not in findings or (via not in data and via not in inherited)
            ):
                self.error(
                    f"{what}: `{fid}` is linked via {via!r}, which is not another finding this table lists",
                    "name in `via` the finding of this table that this one goes with the cause through",
                    spec,
                    "via",
                )
                via = None
            elif via is not None and not (isinstance(note, str) and note.strip()):
                self.error(
                    f"{what}: `{fid}` is linked via `{via}` without a note saying why",
                    f"add a `note`: why `{fid}` goes with this cause only through `{via}`",
                    spec,
                    "via",
                )
            links.append(FindingLink(fid, value, term, str(source), note.strip() if isinstance(note, str) else "", via))
        return tuple(links)

    def workup(self, data: Any, what: str, tests: dict[str, LabTest]) -> tuple[WorkupStep, ...]:
        if not self.mapping(data, f"{what}: workup", ("first_line",), ("second_line",)):
            return ()
        steps: list[WorkupStep] = []
        for line in ("first_line", "second_line"):
            items = data.get(line, [])
            if not isinstance(items, list) or (line == "first_line" and not items):
                self.error(f"{what}: `{line}` must be a non-empty list", f"write `{line}:` then `- test: ...` items", data, line)
                continue
            for item in items:
                if not self.mapping(item, f"{what}: {line} step", ("test", "why")):
                    continue
                if not _known(item["test"], tests):
                    self.error(
                        f"{what}: unknown test `{item['test']}`",
                        _suggest(str(item["test"]), tests, "add it to tests.yaml"),
                        item,
                        "test",
                    )
                    continue
                steps.append(
                    WorkupStep(item["test"], "first" if line == "first_line" else "second", self.text(item, "why", what))
                )
        return tuple(steps)


def _known(value: Any, names: Collection[str]) -> bool:
    """Whether a value read from YAML is one of these names (a list or mapping never is, and never raises)."""
    return isinstance(value, str) and value in names


def _suggest(name: str, known: dict[str, Any], otherwise: str = "check the spelling") -> str:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1)
    return f"did you mean `{close[0]}`?" if close else otherwise
