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
