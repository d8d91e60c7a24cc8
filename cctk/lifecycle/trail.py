"""Reading the trail from git: commits with their trailers and signature status, and field-level
diffs of a record between commits. One ``git log`` and one ``cat-file --batch`` per question."""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from cctk.store import gitio

ZERO = "0" * 40
_FMT = "%x1e%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%cI%x1f{sig}%x1f%B%x1d"


@dataclass
class Commit:
    oid: str
    parents: list[str]
    author_name: str
    author_email: str
    date: str
    committer_date: str
    sig: str                          # %G?: G good, U good/unknown trust, B bad, N none, E cannot check …
    signer: str                       # SSH: the principal (%GS); OpenPGP: the email the key is listed for
    message: str
    trailers: dict[str, str]
    files: list[tuple[str, str, str, str]] = field(default_factory=list)   # (status, path, old oid, new oid)

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0]


def parse_trailers(message: str) -> dict[str, str]:
    """Trailers of the last paragraph (``Key: value`` lines, as git interpret-trailers reads them)."""
    paragraphs = [p for p in message.strip().split("\n\n") if p.strip()]
    if len(paragraphs) < 2:
        return {}
    out = {}
    for line in paragraphs[-1].splitlines():
        key, sep, value = line.partition(": ")
        if sep and key.replace("-", "").isalnum():
            out[key] = value.strip()
    return out


def _is_ssh(key: str) -> bool:
    return key.strip().startswith(("ssh-", "ecdsa-", "sk-"))


def _is_armored(key: str) -> bool:
    return "-----BEGIN PGP PUBLIC KEY BLOCK-----" in key


def _fingerprint(key: str) -> str | None:
    """An OpenPGP fingerprint as written in org.yaml (spaces allowed, 0x optional) -> upper hex."""
    text = key.strip().replace(" ", "").removeprefix("0x").removeprefix("0X").upper()
    return text if len(text) in (40, 64) and all(c in "0123456789ABCDEF" for c in text) else None


def allowed_signers(org) -> str:
    """git's gpg.ssh.allowedSignersFile content from the SSH keys listed for people in org.yaml."""
    lines = []
    for person in org.people.values():
        for key in person.keys:
            if _is_ssh(key):
                lines.append(f'{person.email} namespaces="git" {key.strip()}')
    return "\n".join(lines) + "\n"


def _gpg(home: str, *args: str, input: bytes | None = None) -> bytes:
    proc = subprocess.run(["gpg", "--homedir", home, "--batch", "--no-tty", "--quiet", *args], input=input,
                          capture_output=True)
    return proc.stdout


def _primaries(colons: bytes) -> list[str]:
    """Fingerprints of the primary keys and subkeys in ``gpg --with-colons`` output."""
    out = []
    for line in colons.decode("utf-8", "replace").splitlines():
        fields = line.split(":")
        if fields[0] == "fpr" and len(fields) > 9:
            out.append(fields[9].upper())
    return out


