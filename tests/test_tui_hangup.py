"""tui.hangup: a closed pty is noticed without SIGHUP and without spinning."""

import os
import pty
import signal
import threading
import time

import pytest

from tui.hangup import hung_up, watch


@pytest.fixture(autouse=True)
def keep_sighup():
    old = signal.getsignal(signal.SIGHUP)
    yield
    signal.signal(signal.SIGHUP, old)


def test_open_pty_is_not_hung_up_and_closed_one_is():
    master, slave = pty.openpty()
    try:
        assert hung_up(slave, 100) is False
        os.close(master)
        assert hung_up(slave, 1000) is True
    finally:
        os.close(slave)


def test_watch_calls_back_when_the_terminal_goes_away_and_sleeps_meanwhile():
    master, slave = pty.openpty()
    fired = threading.Event()
    thread = watch(slave, on_hangup=fired.set)
    try:
        assert thread is not None
        cpu = time.process_time()
        time.sleep(0.5)
        assert not fired.is_set()
        assert time.process_time() - cpu < 0.1          # blocked in poll, not polling in a loop
        os.close(master)
        assert fired.wait(2)
    finally:
        os.close(slave)


def test_watch_ignores_a_non_terminal(tmp_path):
    with open(tmp_path / "f", "w") as fh:
        assert watch(fh.fileno(), on_hangup=lambda: None) is None
