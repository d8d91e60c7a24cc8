"""Loading a repository: work tree vs revision, the cache, and problems as located diagnostics."""

import os
import shutil
import subprocess
from pathlib import Path

import msgspec

from cctk.repository import all_diagnostics
from cctk.store.cache import cache_path
from cctk.store.loader import load
from conftest import run_git

CONTRACT = "contracts/2019/LHHT-2019-000001/contract.md"


def as_data(snap):
    return sorted((msgspec.to_builtins(c) for c in snap.contracts), key=lambda c: c["code"])


def test_revision_equals_work_tree(sample_repo):
    work = load(sample_repo, use_cache=False)
    head = load(sample_repo, "HEAD", use_cache=False)
    assert as_data(work) == as_data(head) and len(work.contracts) == 1
    assert work.files == head.files


def test_revision_read_without_work_tree(sample_repo, tmp_path):
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(sample_repo), str(bare)], check=True)
    snap = load(bare, "HEAD", use_cache=False)
    assert [c.code for c in snap.contracts] == ["LHHT-2019-000001"]
    assert snap.org.units and snap.suppliers


def test_old_revision_differs_from_work_tree(sample_repo):
    path = sample_repo / CONTRACT
    path.write_text(path.read_text("utf-8").replace('title: "罗湖区政府办公室办公设备采购合同"', 'title: "改过的标题"'), "utf-8")
    run_git(sample_repo, "commit", "-qam", "retitle")
    assert load(sample_repo, "HEAD~1").contracts[0].title == "罗湖区政府办公室办公设备采购合同"
    assert load(sample_repo).contracts[0].title == "改过的标题"


def test_cache_is_warm_and_never_stale(sample_repo):
    cold = load(sample_repo)
    assert cache_path(sample_repo, sample_repo / ".git").is_file()
    warm = load(sample_repo)
    assert as_data(cold) == as_data(warm)
    # An uncommitted edit with the same size and a quick succession must still be seen.
    path = sample_repo / CONTRACT
    path.write_text(path.read_text("utf-8").replace('"86500.00"', '"86600.00"'), "utf-8")
    assert str(load(sample_repo).contracts[0].amount) == "86600.00"
    # Deleting the cache only costs time.
    os.remove(cache_path(sample_repo, sample_repo / ".git"))
    assert str(load(sample_repo).contracts[0].amount) == "86600.00"


def test_cached_diagnostics_are_reported_again(sample_repo):
    path = sample_repo / CONTRACT
    path.write_text(path.read_text("utf-8").replace('amount: "86500.00"', "amount: 86500.5"), "utf-8")
    first = [d.code for d in all_diagnostics(load(sample_repo))]
    second = [d.code for d in all_diagnostics(load(sample_repo))]
    assert first == second == ["CC012"]


def test_untracked_contract_is_loaded(sample_repo):
    src = sample_repo / CONTRACT
    dest = sample_repo / "contracts/2019/LHHT-2019-000002/contract.md"
    dest.parent.mkdir(parents=True)
    dest.write_text(src.read_text("utf-8").replace("LHHT-2019-000001", "LHHT-2019-000002"), "utf-8")
    assert sorted(c.code for c in load(sample_repo).contracts) == ["LHHT-2019-000001", "LHHT-2019-000002"]


def test_one_bad_file_does_not_stop_the_others(sample_repo):
    bad = sample_repo / "contracts/2019/LHHT-2019-000009/contract.md"
    bad.parent.mkdir(parents=True)
    bad.write_text("---\ncode: [unclosed\n---\n", "utf-8")
    snap = load(sample_repo)
    assert [c.code for c in snap.contracts] == ["LHHT-2019-000001"]
    diags = all_diagnostics(snap)
    assert [(d.path, d.code, d.line) for d in diags] == [("contracts/2019/LHHT-2019-000009/contract.md", "CC005", 3)]


def test_many_contracts_parse_in_parallel_like_serially(sample_repo):
    src = (sample_repo / CONTRACT).read_text("utf-8")
    for i in range(2, 460):
        code = f"LHHT-2019-{i:06d}"
        p = sample_repo / f"contracts/2019/{code}/contract.md"
        p.parent.mkdir(parents=True)
        p.write_text(src.replace("LHHT-2019-000001", code).replace('"86500.00"', f'"{86500 + i}.00"')
                     .replace('"25950.00"', '"1.00"'), "utf-8")
    run_git(sample_repo, "add", "-A")
    run_git(sample_repo, "commit", "-qm", "many")
    serial = load(sample_repo, use_cache=False, workers=1)
    parallel = load(sample_repo, "HEAD", use_cache=False, workers=2)
    assert len(serial.contracts) == 459
    assert as_data(serial) == as_data(parallel)
    assert [d.code for d in serial.diagnostics] == [d.code for d in parallel.diagnostics]


