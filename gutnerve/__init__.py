"""gutnerve: an offline differential-diagnosis helper for leg and foot nerve,
muscle and joint symptoms in people with gut disorders.

Decision support only, not a diagnosis.
"""

from gutnerve.api import assess, assess_case, explain, load_knowledge_base, make_case
from gutnerve.case import CaseError
from gutnerve.knowledge import KnowledgeBaseError
from gutnerve.model import Assessment, Case, Cause, Finding, KnowledgeBase

__version__ = "0.1.0"

__all__ = [
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
