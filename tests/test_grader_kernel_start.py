"""A kernel that dies before it has run anything is started again (it says nothing about the
submission); one that never starts is reported, after START_TRIES tries."""
import jupyter_client
import pytest

from mlpkit.grader import execute as gk


@pytest.fixture
def flaky_start(monkeypatch):
    """AsyncKernelManager.start_kernel (what nbclient calls) failing the first ``fails[0]``
    times, as a port clash does."""
    real, calls, fails = jupyter_client.AsyncKernelManager.start_kernel, [], [0]

    async def start_kernel(self, **kw):
        calls.append(kw)
        if len(calls) <= fails[0]:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return await real(self, **kw)

    monkeypatch.setattr(jupyter_client.AsyncKernelManager, "start_kernel", start_kernel)
    return calls, fails


def test_a_kernel_that_dies_at_start_is_started_again(flaky_start, tmp_path):
    calls, fails = flaky_start
    fails[0] = gk.START_TRIES - 1
    k = gk.Kernel(gk.KernelStart.plain(str(tmp_path), gk.Limits()), gk.Limits())
    try:
        assert len(calls) == gk.START_TRIES
        assert k.run("x = 6 * 7", timeout=30) == ("ok", [])
    finally:
        k.close()


def test_a_kernel_that_never_starts_raises_after_the_last_try(flaky_start, tmp_path):
    calls, fails = flaky_start
    fails[0] = gk.START_TRIES
    with pytest.raises(RuntimeError, match="Kernel died before replying"):
        gk.Kernel(gk.KernelStart.plain(str(tmp_path), gk.Limits()), gk.Limits())
    assert len(calls) == gk.START_TRIES
