"""docs/seed-coverage.md: every entry it names exists, and every seed cause of the contract is covered."""

from __future__ import annotations

import re

import pytest
import yaml

from .conftest import CONTRACT, ROOT

DOC = ROOT / "docs" / "seed-coverage.md"
REFERENCE = re.compile(r"`(cause|mechanism|test|finding):([a-z0-9-]+)`")


def references() -> list[tuple[str, str]]:
    return REFERENCE.findall(DOC.read_text())


def test_the_doc_names_entries():
    kinds = {kind for kind, _ in references()}
    assert kinds == {"cause", "mechanism", "test", "finding"}


@pytest.mark.parametrize(("kind", "name"), sorted(set(references())))
def test_every_listed_entry_exists(kb, kind, name):
    existing = {
        "cause": kb.causes,
        "mechanism": kb.settings.mechanisms,
        "test": kb.tests,
        "finding": kb.findings,
    }[kind]
    assert name in existing, f"docs/seed-coverage.md names {kind}:{name}, which the knowledge base lacks"


@pytest.mark.skipif(not (CONTRACT / "vocabulary.yaml").exists(), reason="../shared/contract is not beside this checkout")
def test_every_seed_cause_of_the_contract_is_covered():
    text = (CONTRACT / "vocabulary.yaml").read_text()
    seed_part = text.split("# named in the seed documents")[1].split("# beyond the seed documents")[0]
    seed_causes = set(yaml.safe_load("causes:\n" + seed_part)["causes"])
    covered = {name for kind, name in references() if kind == "cause"}
    assert seed_causes - covered == set(), f"seed causes missing from docs/seed-coverage.md: {sorted(seed_causes - covered)}"


def test_every_mechanism_class_is_mapped(kb):
    mapped = {name for kind, name in references() if kind == "mechanism"}
    assert set(kb.settings.mechanisms) <= mapped
