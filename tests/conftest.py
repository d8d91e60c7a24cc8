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
    """A real git repository holding a copy of this project's own sample content."""
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in ("cctk.yaml",):
        shutil.copy(ROOT / name, repo / name)
    for folder in ("policy", "suppliers", "contracts"):
        shutil.copytree(ROOT / folder, repo / folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    run_git(repo, "init", "-q", "-b", "main")
    run_git(repo, "add", "-A")
    run_git(repo, "commit", "-q", "-m", "sample")
    return repo
