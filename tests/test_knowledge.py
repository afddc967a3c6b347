"""A pedantic walk over the whole shipped knowledge base.

Every failure names the file and says what to fix. The loader's own checks
(keys, types, ranges, references) run first via `kb validate`; the tests below
add what a loader need not refuse but the project promises: the contract's
ids, sorted catalogues, sources for every number, enough findings, and
consistency between the cause files' prose and their data.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from gutnerve.kbcheck import ID_PATTERN
from gutnerve.knowledge import default_path, validate

from .conftest import CONTRACT, MINI_KB

KB = default_path()
VOCABULARY = yaml.safe_load((CONTRACT / "vocabulary.yaml").read_text()) if CONTRACT.exists() else None
CAUSE_FILES = sorted((KB / "causes").glob("*.yaml"))

needs_contract = pytest.mark.skipif(VOCABULARY is None, reason="../shared/contract is not beside this checkout")


def test_shipped_knowledge_base_is_valid():
    issues = validate(KB)
    assert not issues, "\n".join(f"{i.level}: {i.one_line()}" for i in issues)


def test_fixture_knowledge_base_is_valid():
    assert validate(MINI_KB) == []


@needs_contract
def test_every_contract_finding_is_defined(kb):
    wanted = {fid: cat for cat, group in VOCABULARY["findings"].items() for fid in group}
    missing = sorted(set(wanted) - set(kb.findings))
    assert not missing, f"knowledge/findings.yaml lacks contract findings {missing}: add them"
    wrong = {fid: (kb.findings[fid].category, cat) for fid, cat in wanted.items() if kb.findings[fid].category != cat}
    assert not wrong, f"knowledge/findings.yaml: category differs from the contract (ours, contract): {wrong}"


@needs_contract
def test_extra_marks_exactly_the_findings_beyond_the_contract(kb):
    # scoring reads a case that names no `extra` finding as written in the contract's vocabulary
    contract = {fid for group in VOCABULARY["findings"].values() for fid in group}
    unmarked = sorted(fid for fid, f in kb.findings.items() if fid not in contract and not f.extra)
    assert not unmarked, f"knowledge/findings.yaml: {unmarked} are beyond the contract: add `extra: true`"
    marked = sorted(fid for fid, f in kb.findings.items() if fid in contract and f.extra)
    assert not marked, f"knowledge/findings.yaml: {marked} are contract findings: remove `extra: true`"


@needs_contract
def test_every_contract_cause_is_defined(kb):
    missing = sorted(set(VOCABULARY["causes"]) - set(kb.causes))
    assert not missing, f"knowledge/causes/ lacks {[m + '.yaml' for m in missing]}: add them"


@needs_contract
def test_triage_levels_match_the_contract(kb):
    assert list(kb.settings.triage_levels) == list(VOCABULARY["triage-levels"])


@pytest.mark.parametrize("path", CAUSE_FILES, ids=lambda p: p.name)
def test_cause_file(path: Path, kb):
    cause = kb.causes[path.stem]
    where = f"knowledge/causes/{path.name}"
    sentences = len(re.findall(r"[.!?](\s|$)", cause.summary))
    assert 2 <= sentences <= 5, f"{where}: summary has {sentences} sentences; write 2-4"
    assert len(cause.findings) >= 6, f"{where}: list at least 6 findings"
    assert len(cause.sources) >= 2, f"{where}: cite at least 2 sources"
    assert any(s.line == "first" for s in cause.workup), f"{where}: add a first-line test"
    for link in cause.findings:
        if link.term is None and link.source == "judgement":  # a judged number must say how it was judged
            assert link.note, f"{where}: {link.finding} is a judgement number; add a note with the reasoning, or cite a study"
    cited = {link.source for link in cause.findings} - {"judgement"}
    assert cited <= {s.key for s in cause.sources}, f"{where}: findings cite unknown sources"
    # a cause that sets a triage level must be urgent enough to mean it
    for flag in cause.red_flags:
        assert flag.message.endswith("."), f"{where}: red flag message should be a full sentence"
    for step in cause.workup:
        assert step.why and len(step.why) < 300, f"{where}: {step.test}: give a one-line rationale"


def test_cause_files_are_named_by_id():
    for path in CAUSE_FILES:
        assert ID_PATTERN.match(path.stem), f"{path}: rename to a kebab-case id"


def test_findings_file_entries(kb):
    seen_synonyms: dict[str, str] = {}
    for finding in kb.findings.values():
        where = f"knowledge/findings.yaml: {finding.id}"
        assert finding.question.endswith("?") and "TODO" not in finding.question, f"{where}: write a yes/no question"
        assert 0 < finding.background < 1, where
        for phrase in finding.synonyms:
            assert phrase == phrase.strip().lower(), f"{where}: synonym {phrase!r} must be lower case"
            assert phrase not in seen_synonyms, f"{where}: synonym {phrase!r} is also a synonym of {seen_synonyms.get(phrase)}"
            seen_synonyms[phrase] = finding.id


def test_tests_catalogue_is_sorted_and_used(kb):
    ids = list(kb.tests)
    assert ids == sorted(ids), "knowledge/tests.yaml: keep the tests sorted by id"
    used = {step.test for cause in kb.causes.values() for step in cause.workup}
    unused = sorted(set(ids) - used)
    assert not unused, f"knowledge/tests.yaml: tests no cause names: {unused}; remove them or use them"


def test_every_mechanism_class_is_used(kb):
    used = {cause.mechanism for cause in kb.causes.values()}
    assert set(kb.settings.mechanisms) <= used, (
        f"knowledge/model.yaml: unused mechanism classes {set(kb.settings.mechanisms) - used}"
    )


def test_every_emergency_cause_has_a_red_flag(kb):
    for cause in kb.causes.values():
        if cause.urgency == "emergency":
            flags = [f for f in cause.red_flags] + [
                kb.findings[link.finding].red_flag for link in cause.findings if kb.findings[link.finding].red_flag
            ]
            assert flags, f"knowledge/causes/{cause.id}.yaml: an emergency cause needs red_flags that trigger on its findings"


def test_every_cause_states_its_time_course(kb):
    """Every condition has a course: a cause that did not list one would be scored as never
    starting suddenly and never lasting (the unexplained share), which is never meant."""
    course = [f.id for f in kb.findings.values() if f.category == "course"]
    missing = [(c.id, f) for c in kb.causes.values() for f in course if c.link(f) is None]
    assert not missing, f"list these course findings in knowledge/causes/<id>.yaml: {missing}"


# Pages that are not a publication, a guideline or a recognised reference work: an
# encyclopaedia anyone edits, search-engine digests and content farms. A number or
# claim read there must be traced to the study or guideline behind it (or made
# judgement, saying so). The list names the hosts the knowledge base once cited.
NOT_A_SOURCE = ("wikipedia.org", "seekhealthz.com", "findzebra.com", "drlex.ai", "pushdoctor.co.uk")


def _all_sources(kb):
    yield "knowledge/findings.yaml", kb.finding_sources.values()
    for cause in kb.causes.values():
        yield f"knowledge/causes/{cause.id}.yaml", cause.sources


def test_sources_are_publications_or_guidelines(kb):
    for where, sources in _all_sources(kb):
        for source in sources:
            text = f"{source.url or ''} {source.cite} {source.supports}".lower()
            bad = [host for host in NOT_A_SOURCE if host in text]
            assert not bad, f"{where}: source `{source.key}` rests on {bad[0]}: cite the study or guideline behind it"


def test_one_key_per_article(kb):
    for where, sources in _all_sources(kb):
        seen: dict[str, str] = {}
        for source in sources:
            for ident in filter(None, (source.pmid, source.doi and source.doi.lower())):
                assert ident not in seen, (
                    f"{where}: sources `{seen[ident]}` and `{source.key}` are the same article ({ident}): keep one key"
                )
                seen[ident] = source.key