class SignerConfig:
    """What git needs to check the signatures of people listed in org.yaml, and nothing from elsewhere:

    - SSH keys: a temporary allowed-signers file passed with ``-c gpg.ssh.allowedSignersFile``;
    - OpenPGP keys (armored public keys, or fingerprints of keys in the verifying account's own gpg
      keyring): a temporary GNUPGHOME holding exactly those keys, passed to git in the environment.

    ``owner`` maps each OpenPGP key fingerprint (primary and subkeys) to its person's email, so a
    signature is attributed to a person the same way for both kinds (Commit.signer)."""

    def __init__(self, org):
        fd, self.path = tempfile.mkstemp(prefix="cctk-signers-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(allowed_signers(org))
        self.home: str | None = None
        self.owner: dict[str, str] = {}
        pgp = [(p.email, k) for p in org.people.values() for k in p.keys if not _is_ssh(k)]
        if pgp:
            self._keyring(pgp)

    def _keyring(self, pgp: list[tuple[str, str]]) -> None:
        import shutil
        if shutil.which("gpg") is None:      # no gpg: OpenPGP signatures read as "cannot check" (E)
            return
        self.home = tempfile.mkdtemp(prefix="cctk-gnupg-")
        blobs = []
        for email, key in pgp:
            if _is_armored(key):
                data = key.encode("utf-8")
            elif (fpr := _fingerprint(key)) is not None:
                data = subprocess.run(["gpg", "--batch", "--armor", "--export", fpr], capture_output=True).stdout
            else:
                continue
            if not data:
                continue
            shown = _gpg(self.home, "--with-colons", "--import-options", "show-only", "--import", input=data)
            fprs = _primaries(shown)
            if _fingerprint(key) and _fingerprint(key) not in fprs:
                continue                     # the keyring's key is not the one the fingerprint names
            for f in fprs:
                self.owner.setdefault(f, email)
            blobs.append(data)
        if blobs:
            _gpg(self.home, "--import", input=b"\n".join(blobs))

    def args(self) -> list[str]:
        return ["-c", f"gpg.ssh.allowedSignersFile={self.path}"]

    def env(self) -> dict[str, str] | None:
        return {"GNUPGHOME": self.home} if self.home else None

    def close(self):
        try:
            os.unlink(self.path)
        except OSError:
            pass
        if self.home:
            import shutil
            shutil.rmtree(self.home, ignore_errors=True)
            self.home = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def log(root: Path, revs: list[str], paths: list[str] | None = None, *, signatures: bool = False,
        signer_args: list[str] | None = None, raw: bool = True, reverse: bool = True,
        signers: SignerConfig | None = None, extra: list[str] | None = None) -> list[Commit]:
    """Commits of ``git log revs -- paths``. With ``signatures``, each one's signature status, checked
    against the keys of ``signers`` (SSH and OpenPGP) only."""
    fmt = _FMT.format(sig="%G?%x1f%GS%x1f%GP%x1f%GF" if signatures else "-%x1f%x1f%x1f")
    if signers is not None:
        signer_args = signers.args()
    args = ["git", "-C", str(root), "-c", "core.quotePath=false", *(signer_args or []), "log",
            f"--format={fmt}", "--topo-order", "--no-renames", *(extra or [])]
    if reverse:
        args.append("--reverse")
    if raw:
        args += ["--raw", "--no-abbrev"]
    args += revs
    if paths:
        args += ["--", *paths]
    return _run_log(args, signers)


def _run_log(args: list[str], signers: SignerConfig | None,
             files_of: dict[str, list[tuple[str, str, str, str]]] | None = None) -> list[Commit]:
    """Run a ``git log --format=_FMT`` command line and parse it; ``files_of``: each commit's files when
    they come from the commit index rather than from ``--raw``."""
    env = signers.env() if signers is not None else None
    proc = subprocess.run(args, capture_output=True, env=dict(os.environ, **env) if env else None)
    if proc.returncode != 0:
        raise gitio.GitError("git.error", error=proc.stderr.decode("utf-8", "replace").strip())
    owner = signers.owner if signers is not None else {}
    out = []
    for chunk in proc.stdout.decode("utf-8", "replace").split("\x1e")[1:]:
        head, _, rest = chunk.partition("\x1d")
        parts = head.split("\x1f")
        oid, parents, an, ae, ad, cd, sig, signer, primary, key, message = parts[:11]
        if primary or (key and not key.startswith("SHA256:")):
            # OpenPGP: the person is the one the key is listed for, not the key's own user id.
            signer = owner.get(primary.upper()) or owner.get(key.upper()) or f"key {primary or key}"
        files = _raw_files(rest) if files_of is None else list(files_of.get(oid, ()))
        out.append(Commit(oid, parents.split(), an, ae, ad, cd, sig, signer, message,
                          parse_trailers(message), files))
    return out


def _raw_files(text: str) -> list[tuple[str, str, str, str]]:
    """(status, path, old oid, new oid) of ``--raw --no-abbrev`` lines."""
    files = []
    for line in text.splitlines():
        if line.startswith(":"):
            meta, _, path = line.partition("\t")
            bits = meta.split()
            files.append((bits[4][0], path, bits[2], bits[3]))
    return files


def contract_folder(root: Path, rev: str, code: str, worktree: bool = True) -> str | None:
    """contracts/<year>/<code> at ``rev``: two small listings, not the 100,000-file tree."""
    if "/" in code or code in (".", ".."):
        return None
    # The work tree usually has it where the revision has it (git log confirms: no commits, no history).
    try:
        for year in sorted(os.listdir(root / "contracts")) if worktree else []:
            if os.path.isfile(root / "contracts" / year / code / "contract.md"):
                return f"contracts/{year}/{code}"
    except OSError:
        pass
    years = [p for p, _, _ in _ls(root, rev, ["contracts/"]) if p.count("/") == 1]
    found = _ls(root, rev, [f"{y}/{code}/contract.md" for y in years]) if years else []
    return found[0][0].rsplit("/", 1)[0] if found else None


def _ls(root: Path, rev: str, paths: list[str]) -> list[tuple[str, str, str]]:
    proc = subprocess.run(["git", "-C", str(root), "-c", "core.quotePath=false", "ls-tree", "-z", "--full-tree",
                           rev, "--", *paths], capture_output=True)
    out = []
    for item in proc.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if item:
            meta, _, path = item.partition("\t")
            mode, _, oid = meta.split()
            out.append((path, oid, mode))
    return out


def ensure_commit_graph(root: Path) -> None:
    """Keep git's commit-graph with changed-path Bloom filters up to date.

    ``git log -- <one contract folder>`` must otherwise open the big contracts/<year> tree of every
    commit in the history to see whether the path changed (22 s over 3,000 commits of a 100,000-contract
    repository, measured); with the filters it skips the commits that did not touch it (0.1 s). The
    first write costs about as much as one such log; later ones add a layer for the new commits only.
    A stamp file remembers the HEAD the graph was written at, so an unchanged repository pays nothing."""
    gd = gitio.git_dir(root) or root
    stamp = Path(gd) / "cctk" / "commit-graph.head"
    proc = subprocess.run(["git", "-C", str(root), "rev-parse", "-q", "--verify", "HEAD"], capture_output=True)
    head = proc.stdout.decode().strip()
    if not head:
        return
    try:
        if stamp.read_text().strip() == head:
            return
    except OSError:
        pass
    proc = subprocess.run(["git", "-C", str(root), "commit-graph", "write", "--reachable", "--changed-paths",
                           "--split", "--no-progress"], capture_output=True)
    if proc.returncode == 0:
        try:
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.write_text(head + "\n")
        except OSError:
            pass


# --- the commit index: which commits touched which contract folder -----------------------------------
#
# ``git log -- contracts/<year>/<code>`` costs 0.1–0.9 s at 100,000 contracts even with the Bloom
# filters: the import commit touches more paths than a filter holds, so git diffs it and inflates the
# 50,000-entry year tree (stored as a long delta chain). The index answers the same question from a
# small SQLite file beside the cache: for every commit (by id, oldest first) its raw entries under each
# contracts/<year>/<code> folder. It is built once (``update_index``: one ``git log --raw`` of the
# history, ≈ 6 s of git at 100,000; the TUI runs it in a niced child) and extended as HEAD moves on. It
# is used only for a linear history (no merge commit): there "the commits whose diff to their parent
# touches the folder" is exactly what ``git log -- <folder>`` lists, with the same raw entries. Anything
# else (a merge, a revision not indexed, another kind of path) is answered by git log as before.

INDEX_FORMAT = "1"
INCREMENTAL_MAX = 200       # new commits a question adds to the index itself; more wait for update_index


def index_path(root: Path, git_dir: Path | None = None) -> Path | None:
    """The commit index beside the cctk cache (``cctk.store.cache.cache_path``); None outside git."""
    from cctk.store.cache import cache_path
    gd = git_dir or gitio.git_dir(Path(root))
    if gd is None:
        return None
    base = cache_path(Path(root), Path(gd))
    return base.with_name(base.stem + "-trail.sqlite")


def _folder_key(path: str) -> str | None:
    if path.startswith('"'):        # git quotes a path with a quote, backslash or control character in it
        path = path[1:]
    parts = path.split("/", 3)
    return "/".join(parts[:3]) if len(parts) >= 3 and parts[0] == "contracts" else None


def _open_index(path: Path, create: bool):
    import sqlite3
    if not create and not path.exists():
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript("""
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
        CREATE TABLE IF NOT EXISTS commits (seq INTEGER PRIMARY KEY, oid TEXT UNIQUE NOT NULL);
        CREATE TABLE IF NOT EXISTS touches (folder TEXT NOT NULL, seq INTEGER NOT NULL, raw TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS touches_folder ON touches (folder, seq);
    """)
    return db


def _meta(db) -> dict[str, str]:
    meta = dict(db.execute("SELECT key, value FROM meta"))
    return meta if meta.get("format") == INDEX_FORMAT else {}


def _rev_oid(root: Path, rev: str) -> str | None:
    proc = subprocess.run(["git", "-C", str(root), "rev-parse", "-q", "--verify", rev + "^{commit}"],
                          capture_output=True)
    return proc.stdout.decode().strip() or None


def _git_ok(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True)


def update_index(root: Path, rev: str = "HEAD", *, max_new: int | None = None, nice: bool = False) -> bool:
    """Bring the commit index up to ``rev`` (built whole the first time, then only the new commits).
    ``max_new``: add at most that many commits and never build from nothing (a question asked in line).
    True when the index now answers for ``rev``."""
    import shutil
    root = Path(root)
    tip = _rev_oid(root, rev)
    path = index_path(root) if tip else None
    db = _open_index(path, create=max_new is None) if path else None
    if db is None:
        return False
    try:
        meta = _meta(db)
        old = meta.get("tip")
        if old == tip:
            return meta.get("linear") == "1"
        forward = bool(old) and _git_ok(root, "merge-base", "--is-ancestor", old, tip).returncode == 0
        if forward and meta.get("linear") != "1":       # a merge below: stays unindexed, nothing to read
            db.execute("UPDATE meta SET value=? WHERE key='tip'", (tip,))
            return False
        if max_new is not None:
            if not forward:
                return False
            count = _git_ok(root, "rev-list", "--count", f"{old}..{tip}").stdout.decode().strip()
            if not count.isdigit() or int(count) > max_new:
                return False
        cmd = ["git", "-C", str(root), "-c", "core.quotePath=false", "log", "--format=%x1e%H%x1f%P",
               "--topo-order", "--reverse", "--no-renames", "--raw", "--no-abbrev", f"{old}..{tip}" if forward else tip]
        if nice and shutil.which("nice"):
            cmd = ["nice", "-n", "10", *cmd]
        proc = subprocess.run(cmd, capture_output=True)
        if proc.returncode != 0:
            return False
        commits: list[tuple[str, dict[str, list[str]]]] = []
        linear = True
        for chunk in proc.stdout.decode("utf-8", "replace").split("\x1e")[1:]:
            head, _, rest = chunk.partition("\n")
            oid, _, parents = head.partition("\x1f")
            if len(parents.split()) > 1:
                linear = False
                break
            touched: dict[str, list[str]] = {}
            for line in rest.splitlines():
                if line.startswith(":"):
                    key = _folder_key(line.partition("\t")[2])
                    if key is not None:
                        touched.setdefault(key, []).append(line)
            commits.append((oid, touched))
        db.execute("BEGIN IMMEDIATE")
        try:
            if _meta(db).get("tip") != meta.get("tip"):
                db.execute("ROLLBACK")           # another process updated it meanwhile
                return False
            if not forward or not linear:
                db.execute("DELETE FROM commits")
                db.execute("DELETE FROM touches")
            if linear:
                seq0 = db.execute("SELECT COALESCE(MAX(seq), -1) + 1 FROM commits").fetchone()[0]
                db.executemany("INSERT INTO commits VALUES (?, ?)",
                               ((seq0 + n, oid) for n, (oid, _) in enumerate(commits)))
                db.executemany("INSERT INTO touches VALUES (?, ?, ?)",
                               ((key, seq0 + n, "\n".join(lines)) for n, (_, touched) in enumerate(commits)
                                for key, lines in touched.items()))
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                           [("format", INDEX_FORMAT), ("tip", tip), ("linear", "1" if linear else "0")])
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return linear
    finally:
        db.close()


