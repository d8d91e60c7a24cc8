"""Leave when the terminal goes away, whether or not a SIGHUP arrives.

When a tmux session is killed (or an ssh connection drops) the kernel hangs up the pty: it
signals only the session leader. Started by ``make demo`` the leader is make, which survives
waiting for its child, so the UI never sees SIGHUP — and Textual's input thread then spins at
100% CPU: ``select`` reports the hung-up terminal readable forever and every read returns
nothing (textual.drivers.linux_driver ``run_input_thread`` only ends on its exit event).

``watch(fd)`` starts a daemon thread blocked in ``poll`` with no requested events: the kernel
still reports POLLHUP/POLLERR/POLLNVAL, so the thread sleeps until the terminal is gone (no
CPU, no timer) and then calls ``on_hangup`` (default: exit at once with 129, as for SIGHUP —
there is no terminal left to restore or draw to).
"""

from __future__ import annotations

import os
import select
import signal
import threading
from collections.abc import Callable

HANGUP_EXIT = 128 + signal.SIGHUP


def _exit() -> None:
    os._exit(HANGUP_EXIT)


def hung_up(fd: int, timeout_ms: int | None = None) -> bool:
    """True when ``fd`` reports hang-up or error (a closed pty), waiting up to ``timeout_ms``
    (None: until it happens)."""
    poller = select.poll()
    poller.register(fd, 0)              # no events asked for: only POLLHUP / POLLERR / POLLNVAL come back
    while True:
        try:
            ready = poller.poll(timeout_ms)
        except InterruptedError:        # a signal (SIGWINCH on resize): keep waiting
            continue
        return any(mask & (select.POLLHUP | select.POLLERR | select.POLLNVAL) for _, mask in ready)


def watch(fd: int = 0, on_hangup: Callable[[], None] = _exit) -> threading.Thread | None:
    """Call ``on_hangup`` when ``fd`` (a terminal) hangs up; also on SIGHUP. Returns the thread,
    or None when ``fd`` is not a terminal (piped input has its own EOF handling)."""
    signal.signal(signal.SIGHUP, lambda *_: on_hangup())
    try:
        if not os.isatty(fd):
            return None
    except OSError:
        return None

    def run() -> None:
        if hung_up(fd):
            on_hangup()

    thread = threading.Thread(target=run, name="cctk-hangup", daemon=True)
    thread.start()
    return thread
