"""A missed wake-up of pyzmq's asyncio poll costs the grader one slice, not a cell's timeout.

The miss is made deterministic here: the kernel client's sockets get a ``poll`` that, as
pyzmq's poller does when the event loop is not woken, sleeps out its whole timeout and only
then checks for a message (with no timeout it sleeps "for ever").
"""
import asyncio
import time
from queue import Empty

import pytest

from mlpkit.grader import execute as gk
from mlpkit.grader.wakeup import slice_waits, sliced
from mlpkit.safecall import RESULT_MIME


class LossyChannel:
    """A channel whose message is there from ``arrives`` s on, and whose every wait misses the
    wake-up: it returns (or raises Empty) only at the end of its timeout."""

    def __init__(self, arrives: float | None):
        self.t0, self.arrives, self.waits = time.monotonic(), arrives, []

    async def get_msg(self, timeout=None):
        self.waits.append(timeout)
        await asyncio.sleep(3600 if timeout is None else timeout)
        if self.arrives is not None and time.monotonic() - self.t0 >= self.arrives:
            return {"msg": "reply"}
        raise Empty


def _timed(coro):
    t0 = time.monotonic()
    result = asyncio.run(coro)
    return result, time.monotonic() - t0


def test_a_message_missed_by_the_wait_is_found_at_the_next_slice():
    ch = LossyChannel(arrives=0.0)
    msg, took = _timed(sliced(ch.get_msg, 0.1)(timeout=30))
    assert msg == {"msg": "reply"} and took < 5
    assert ch.waits == [pytest.approx(0.1)]


def test_an_empty_wait_still_raises_at_its_deadline_not_before():
    ch = LossyChannel(arrives=None)
    t0 = time.monotonic()
    with pytest.raises(Empty):
        asyncio.run(sliced(ch.get_msg, 0.1)(timeout=0.45))
    assert time.monotonic() - t0 >= 0.45
    assert len(ch.waits) >= 4 and max(ch.waits) <= 0.1 + 1e-9


def test_a_wait_without_deadline_keeps_waiting_in_slices():
    ch = LossyChannel(arrives=0.35)
    msg, _ = _timed(sliced(ch.get_msg, 0.1)(timeout=None))
    assert msg == {"msg": "reply"}
    assert len(ch.waits) >= 4 and None not in ch.waits


def test_slicing_twice_wraps_once():
    class KC:
        shell_channel, iopub_channel, control_channel = (LossyChannel(0), LossyChannel(0),
                                                         LossyChannel(0))
    kc = KC()
    slice_waits(kc)
    first = kc.shell_channel.get_msg
    slice_waits(kc)
    assert kc.shell_channel.get_msg is first and first.sliced


def miss_every_wakeup(kc):
    """The real client sockets of ``kc``, with pyzmq's poll as it behaves when the wake-up is
    missed."""
    for channel in (kc.shell_channel, kc.iopub_channel):
        sock, real_poll = channel.socket, channel.socket.poll

        async def poll(timeout=None, flags=1, _real=real_poll):
            if timeout != 0:
                await asyncio.sleep(3600 if timeout is None else timeout / 1000)
            return await _real(0, flags)

        sock.poll = poll


def test_a_cell_is_not_timed_out_and_its_result_not_lost_when_wakeups_are_missed(tmp_path):
    limits = gk.Limits()
    k = gk.Kernel(gk.KernelStart.plain(str(tmp_path), limits), limits)
    try:
        miss_every_wakeup(k.client.kc)
        code = ("from IPython.display import display\n"
                f"display({{{RESULT_MIME!r}: 'forty-two'}}, raw=True)")
        t0 = time.monotonic()
        status, results = k.run(code, timeout=8)
        took = time.monotonic() - t0
        assert (status, results) == ("ok", ["forty-two"])
        assert took < 8 - 1, f"the reply waited {took:.1f} s"
        assert k.run("x = 1", timeout=8)[0] == "ok"
    finally:
        k.close()

