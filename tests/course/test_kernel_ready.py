"""A grading kernel is ready as soon as it has answered, not after IOPub has been silent for a while.

jupyter_client's ``wait_for_ready`` ends by reading IOPub until nothing has come for 0.2 s, and its client
retries a connection to a kernel that has not bound its sockets yet every 100 ms: together about a third
of a second idle at every kernel start, on every graded notebook (``helpers.course.execute.PromptKernelClient``).
"""
from __future__ import annotations

import asyncio
from queue import Empty

import zmq
from jupyter_client.manager import AsyncKernelManager

from helpers.course.execute import WAKE_UP_SLICE, PromptKernelClient


def _start(km: AsyncKernelManager):
    km.client_class = f"{PromptKernelClient.__module__}.{PromptKernelClient.__qualname__}"
    kc = km.client()
    kc.start_channels()
    return kc


def test_ready_at_the_kernels_idle_status_without_waiting_out_a_silence():
    async def main():
        km = AsyncKernelManager(kernel_name="python3")
        await km.start_kernel()
        kc = _start(km)
        read, silences = [], []
        get_msg = kc.iopub_channel.get_msg

        async def counting(timeout=None):
            try:
                msg = await get_msg(timeout=timeout)
            except Empty:
                silences.append(timeout)
                raise
            read.append(msg)
            return msg

        kc.iopub_channel.get_msg = counting
        try:
            await kc.wait_for_ready(timeout=60)
            pending = await kc.iopub_channel.msg_ready()
            info = await kc.kernel_info(reply=True, timeout=30)
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)
        return read, silences, pending, info

    read, silences, pending, info = asyncio.run(main())
    assert silences == []  # jupyter_client's own client always ends on an Empty after 0.2 s
    last = read[-1]
    assert (last["msg_type"], last["content"]["execution_state"]) == ("status", "idle")
    assert last["parent_header"]["msg_type"] == "kernel_info_request"
    assert not pending  # nothing of the start-up is left for the first cell to read
    assert info["content"]["status"] == "ok"


def test_channels_retry_a_kernel_that_is_not_listening_yet_within_milliseconds_and_wait_in_slices():
    async def main():
        km = AsyncKernelManager(kernel_name="python3")
        await km.start_kernel()
        kc = _start(km)
        try:
            await kc.wait_for_ready(timeout=60)
            return ([kc.shell_channel.socket.getsockopt(zmq.RECONNECT_IVL),
                     kc.iopub_channel.socket.getsockopt(zmq.RECONNECT_IVL)],
                    [kc.shell_channel.get_msg.__name__, kc.iopub_channel.get_msg.__name__])
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)

    reconnect_ms, waits = asyncio.run(main())
    assert max(reconnect_ms) <= 10 < 100  # zmq's default is 100 ms
    assert waits == ["get_msg_in_slices", "get_msg_in_slices"]
    assert WAKE_UP_SLICE <= 0.25
