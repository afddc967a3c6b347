"""The knowledge-base cache: used when fresh, and never a source of different results."""

from __future__ import annotations

import os
import shutil

import pytest

from gutnerve import assess, kbcache
from gutnerve.knowledge import load

from .conftest import MINI_KB


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("GUTNERVE_NO_CACHE", raising=False)
    return tmp_path / "cache" / "gutnerve"


@pytest.fixture
def kb_copy(tmp_path):
    shutil.copytree(MINI_KB, tmp_path / "kb")
    return tmp_path / "kb"


def ranking(kb):
    return [(s.cause_id, round(s.posterior, 12)) for s in assess(kb, present=["burning-feet"]).ranked]


def test_fresh_cache_is_used_and_equal(cache_home, kb_copy):
    first = load(kb_copy)
    (entry,) = cache_home.glob("kb-*.pickle")
    second = load(kb_copy)
    assert second == first and ranking(second) == ranking(load(kb_copy, use_cache=False))
    # proof that the second load came from the cache: plant a marker in the cached object
    import pickle

    marked = pickle.loads(entry.read_bytes())
    object.__setattr__(marked, "root", "from-cache")
    entry.write_bytes(pickle.dumps(marked))
    assert load(kb_copy).root == "from-cache"


def test_stale_cache_is_not_used(cache_home, kb_copy):
    before = ranking(load(kb_copy))
    path = kb_copy / "causes" / "small-fiber-neuropathy.yaml"
    path.write_text(path.read_text().replace("burning-feet: {frequency: very-frequent", "burning-feet: {frequency: occasional"))
    after = load(kb_copy)
    assert ranking(after) != before
    assert ranking(after) == ranking(load(kb_copy, use_cache=False))


def test_corrupt_cache_falls_back(cache_home, kb_copy):
    load(kb_copy)
    for entry in cache_home.glob("kb-*.pickle"):
        entry.write_bytes(b"not a pickle")
    assert ranking(load(kb_copy)) == ranking(load(kb_copy, use_cache=False))


def test_cache_of_wrong_type_falls_back(cache_home, kb_copy):
    import pickle

    load(kb_copy)
    for entry in cache_home.glob("kb-*.pickle"):
        entry.write_bytes(pickle.dumps({"not": "a knowledge base"}))
    assert ranking(load(kb_copy)) == ranking(load(kb_copy, use_cache=False))


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_cache_falls_back(cache_home, kb_copy):
    cache_home.parent.mkdir(parents=True)
    cache_home.parent.chmod(0o500)
    try:
        assert ranking(load(kb_copy)) == ranking(load(kb_copy, use_cache=False))
    finally:
        cache_home.parent.chmod(0o700)


def test_cache_directory_that_is_a_file_falls_back(tmp_path, monkeypatch, kb_copy):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert ranking(load(kb_copy)) == ranking(load(kb_copy, use_cache=False))
    assert kbcache.get("anything") is None


def test_invalid_knowledge_base_is_never_cached(cache_home, kb_copy):
    from gutnerve.knowledge import KnowledgeBaseError

    (kb_copy / "causes" / "small-fiber-neuropathy.yaml").write_text("id: small-fiber-neuropathy\n")
    with pytest.raises(KnowledgeBaseError):
        load(kb_copy)
    assert not list(cache_home.glob("kb-*.pickle"))


@pytest.fixture
def settled_now(monkeypatch):
    """Treat every file as settled (as if last changed long ago), so its stat signature is remembered."""
    from gutnerve import knowledge

    monkeypatch.setattr(knowledge, "SETTLE_SECONDS", -3600.0)


def counting_fingerprint(monkeypatch):
    from gutnerve import knowledge

    calls = []
    real = knowledge.fingerprint

    def counted(root):
        calls.append(root)
        return real(root)

    monkeypatch.setattr(knowledge, "fingerprint", counted)
    return calls


def test_unchanged_files_reuse_the_remembered_fingerprint(cache_home, kb_copy, settled_now, monkeypatch):
    first = load(kb_copy)
    assert len(list(cache_home.glob("stat-*"))) == 1
    calls = counting_fingerprint(monkeypatch)
    assert load(kb_copy) == first and first.fingerprint
    assert calls == []  # no file was read to hash it


