"""End to end in a real terminal: tmux runs `cctk tui` on a generated repository, a filter is
typed, a contract opened, and the screen read back with capture-pane."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tui.testing import make_repo

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def capture(session: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout


def wait_for(session: str, text: str, timeout: float = 30) -> str:
    end = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < end:
        screen = capture(session)
        if text in screen:
            return screen
        time.sleep(0.3)
    raise AssertionError(f"{text!r} not on screen:\n{screen}")


def test_cctk_tui_in_tmux(tmp_path):
    repo = make_repo(tmp_path / "r", 30)
    session = f"cctk-tui-test-{os.getpid()}"
    cctk = Path(sys.executable).with_name("cctk")
    command = f"{cctk if cctk.exists() else sys.executable + ' -m cctk'} --lang zh tui {repo}"
    env_cmd = f"cd {Path(__file__).resolve().parents[1]} && TERM=xterm-256color CCTK_CACHE_DIR={tmp_path}/cache {command}"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "140", "-y", "40", env_cmd], check=True)
    try:
        wait_for(session, "按阶段")                         # dashboard is up
        subprocess.run(["tmux", "send-keys", "-t", session, "F3"], check=True)
        wait_for(session, "30 / 30 份合同")
        subprocess.run(["tmux", "send-keys", "-t", session, "-l", "2023-000007"], check=True)
        screen = wait_for(session, "1 / 30 份合同")
        assert "LHHT-2023-000007" in screen
        subprocess.run(["tmux", "send-keys", "-t", session, "Enter"], check=True)   # filter box -> table
        wait_for(session, "打开")                                                      # the table's footer
        # Enter opens the row once the table has focus; on a loaded machine the focus move can lag
        # the footer, so press again (only while the detail is not yet up).
        for attempt in range(3):
            subprocess.run(["tmux", "send-keys", "-t", session, "Enter"], check=True)
            try:
                screen = wait_for(session, "记录", timeout=10)   # the detail's first tab
                break
            except AssertionError:
                if attempt == 2:
                    raise
        assert "LHHT-2023-000007" in screen and "付款" in screen
        # CJK alignment: the code column starts at the same cell in every table line
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
