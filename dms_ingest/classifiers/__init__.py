"""Document classification and case matching for the ingest pipeline.

Light modules are imported here; the scikit-learn classifier is loaded only when asked for,
so that importing the package stays cheap.
"""

from .case_numbers import CaseNumberHit, CaseNumberPattern, find_case_numbers
from .matching import CaseDecision, CaseHints, match_case
from .mrz import MrzResult, find_mrz
from .registry import CaseRecord, CaseRegistry, RegistryError, diff_registry, parse_registry_csv
from .textfix import restore_paragraph_signs

__all__ = [
    "CaseDecision", "CaseHints", "CaseNumberHit", "CaseNumberPattern", "CaseRecord", "CaseRegistry",
    "DocTypeClassifier", "MrzResult", "RegistryError", "diff_registry", "find_case_numbers", "find_mrz",
    "load_default_classifier", "match_case", "parse_registry_csv", "restore_paragraph_signs",
]


def __getattr__(name: str):
    # Deferred: importing scikit-learn costs about a second.
    if name in ("DocTypeClassifier", "load_default_classifier"):
        from . import doctype

        return getattr(doctype, name)
    raise AttributeError(name)