def test_a_changed_file_is_hashed_again_and_not_served_stale(cache_home, kb_copy, settled_now, monkeypatch):
    before = ranking(load(kb_copy))
    calls = counting_fingerprint(monkeypatch)
    path = kb_copy / "causes" / "small-fiber-neuropathy.yaml"
    info = path.stat()
    path.write_text(path.read_text().replace("burning-feet: {frequency: very-frequent", "burning-feet: {frequency: occasional"))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    after = load(kb_copy)
    assert len(calls) == 1
    assert ranking(after) != before and ranking(after) == ranking(load(kb_copy, use_cache=False))


def test_same_size_rewrite_with_the_old_modification_time_changes_the_signature(kb_copy):
    """Only the change time, which cannot be set back, tells this rewrite apart."""
    import time

    from gutnerve.knowledge import stat_signature

    path = kb_copy / "causes" / "small-fiber-neuropathy.yaml"
    signature, _ = stat_signature(kb_copy)
    info = path.stat()
    time.sleep(0.05)  # past the file system's clock tick
    text = path.read_text()
    path.write_text(text.replace("very-frequent", "very-frequenT", 1))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert path.stat().st_size == info.st_size and path.stat().st_mtime_ns == info.st_mtime_ns
    assert stat_signature(kb_copy)[0] != signature


def test_files_changed_just_now_are_not_remembered(cache_home, kb_copy, monkeypatch):
    """Within the settling time a file may change again in the same clock tick without its
    stat data changing, so the content hash is computed every time and nothing is remembered."""
    calls = counting_fingerprint(monkeypatch)
    load(kb_copy)
    load(kb_copy)
    assert len(calls) == 2
    assert not list(cache_home.glob("stat-*"))


def test_a_corrupt_remembered_fingerprint_is_ignored(cache_home, kb_copy, settled_now):
    first = ranking(load(kb_copy))
    for entry in cache_home.glob("stat-*"):
        entry.write_bytes(b"\xff garbage")
    assert ranking(load(kb_copy)) == first


def test_the_cache_keeps_only_the_most_recently_used_knowledge_bases(cache_home, kb_copy, monkeypatch):
    """Each edited knowledge base writes a new entry; the cache keeps the few used last, and a
    hit counts as a use, so the knowledge base in daily use survives a run of edits elsewhere."""
    monkeypatch.setattr(kbcache, "KEEP_KNOWLEDGE_BASES", 3)
    path = kb_copy / "causes" / "small-fiber-neuropathy.yaml"
    original = path.read_text()
    load(kb_copy)
    (daily,) = cache_home.glob("kb-*.pickle")
    os.utime(daily, ns=(1, 1))  # written long ago ...
    load(kb_copy)  # ... but used now
    assert daily.stat().st_mtime_ns > 1
    written = []
    for edit in range(4):  # four edits elsewhere, each a new entry
        path.write_text(original + f"\n# edit {edit}\n")
        before = set(cache_home.glob("kb-*.pickle"))
        load(kb_copy)
        written += list(set(cache_home.glob("kb-*.pickle")) - before)
        assert len(list(cache_home.glob("kb-*.pickle"))) <= 3
    entries = set(cache_home.glob("kb-*.pickle"))
    assert entries == set(written[-3:]), "the three newest edits' entries, not older ones"
    path.write_text(original)
    assert ranking(load(kb_copy)) == ranking(load(kb_copy, use_cache=False))  # pruned: rebuilt, same result


def test_the_cache_keeps_a_bounded_number_of_remembered_fingerprints(cache_home, monkeypatch):
    monkeypatch.setattr(kbcache, "KEEP_SIGNATURES", 5)
    for number in range(12):
        kbcache.remember(f"signature-{number:02d}-" + "x" * 40, "f" * 64)
        for entry in cache_home.glob(f"stat-signature-{number:02d}-*"):  # in order, whatever the clock's grain
            os.utime(entry, ns=(number + 1, number + 1))
    assert len(list(cache_home.glob("stat-*"))) == 5
    assert kbcache.recall("signature-11-" + "x" * 40) == "f" * 64  # the newest are kept
    assert kbcache.recall("signature-00-" + "x" * 40) is None
