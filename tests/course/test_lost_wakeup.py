"""A message a socket wait was not woken for is noticed within a slice, not at the end of the cell's limit.

Model of the failure (pyzmq's ``Socket.poll`` over an edge-triggered descriptor): a wait that began before
the message arrived is not woken by it; the message is found by the next look at the socket, which pyzmq
makes at the end of the wait's timeout or when a new wait starts. Grading saw this as a 60 s cell whose
kernel had been idle all along (``helpers.course.execute.sliced_get_msg``).
"""
from __future__ import annotations

import asyncio
import time
from queue import Empty

import pytest

from helpers.course.execute import sliced_get_msg


class LostWakeUpChannel:
    """``get_msg`` that never wakes for a message arriving mid-wait: it is seen only at a wait's start or end."""

    def __init__(self, arrives_after: float | None):
        self.arrives_after, self.arrives_at = arrives_after, None  # counted from the first wait
        self.waits = 0

    def _arrived(self) -> bool:
        return self.arrives_at is not None and time.monotonic() >= self.arrives_at

    async def get_msg(self, timeout=None):
        self.waits += 1
        if self.waits == 1 and self.arrives_after is not None:
            self.arrives_at = time.monotonic() + self.arrives_after
        if self._arrived():
            return {"msg_type": "execute_reply"}
        await asyncio.sleep(3600 if timeout is None else timeout)  # not woken by the arrival
        if self._arrived():
            return {"msg_type": "execute_reply"}
        raise Empty


def _timed(coro):
    started = time.monotonic()
    result = asyncio.run(coro)
    return result, time.monotonic() - started


def test_the_model_reproduces_the_stall():
    channel = LostWakeUpChannel(arrives_after=0.05)
    msg, waited = _timed(channel.get_msg(timeout=1.5))
    assert msg["msg_type"] == "execute_reply" and waited >= 1.5  # noticed only when the whole wait ran out


def test_a_missed_message_is_noticed_within_a_slice():
    channel = LostWakeUpChannel(arrives_after=0.12)
    msg, waited = _timed(sliced_get_msg(channel.get_msg, slice_s=0.05)(timeout=1.5))
    assert msg["msg_type"] == "execute_reply"
    assert waited < 0.75  # a slice after it arrived, far from the 1.5 s limit
    assert channel.waits >= 2  # it arrived during a wait that was not woken; a later look found it


def test_no_message_still_times_out_with_empty():
    channel = LostWakeUpChannel(arrives_after=None)
    with pytest.raises(Empty):
        _timed(sliced_get_msg(channel.get_msg, slice_s=0.05)(timeout=0.3))
    assert channel.waits >= 5  # it kept looking until the caller's limit, then gave up as before


def test_waiting_without_a_limit_returns_the_message():
    channel = LostWakeUpChannel(arrives_after=0.1)
    msg, waited = _timed(asyncio.wait_for(sliced_get_msg(channel.get_msg, slice_s=0.05)(timeout=None), 5))
    assert msg["msg_type"] == "execute_reply" and waited < 1.0


def test_the_learners_validate_waits_in_slices_too():
    """nbgrader's Validate in the lab (``TaskValidator``) runs the notebook through sliced channels as well."""
    from nbformat.v4 import new_code_cell, new_notebook
    from nbgrader.preprocessors import Execute

    from helpers.lab.validate import TaskValidator

    execute = next(p for p in TaskValidator().preprocessors if issubclass(p, Execute))
    seen = []

    class Probe(execute):
        def preprocess_cell(self, cell, resources, index):  # the cell runs on this client
            seen.append((self.kc.shell_channel.get_msg.__name__, self.kc.iopub_channel.get_msg.__name__))
            return super().preprocess_cell(cell, resources, index)

    nb = new_notebook(cells=[new_code_cell("6 * 7")])
    Probe().preprocess(nb, {})
    assert seen == [("get_msg_in_slices", "get_msg_in_slices")]
    assert nb.cells[0].outputs[0]["data"]["text/plain"] == "42"


def test_notebooks_run_elsewhere_wait_in_slices_too():
    """Tests and benchmarks run notebooks with ``SlicedNotebookClient``: a lost wake-up there held a release's
    run until its 600 s cell timeout (seen in a fresh-clone CI run, the kernel idle)."""
    from nbformat.v4 import new_code_cell, new_notebook

    from helpers.course.execute import SlicedNotebookClient

    seen = []

    class Probe(SlicedNotebookClient):
        async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
            seen.append((self.kc.shell_channel.get_msg.__name__, self.kc.iopub_channel.get_msg.__name__))
            return await super().async_execute_cell(cell, cell_index, *args, **kwargs)

    nb = new_notebook(cells=[new_code_cell("6 * 7")])
    Probe(nb, timeout=60, kernel_name="python3").execute()
    assert seen == [("get_msg_in_slices", "get_msg_in_slices")]
    assert nb.cells[0].outputs[0]["data"]["text/plain"] == "42"
