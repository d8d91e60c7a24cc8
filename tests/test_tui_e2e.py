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
        # the list's own line ("已解析 30 / 30 份合同" is the loading progress, also on the dashboard)
        wait_for(session, "按编号排序")
        subprocess.run(["tmux", "send-keys", "-t", session, "-l", "2023-000007"], check=True)
        wait_for(session, "1 / 30 份合同")
        screen = wait_for(session, "LHHT-2023-000007")      # the table repaints after the count
        assert "1 / 30 份合同" in screen
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


def _descendants(pid: int) -> list[int]:
    """Processes below ``pid`` (from /proc: parent of each)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_tui_under_make_exits_when_tmux_session_is_killed(tmp_path):
    """`make demo` in tmux, then `tmux kill-session`: the pty hangs up but only make (the session
    leader) is signalled; the UI must notice the dead terminal and exit instead of spinning."""
    repo = make_repo(tmp_path / "r", 10)
    root = Path(__file__).resolve().parents[1]
    bindir = Path(sys.executable).parent
    # the same chain as `make demo`: make -> bash scripts/demo.sh -> exec cctk tui -> exec python -m tui
    (tmp_path / "Makefile").write_text(f"demo:\n\tbash {root}/scripts/demo.sh {bindir} {repo}\n")
    session = f"cctk-tui-hup-{os.getpid()}"
    # CI= : scripts/demo.sh opens the UI only outside CI, and the suite itself runs under CI=true
    env_cmd = (f"cd {tmp_path} && CI= TERM=xterm-256color CCTK_CACHE_DIR={tmp_path}/cache PYTHONPATH={root} "
               f"make demo")
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", env_cmd], check=True)
    pids: list[int] = []
    try:
        end = time.monotonic() + 90     # a loaded CI machine: the first screen can take a while
        while time.monotonic() < end:
            pane = subprocess.run(["tmux", "list-panes", "-t", session, "-F", "#{pane_pid}"],
                                  capture_output=True, text=True).stdout.split()
            screen = capture(session)
            if pane and ("按阶段" in screen or "by stage" in screen):
                pids = [int(pane[0])] + _descendants(int(pane[0]))
                break
            time.sleep(0.3)
        tui = [p for p in pids if b"tui" in Path(f"/proc/{p}/cmdline").read_bytes()]
        assert tui, f"the UI process was not found under the pane: {pids}"
        subprocess.run(["tmux", "kill-session", "-t", session], check=True)
        end = time.monotonic() + 5
        while time.monotonic() < end and any(_alive(p) for p in tui):
            time.sleep(0.1)
        assert not any(_alive(p) for p in tui), "the UI kept running after its terminal went away"
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
        for p in pids:
            if _alive(p):
                os.kill(p, 9)
