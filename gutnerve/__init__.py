"""gutnerve: an offline differential-diagnosis helper for leg and foot nerve,
muscle and joint symptoms in people with gut disorders.

Decision support only, not a diagnosis.

The library API is imported on first use (PEP 562), so that the command line,
which imports this package for its version, does not pay for modules the
command at hand does not need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "assess": "gutnerve.api",
    "assess_case": "gutnerve.api",
    "explain": "gutnerve.api",
    "load_knowledge_base": "gutnerve.api",
    "make_case": "gutnerve.api",
    "CaseError": "gutnerve.case",
    "KnowledgeBaseError": "gutnerve.knowledge",
    "Assessment": "gutnerve.model",
    "Case": "gutnerve.model",
    "Cause": "gutnerve.model",
    "Finding": "gutnerve.model",
    "KnowledgeBase": "gutnerve.model",
}

__all__ = [  # noqa: RUF022 - the same names as _EXPORTS
    "Assessment",
    "Case",
    "CaseError",
    "Cause",
    "Finding",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "__version__",
    "assess",
    "assess_case",
    "explain",
    "load_knowledge_base",
    "make_case",
]

if TYPE_CHECKING:
    from gutnerve.api import assess, assess_case, explain, load_knowledge_base, make_case
    from gutnerve.case import CaseError
    from gutnerve.knowledge import KnowledgeBaseError
    from gutnerve.model import Assessment, Case, Cause, Finding, KnowledgeBase


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module 'gutnerve' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
