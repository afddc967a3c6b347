"""JSON Schema (draft 2020-12) of the case input and of the result output.

Built from the knowledge base in use, so the finding, cause and triage-level
ids are enumerated: a script can validate a case before sending it, and a
result against the ids it may contain. `gutnerve schema case|result` prints
them; tests/test_schema.py validates real outputs against them.
"""

from __future__ import annotations

from typing import Any

from gutnerve.case import MAX_AGE, SEXES
from gutnerve.model import KnowledgeBase
from gutnerve.report import SCHEMA_VERSION

DIALECT = "https://json-schema.org/draft/2020-12/schema"
KINDS = ("case", "result")


def _object(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(required), "additionalProperties": False}


# a for/against entry's or a --why row's `present`
SILENT = "true: present; false: known absent; null: not mentioned, a finding whose silence counts (model.yaml `unmentioned`)"

CITED = _object({"key": {"type": "string"}, "cite": {"type": "string"}, "link": {"type": "string"}}, ("key", "cite", "link"))


def _strings(values: Any) -> dict[str, Any]:
    return {"type": "array", "items": {"enum": list(values)}}


def case_schema(kb: KnowledgeBase) -> dict[str, Any]:
    finding_ids = list(kb.findings)
    return {
        "$schema": DIALECT,
        "title": "gutnerve case",
        "description": "One case: findings present and known absent (a finding in neither list is unknown). "
        "An id in both lists is an error. Every key is optional; null is the same as leaving the key out.",
        **_object(
            {
                "id": {"type": ["string", "null"], "description": "any string; echoed in the result"},
                "age": {"type": ["integer", "null"], "minimum": 0, "maximum": MAX_AGE, "description": "whole years"},
                "sex": {"enum": [*SEXES, None]},
                "present": {**_strings(finding_ids), "type": ["array", "null"], "description": "finding ids present"},
                "absent": {**_strings(finding_ids), "type": ["array", "null"], "description": "finding ids known absent"},
            }
        ),
    }


