"""The library API: load a knowledge base, assess a case, explain a cause or a finding.

    >>> import gutnerve
    >>> kb = gutnerve.load_knowledge_base()
    >>> result = gutnerve.assess(kb, present=["burning-feet", "diarrhea"], absent=["weight-loss"])
    >>> result.ranked[0].cause_id, result.triage.level

Every function is pure apart from reading the knowledge base files.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from gutnerve import scoring, triage, workup
from gutnerve.case import CaseError, parse_case
from gutnerve.knowledge import load
from gutnerve.model import Assessment, Case, Cause, Finding, Issue, KnowledgeBase


def load_knowledge_base(path: str | os.PathLike[str] | None = None) -> KnowledgeBase:
    """Load and check a knowledge base (default: $GUTNERVE_KB, else the shipped one)."""
    return load(path)


def make_case(
    kb: KnowledgeBase,
    present: Iterable[str] = (),
    absent: Iterable[str] = (),
    age: int | None = None,
    sex: str | None = None,
    id: str | None = None,
) -> Case:
    """A checked case; raises CaseError on unknown ids, conflicts or bad values."""
    data: dict[str, Any] = {"present": list(present), "absent": list(absent)}
    for key, value in (("age", age), ("sex", sex), ("id", id)):
        if value is not None:
            data[key] = value
    return parse_case(data, kb)


def assess_case(kb: KnowledgeBase, case: Case, top: int | None = None) -> Assessment:
    """Score every cause, triage, and build the combined workup."""
    if top is not None and top < 1:
        raise CaseError([Issue("error", "top", f"must be at least 1, not {top}")])
    implied = scoring.nested(kb, case)
    ranked = scoring.score(kb, case, detail=top, implied=implied)
    return Assessment(
        case=case,
        ranked=ranked,
        triage=triage.triage(kb, case, ranked),
        plan=workup.plan(kb, ranked),
        top=top,
        implied=implied,
    )


def assess(
    kb: KnowledgeBase,
    present: Iterable[str] = (),
    absent: Iterable[str] = (),
    age: int | None = None,
    sex: str | None = None,
    top: int | None = None,
) -> Assessment:
    """Convenience: make_case + assess_case."""
    return assess_case(kb, make_case(kb, present, absent, age, sex), top)


def explain(kb: KnowledgeBase, cause_id: str) -> Cause:
    """The full study card of one cause; raises KeyError with a suggestion."""
    if cause_id not in kb.causes:
        from gutnerve.case import suggest

        raise KeyError(f"unknown cause {cause_id!r}; " + (suggest(cause_id, kb.causes) or "run `gutnerve causes`"))
    return kb.causes[cause_id]


def explain_any(kb: KnowledgeBase, item_id: str) -> Cause | Finding:
    """The cause or the finding of that id (the knowledge base keeps the two apart); raises
    KeyError with a suggestion from both."""
    found: Cause | Finding | None = kb.causes.get(item_id)
    if found is None:
        found = kb.findings.get(item_id)
    if found is None:
        from gutnerve.case import suggest

        hint = suggest(item_id, [*kb.causes, *kb.findings]) or "run `gutnerve causes` or `gutnerve findings`"
        raise KeyError(f"unknown cause or finding {item_id!r}; {hint}")
    return found