def indexed_log(root: Path, rev: str, folder: str, *, signatures: bool = False,
                signers: SignerConfig | None = None) -> list[Commit] | None:
    """``log(root, [rev], [folder], signatures=…, signers=…)`` answered from the commit index: the same
    commits in the same order with the same files. None when the index cannot answer (no index, a merge
    in the history, ``rev`` not indexed and too far ahead, a folder that is not contracts/<year>/<code>)."""
    root = Path(root)
    if _folder_key(folder) != folder or any(ch in folder for ch in "*?[\\:"):   # pathspec magic: ask git
        return None
    import sqlite3
    path = index_path(root)
    tip = _rev_oid(root, rev) if path is not None and path.exists() else None
    if tip is None:
        return None
    try:
        hits = _indexed_hits(root, path, tip, folder)
    except (sqlite3.Error, OSError):        # unreadable, locked past the timeout, read-only: ask git
        return None
    if not hits:
        return hits
    fmt = _FMT.format(sig="%G?%x1f%GS%x1f%GP%x1f%GF" if signatures else "-%x1f%x1f%x1f")
    args = ["git", "-C", str(root), "-c", "core.quotePath=false", *(signers.args() if signers else []), "log",
            f"--format={fmt}", "--no-walk=unsorted", *[oid for oid, _ in hits]]
    return _run_log(args, signers, {oid: _raw_files(raw) for oid, raw in hits})


