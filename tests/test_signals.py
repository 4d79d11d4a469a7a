"""The one rule that holds signals back while a job starts its workers (run/signals.py)."""

from __future__ import annotations

import signal
import threading
import time

import pytest

from trendscore.run.signals import signals_held

pytestmark = pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="no signal masks here")


def _current_mask() -> set:
    return set(signal.pthread_sigmask(signal.SIG_BLOCK, []))


@pytest.fixture
def usr1_log():
    log: list[str] = []
    old = signal.signal(signal.SIGUSR1, lambda *_: log.append("handled"))
    yield log
    signal.signal(signal.SIGUSR1, old)


def test_a_signal_sent_while_held_is_handled_as_the_block_ends_not_inside_it(usr1_log):
    with signals_held({signal.SIGUSR1}):
        signal.pthread_kill(threading.main_thread().ident, signal.SIGUSR1)
        time.sleep(0.05)
        usr1_log.append("body done")
    assert usr1_log == ["body done", "handled"]


def test_the_mask_is_put_back_as_it_was_when_the_body_raises():
    before = _current_mask()
    with pytest.raises(RuntimeError), signals_held({signal.SIGUSR1, signal.SIGUSR2}):
        assert {signal.SIGUSR1, signal.SIGUSR2} <= _current_mask()
        raise RuntimeError("inside")
    assert _current_mask() == before


def test_a_signal_blocked_before_the_block_stays_blocked_after_it():
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2})
    try:
        with signals_held({signal.SIGUSR2}):
            pass
        assert signal.SIGUSR2 in _current_mask()
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR2})


def test_a_signal_handled_as_the_mask_is_set_leaves_it_as_it_was(monkeypatch):
    """CPython handles a signal that had already arrived as pthread_sigmask returns, after the
    mask has changed: a Ctrl-C just before the block began raised KeyboardInterrupt from the call
    that blocked SIGINT, and left it blocked for the rest of the process (a notebook's interrupt
    then did nothing). The call is made to do so here, as a Ctrl-C in that instant makes it."""
    real = signal.pthread_sigmask

    def interrupted_as_it_blocks(how, mask):
        previous = real(how, mask)
        if how == signal.SIG_BLOCK and set(mask):
            raise KeyboardInterrupt
        return previous

    before = _current_mask()
    monkeypatch.setattr(signal, "pthread_sigmask", interrupted_as_it_blocks)
    with pytest.raises(KeyboardInterrupt), signals_held({signal.SIGUSR1}):
        pytest.fail("the body ran after the interrupt")
    monkeypatch.undo()
    after = _current_mask()
    real(signal.SIG_SETMASK, before)  # for the tests after this one, whatever it found
    assert after == before
