"""cctk.lifecycle.trail's commit index: the same commits, order and raw entries as ``git log -- <folder>``,
extended as HEAD moves on, and never used where it could differ (a merge, a folder of another shape)."""

from __future__ import annotations

import pytest

from cctk.lifecycle import actions as A
from cctk.lifecycle import trail
from test_lifecycle_util import git, make_repo, new_contract


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.setenv("CCTK_CACHE_DIR", str(tmp_path / "cache"))
    root = make_repo(tmp_path / "r")
    codes = [new_contract(root, title=f"采购 {n}") for n in range(3)]
    A.submit(root, codes[0], person="wang.fang")
    A.submit(root, codes[2], person="wang.fang")
    return root, codes


def folders(root):
    return sorted({p.rsplit("/", 1)[0] for p in git(root, "ls-files", "contracts").split()})


def test_index_answers_as_git_log(repo):
    root, codes = repo
    assert trail.indexed_log(root, "HEAD", folders(root)[0]) is None        # nothing built yet: git answers
    assert trail.update_index(root) is True
    assert trail.index_path(root).exists()
    for folder in folders(root) + ["contracts/2026/LHHT-2026-999999"]:
        for rev in ("HEAD", "HEAD~1", "HEAD~3"):
            assert trail.indexed_log(root, rev, folder) == trail.log(root, [rev], [folder])
    assert len(trail.indexed_log(root, "HEAD", folders(root)[0])) == 2           # created, submitted
    assert trail.indexed_log(root, "HEAD", "contracts/2026") is None              # not a contract folder


def test_a_file_name_git_quotes_is_indexed_under_its_folder(repo):
    root, codes = repo
    folder = next(f for f in folders(root) if f.endswith(codes[1]))
    (root / folder / 'scan "1".txt').write_text("x", "utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "attachment")
    trail.update_index(root)
    got = trail.indexed_log(root, "HEAD", folder)
    assert got == trail.log(root, ["HEAD"], [folder]) and got[-1].files[0][1].startswith('"')


def test_new_commits_are_added_by_the_question(repo):
    root, codes = repo
    trail.update_index(root)
    A.submit(root, codes[1], person="wang.fang")
    folder = next(f for f in folders(root) if f.endswith(codes[1]))
    got = trail.indexed_log(root, "HEAD", folder)
    assert got == trail.log(root, ["HEAD"], [folder]) and len(got) == 2
    import sqlite3
    with sqlite3.connect(trail.index_path(root)) as db:                          # the index moved on
        assert db.execute("SELECT value FROM meta WHERE key='tip'").fetchone()[0] == git(root, "rev-parse", "HEAD")
    entries = trail.history(root, codes[1])
    assert [e.action for e in entries][-1] == "submit"


def test_history_same_with_and_without_the_index(repo):
    root, codes = repo
    before = [trail.history(root, c) for c in codes]
    trail.update_index(root)
    after = [trail.history(root, c) for c in codes]
    assert [[(e.commit, e.action, e.changes, e.person) for e in h] for h in after] == \
           [[(e.commit, e.action, e.changes, e.person) for e in h] for h in before]


def test_a_merge_is_left_to_git(repo):
    root, codes = repo
    trail.update_index(root)
    git(root, "checkout", "-q", "-b", "side", "HEAD~1")
    A.submit(root, codes[1], person="wang.fang")
    git(root, "checkout", "-q", "main")
    git(root, "merge", "-q", "--no-ff", "-m", "merge side", "side")
    folder = next(f for f in folders(root) if f.endswith(codes[1]))
    assert trail.indexed_log(root, "HEAD", folder) is None
    assert trail.update_index(root) is False
    assert [e.action for e in trail.history(root, codes[1])][-1] == "submit"


def test_an_unreadable_index_is_left_to_git(repo):
    root, codes = repo
    trail.update_index(root)
    trail.index_path(root).write_bytes(b"not a database" * 100)
    for suffix in ("-wal", "-shm"):
        trail.index_path(root).with_name(trail.index_path(root).name + suffix).unlink(missing_ok=True)
    folder = folders(root)[0]
    assert trail.indexed_log(root, "HEAD", folder) is None
    assert [e.action for e in trail.history(root, codes[0])][-1] == "submit"