def _indexed_hits(root: Path, path: Path, tip: str, folder: str) -> list[tuple[str, str]] | None:
    """(commit id, raw entries) of the commits up to ``tip`` that touched ``folder``, oldest first; None
    when the index cannot answer. A ``tip`` a few commits ahead of the index is added to it first."""
    for attempt in range(2):
        db = _open_index(path, create=False)
        if db is None:
            return None
        try:
            if _meta(db).get("linear") != "1":
                return None
            row = db.execute("SELECT seq FROM commits WHERE oid=?", (tip,)).fetchone()
            if row is not None:
                return db.execute("SELECT c.oid, t.raw FROM touches t JOIN commits c ON c.seq = t.seq "
                                  "WHERE t.folder=? AND t.seq<=? ORDER BY t.seq", (folder, row[0])).fetchall()
        finally:
            db.close()
        if attempt or not update_index(root, tip, max_new=INCREMENTAL_MAX):
            return None
    return None


@dataclass
class HistoryEntry:
    commit: Commit
    action: str | None
    changes: list[tuple[str, object, object]]
    person: str | None


def history(root: Path, code: str, rev: str = "HEAD", *, snap=None) -> list[HistoryEntry]:
    """A contract's life: each commit touching its folder, oldest first, with field-level changes.

    ``snap``: a snapshot the caller already loaded (the TUI): its settings and people are used, and the
    contract's folder is taken from it when it holds the contract, instead of listing the tree at ``rev``."""
    from cctk.lifecycle.moves import parse_both, record_diff

    root = Path(root)
    if snap is None:
        from cctk.lifecycle import settings
        snap = settings.read(root, rev)
    signing = bool(snap.config.get("require_signed_commits")) or any(p.keys for p in snap.org.people.values())
    folder = next((c.path.rsplit("/", 1)[0] for c in snap.contracts if c.code == code and c.path), None)
    if folder is None:
        folder = contract_folder(root, rev, code)
    commits = []
    for attempt in range(2):
        if attempt:       # not found where the work tree has it: look in the revision's tree
            again = contract_folder(root, rev, code, worktree=False)
            if again == folder:
                break
            folder = again
        if folder is None:
            return []
        with SignerConfig(snap.org) as sc:
            commits = indexed_log(root, rev, folder, signatures=signing, signers=sc)
            if commits is None:           # not indexed: git log of the folder (Bloom filters kept fresh)
                ensure_commit_graph(root)
                commits = log(root, [rev], [folder], signatures=signing, signers=sc)
        if commits:
            break
    oids = sorted({o for c in commits for _, p, a, b in c.files if p.endswith("/contract.md")
                   for o in (a, b) if o != ZERO})
    blobs = {}
    if oids:
        with gitio.CatFile(root) as cat:
            blobs = dict(cat.read_many(oids))
    entries = []
    for c in commits:
        changes = []
        for status, path, old, new in c.files:
            if path.endswith("/contract.md"):
                _, before, _ = parse_both(path, blobs.get(old)) if old != ZERO else (None, None, None)
                _, after, _ = parse_both(path, blobs.get(new)) if new != ZERO else (None, None, None)
                changes += record_diff(before or {}, after or {})
            else:
                changes.append((path.removeprefix(folder + "/"), None,
                                {"A": "added", "D": "deleted"}.get(status, "modified")))
        person = snap.org.person_by_email(c.author_email)
        entries.append(HistoryEntry(c, c.trailers.get("Cctk-Action"), changes, person.id if person else None))
    return entries