def result_schema(kb: KnowledgeBase) -> dict[str, Any]:
    finding_ids, cause_ids, test_ids = list(kb.findings), list(kb.causes), list(kb.tests)
    presentation_ids = sorted({p.id for cause in kb.causes.values() for p in cause.presentations})
    presentation = {
        "presentation": {
            "enum": [*presentation_ids, None],
            "description": "only for a cause with presentations: the one whose reasons are shown "
            "(largest posterior weight for the case); null: the cause's own, typical, table",
        },
        "presentation_name": {"type": ["string", "null"], "description": "the name of that presentation"},
    }
    levels = list(kb.settings.triage_levels)
    probability = {"type": "number", "minimum": 0, "maximum": 1}
    evidence = _object(
        {
            "finding": {"enum": finding_ids},
            "label": {"type": "string"},
            "present": {"type": ["boolean", "null"], "description": SILENT},
            "weight": {"type": "number", "description": "ln of the likelihood ratio"},
            "likelihood_ratio": {"type": "number", "exclusiveMinimum": 0},
            "explained": {
                "type": "boolean",
                "description": "false: the cause does not list this finding, so it does not explain it",
            },
        },
        ("finding", "label", "present", "weight", "likelihood_ratio", "explained"),
    )
    row = _object(
        {
            "rank": {"type": "integer", "minimum": 1},
            "id": {"enum": cause_ids},
            "name": {"type": "string"},
            "probability": {**probability, "description": "posterior probability under the full model"},
            "prior": probability,
            "prior_factors": {
                "type": "array",
                "items": _object({"reason": {"type": "string"}, "multiplier": {"type": "number"}}, ("reason", "multiplier")),
            },
            "urgency": {"enum": levels},
            "mechanism": {"type": "string"},
            **presentation,
            "for": {"type": "array", "items": evidence},
            "against": {"type": "array", "items": evidence},
            "workup": {"type": "array", "items": {"type": "string"}, "description": "first-line tests of this cause"},
        },
        ("rank", "id", "name", "probability", "for", "against", "workup"),
    )
    mention = _object(
        {
            "finding": {"enum": finding_ids},
            "phrase": {"type": "string"},
            "trigger": {"type": "string"},
            "doubt": {
                "enum": ["hedged", "someone else", "list", "other side", "side named", "suggests", "past"],
                "description": "why it is uncertain; list: what a negated list reached past a comma, which may be a new statement",
            },
            "if_present_triage": {
                "enum": levels,
                "description": "an uncertain finding whose presence would raise the triage to this level",
            },
        },
        ("finding", "phrase"),
    )
    why_finding = _object(
        {
            "finding": {"enum": finding_ids},
            "label": {"type": "string"},
            "present": {"type": ["boolean", "null"], "description": SILENT},
            "likelihood_ratio": {"type": "number", "exclusiveMinimum": 0},
            "weight": {"type": "number", "description": "ln of the likelihood ratio"},
            "listed": {"type": "boolean", "description": "false: the cause does not list this finding"},
            "likelihood": {**probability, "description": "P(finding as reported | cause); absent when neutral"},
            "background": {**probability, "description": "P(finding as reported) in the background population"},
            "source": {"type": "string", "description": "the source key of the cause file, or judgement"},
            "via": {
                "enum": finding_ids,
                "description": "the cause lists this finding via that one, which the case settles: neutral here",
            },
        },
        ("finding", "label", "present", "likelihood_ratio", "weight", "listed"),
    )
    why_side = _object(
        {
            "id": {"enum": cause_ids},
            "name": {"type": "string"},
            "rank": {"type": "integer", "minimum": 1},
            "probability": probability,
            "prior": probability,
            "prior_factors": row["properties"]["prior_factors"],
            "findings": {"type": "array", "items": why_finding, "description": "each counted finding, in the case's order"},
            **presentation,
            "mixture_factor": {
                "type": "number",
                "exclusiveMinimum": 0,
                "description": "only for a cause with presentations: its likelihood ratio over the product of its "
                "findings' ratios in the presentation shown",
            },
        },
        ("id", "name", "rank", "probability", "prior", "prior_factors", "findings"),
    )
    answer = _object(
        {
            "probability": {**probability, "description": "the chance of this answer under the model"},
            "top": {
                "type": "array",
                "items": _object(
                    {"id": {"enum": cause_ids}, "name": {"type": "string"}, "probability": probability},
                    ("id", "name", "probability"),
                ),
                "description": "the most probable causes after this answer",
            },
            "triage": {"enum": levels, "description": "the triage level after this answer"},
        },
        ("probability", "top", "triage"),
    )
    question = _object(
        {
            "finding": {"enum": finding_ids},
            "label": {"type": "string"},
            "question": {"type": "string"},
            "information_gain_bits": {"type": "number", "minimum": 0},
            "if_yes": answer,
            "if_no": answer,
        },
        ("finding", "label", "question", "information_gain_bits", "if_yes", "if_no"),
    )
    assessment = _object(
        {
            "schema_version": {"const": SCHEMA_VERSION},
            "ask": _object(
                {
                    "entropy_bits": {"type": "number", "minimum": 0, "description": "uncertainty of the differential now"},
                    "triage": {"enum": levels},
                    "questions": {"type": "array", "items": question, "description": "highest expected information gain first"},
                    "would_raise_triage": {
                        "type": "array",
                        "items": question,
                        "description": "every unanswered question whose yes would raise the triage level, most urgent first",
                    },
                },
                ("entropy_bits", "triage", "questions", "would_raise_triage"),
            ),
            "why": _object(
                {"cause": why_side, "versus": {"oneOf": [why_side, {"type": "null"}]}},
                ("cause", "versus"),
            ),
            "id": {"type": "string"},
            "case": _object(
                {
                    "age": {"type": ["integer", "null"]},
                    "sex": {"enum": [*SEXES, None]},
                    "present": _strings(finding_ids),
                    "absent": _strings(finding_ids),
                    "implied": {
                        "type": "array",
                        "description": "reported findings not counted again because another reported finding implies them",
                        "items": _object(
                            {
                                "finding": {"enum": finding_ids},
                                "present": {"type": "boolean"},
                                "by": {"enum": finding_ids},
                                "message": {"type": "string"},
                            },
                            ("finding", "present", "by", "message"),
                        ),
                    },
                },
                ("age", "sex", "present", "absent", "implied"),
            ),
            "understood": _object(
                {
                    "text": {"type": "string"},
                    "present": {"type": "array", "items": mention},
                    "absent": {"type": "array", "items": mention},
                    "uncertain": {"type": "array", "items": mention},
                    "unmatched": {"type": "array", "items": {"type": "string"}},
                    "suggestions": {
                        "type": "array",
                        "items": _object({"phrase": {"type": "string"}, "finding": {"enum": finding_ids}}, ("phrase", "finding")),
                    },
                    "ignored": {"type": "array", "items": {"type": "string"}},
                    "quantities": {"type": "array", "items": {"type": "string"}},
                    "age": {"type": ["integer", "null"]},
                    "sex": {"enum": [*SEXES, None]},
                },
                ("text", "present", "absent", "unmatched"),
            ),
            "triage": _object(
                {
                    "level": {"enum": levels},
                    "reasons": {"type": "array", "items": {"type": "string"}},
                    "triggers": {
                        "type": "array",
                        "items": _object(
                            {
                                "level": {"enum": levels},
                                "trigger": {"type": "string"},
                                "message": {"type": "string"},
                                "basis": {
                                    "type": ["string", "null"],
                                    "description": 'a red flag\'s basis: a source key, or "judgement"; null for likely causes',
                                },
                                "source": {"anyOf": [CITED, {"type": "null"}]},
                            },
                            ("level", "trigger", "message", "basis", "source"),
                        ),
                    },
                },
                ("level", "reasons"),
            ),
            "differential": {"type": "array", "items": row, "minItems": 1, "maxItems": len(cause_ids)},
            "workup": {"type": "array", "items": {"type": "string"}, "description": "the combined plan, highest yield first"},
            "workup_plan": {
                "type": "array",
                "items": _object(
                    {
                        "test": {"enum": test_ids},
                        "name": {"type": "string"},
                        "loinc": {"type": "string", "pattern": "^[0-9]{1,7}-[0-9]$"},
                        "line": {"enum": ["first", "second"]},
                        "yield": {"type": "number", "minimum": 0},
                        "causes": {"type": "array", "items": {"enum": cause_ids}, "minItems": 1},
                    },
                    ("test", "name", "line", "yield", "causes"),
                ),
            },
            "disclaimer": {"type": "string"},
        },
        ("schema_version", "triage", "differential", "workup"),
    )
    error = _object(
        {"schema_version": {"const": SCHEMA_VERSION}, "id": {"type": ["string", "null"]}, "error": {"type": "string"}},
        ("id", "error"),
    )
    return {
        "$schema": DIALECT,
        "title": "gutnerve result",
        "description": "The result of one case (assess --json, or one line of batch); "
        "in batch a line that could not be assessed is an error object instead.",
        "oneOf": [{**assessment, "title": "assessment"}, {**error, "title": "error"}],
    }


def schema(kind: str, kb: KnowledgeBase) -> dict[str, Any]:
    return case_schema(kb) if kind == "case" else result_schema(kb)