def test_parallel_workers_read_git_themselves_and_fill_the_cache(sample_repo, tmp_path, monkeypatch):
    """A cold parallel load of a revision without a work tree: each worker streams its own blobs with
    cat-file and writes the cache itself; the next load is answered by that cache alone."""
    from cctk.store import loader

    src = (sample_repo / CONTRACT).read_text("utf-8")
    for i in range(2, 460):
        code = f"LHHT-2019-{i:06d}"
        p = sample_repo / f"contracts/2019/{code}/contract.md"
        p.parent.mkdir(parents=True)
        p.write_text(src.replace("LHHT-2019-000001", code).replace('"86500.00"', f'"{86500 + i}.00"'), "utf-8")
    run_git(sample_repo, "add", "-A")
    run_git(sample_repo, "commit", "-qm", "many")
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(sample_repo), str(bare)], check=True)
    monkeypatch.setenv("CCTK_CACHE_DIR", str(tmp_path / "cache"))
    # workers write every 100 records here (4,000 by default) and the rest when the pool ends them
    monkeypatch.setattr(loader, "_FLUSH_ROWS", 100)
    reference = load(sample_repo, "HEAD", use_cache=False, workers=1)
    cold = load(bare, "HEAD", workers=2)
    assert as_data(cold) == as_data(reference) and len(cold.contracts) == 459

    def no_parse(*a, **k):
        raise AssertionError("parsed again: the workers did not store what they parsed")

    monkeypatch.setattr(loader, "parse_contract", no_parse)
    assert as_data(load(bare, "HEAD", workers=2)) == as_data(reference)
    facts = load(bare, "HEAD", contracts="facts", workers=2)
    assert sorted(c.code for c in facts.contracts) == sorted(c.code for c in reference.contracts)


def test_summary_and_facts_loads_store_no_whole_records(sample_repo, tmp_path, monkeypatch):
    """A load of facts (what a cold `cctk check` reads) stores summaries and facts, not the whole records
    it never reads; the first whole-record load parses and stores them, and the next is cache-only."""
    import sqlite3

    from cctk.store import loader

    monkeypatch.setenv("CCTK_CACHE_DIR", str(tmp_path / "cache"))
    db_path = cache_path(sample_repo, sample_repo / ".git")

    def rows(table):
        with sqlite3.connect(db_path) as db:
            return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    facts = load(sample_repo, contracts="facts")
    n = len(facts.contracts)
    assert n and rows("facts") == n and rows("summary") == n and rows("records") == 0
    assert len(load(sample_repo, contracts="summary").summaries) == n      # answered by the cache alone
    assert rows("records") == 0
    full = load(sample_repo)
    assert rows("records") == n

    def no_parse(*a, **k):
        raise AssertionError("parsed again: the whole records were not stored")

    monkeypatch.setattr(loader, "parse_contract", no_parse)
    assert as_data(load(sample_repo)) == as_data(full)


def test_two_files_with_the_same_bytes_are_two_contracts(sample_repo, tmp_path, monkeypatch):
    """One blob id, two paths (a copied folder): each path gets its own record, cold (parsed, decoded as the
    batch arrives) and warm (from the cache)."""
    twin = sample_repo / "contracts/2019/LHHT-2019-000099/contract.md"
    twin.parent.mkdir(parents=True)
    shutil.copyfile(sample_repo / CONTRACT, twin)
    monkeypatch.setenv("CCTK_CACHE_DIR", str(tmp_path / "cache"))
    for mode in ("full", "facts"):
        for workers in (1, 2):
            for _run in ("cold", "warm"):
                snap = load(sample_repo, contracts=mode, workers=workers)
                assert sorted(c.path for c in snap.contracts) == sorted([CONTRACT, str(twin.relative_to(sample_repo))])
                assert snap.contracts[0] is not snap.contracts[1]
            shutil.rmtree(tmp_path / "cache")


def test_prefetch_asks_for_the_files_in_order_and_stops_when_told(sample_repo, monkeypatch):
    """The parent's read-ahead (for parse workers on a cold page cache) advises each work-tree file once, in
    order, skips a file that went away and stops as soon as the load ends."""
    import os
    import threading

    from cctk.store import loader

    seen = []
    monkeypatch.setattr(os, "posix_fadvise", lambda fd, off, length, advice: seen.append(os.fstat(fd).st_size))
    stop = threading.Event()
    loader._prefetch(str(sample_repo), [CONTRACT, "contracts/2019/GONE/contract.md", CONTRACT], stop)
    size = (sample_repo / CONTRACT).stat().st_size
    assert seen == [size, size]
    stop.set()
    loader._prefetch(str(sample_repo), [CONTRACT], stop)
    assert seen == [size, size]
