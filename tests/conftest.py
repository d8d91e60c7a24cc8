import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Commits made by tests need an identity; a clean CI machine has none configured.
for var, value in (("GIT_AUTHOR_NAME", "cctk test"), ("GIT_AUTHOR_EMAIL", "test@cctk.example"),
                   ("GIT_COMMITTER_NAME", "cctk test"), ("GIT_COMMITTER_EMAIL", "test@cctk.example")):
    os.environ.setdefault(var, value)
os.environ.setdefault("CCTK_LANG", "en")
os.environ.pop("NO_COLOR", None)


def run_git(root, *args, **kw):
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, **kw).stdout


@pytest.fixture
def sample_repo(tmp_path) -> Path:
    """A real git repository holding a copy of this project's own sample content (settings, policy,
    suppliers and the archived 2019 sample contract)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in ("cctk.yaml",):
        shutil.copy(ROOT / name, repo / name)
    for folder in ("policy", "suppliers"):
        shutil.copytree(ROOT / folder, repo / folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    # Only the archived 2019 sample: the tests describe it, and this project's own contracts/ grows.
    sample = "contracts/2019/LHHT-2019-000001"
    shutil.copytree(ROOT / sample, repo / sample)
    run_git(repo, "init", "-q", "-b", "main")
    run_git(repo, "add", "-A")
    run_git(repo, "commit", "-q", "-m", "sample")
    return repo


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> Path:
    """A 60-contract demo repository (default seed), built once per test session; copy it to change it."""
    from click.testing import CliRunner

    from cctk.cli.main import cli

    root = tmp_path_factory.mktemp("demo60") / "demo"
    res = CliRunner().invoke(cli, ["demo", str(root), "--contracts", "60", "--pdfs", "none", "--no-tui"])
    assert res.exit_code == 0, res.output
    return root


@pytest.fixture
def repo(demo, tmp_path) -> Path:
    """A private copy of the demo repository."""
    root = tmp_path / "r"
    shutil.copytree(demo, root, symlinks=True)
    return root


def run(root, *args):
    """Run ``cctk --lang en ARGS`` in ``root`` through click's runner."""
    from click.testing import CliRunner

    from cctk.cli.main import cli

    old = os.getcwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(cli, ["--lang", "en", *args])
    finally:
        os.chdir(old)
