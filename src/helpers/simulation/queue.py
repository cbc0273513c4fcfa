"""Multi-server first-come-first-served queue with caller abandonment and agent shifts.

Conventions: times and durations in seconds from the start of the simulated period; a server is one
shift of one agent (the caller keeps the shift -> agent mapping). A call's "wait" is its time in queue:
until answered, or until the caller hung up (abandoned calls). Abandoned calls occupy no agent.
"""
from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np

from helpers.simulation._checks import float_array


@dataclass(frozen=True)
class QueueResult:
    """Per-call outcome, aligned with the ``arrival_s`` passed in (all arrays of length n).

    wait_s      float64 seconds in queue: to answer, or to hang-up for abandoned calls (= patience;
                ``inf`` for a caller of infinite patience who was never answered).
    abandoned   bool, caller hung up before an agent answered.
    answered_s  float64 time the call was answered (s from period start), NaN if abandoned.
    server      int64 index into the server (shift) arrays, -1 if abandoned, -2 if the call never
                happened (a retrial whose original call was answered; see ``retrial_of``).
    made        bool, the call happened (always True without ``retrial_of``); wait_s is NaN where not.
    """

    wait_s: np.ndarray
    abandoned: np.ndarray
    answered_s: np.ndarray
    server: np.ndarray
    made: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.wait_s.size)


def _fcfs_loop(arrival: list, patience: list, busy: list,
               starts: list, ends: list, ids: list, successor: list | None = None,
               after: list | None = None, speed: list | None = None) -> tuple[list, list]:
    """The sequential core. Servers come sorted by shift start; returns answered times and server ids.

    The free-heap holds (time the server can next start a call, shift end, server id) for servers whose
    shift has begun; servers still to come wait in ``starts``/``ends``/``ids`` from position ``p``.
    Because service is FCFS and servers are identical, the head of the queue simply takes the server
    that can start earliest; ties (several idle agents) go to the one idle longest.

    ``successor[id]`` (or -1) is the server that continues server ``id`` with the same agent (the part
    of the shift after a break): it cannot start a call before ``id``'s last call has ended, so a call
    that runs into the break delays the break's end. ``ready`` holds those delayed starts.
    ``after[i]`` (or -1) is the position of an earlier call whose *abandonment* this call depends on (a
    retrial): if that call was answered, call i never happens (server -2).
    ``speed[id]`` multiplies the busy time of calls server ``id`` takes (rounded to whole seconds).
    """
    heap: list = []
    push, pop, replace = heapq.heappush, heapq.heappop, heapq.heapreplace
    inf, nan = math.inf, math.nan
    n_servers = len(starts)
    p = 0
    next_start = starts[0] if n_servers else inf
    answered: list = []
    server: list = []
    add_answered, add_server = answered.append, server.append
    ready: dict = {}
    linked = successor is not None and any(x >= 0 for x in successor)
    if after is None:
        after = [-1] * len(arrival)
    for a, pat, b, par in zip(arrival, patience, busy, after):
        if par >= 0 and server[par] != -1:  # a retrial of a call that was answered (or never made)
            add_answered(nan)
            add_server(-2)
            continue
        while next_start <= a:
            push(heap, (max(next_start, ready.pop(ids[p], next_start)) if linked else next_start, ends[p], ids[p]))
            p += 1
            next_start = starts[p] if p < n_servers else inf
        while True:
            if heap:
                top = heap[0]
                t = top[0]
                if t < a:
                    t = a
                if t >= top[1]:  # shift over before this server could start the call: gone for good
                    pop(heap)
                    continue
            else:
                t = inf
            if next_start < t:  # a shift starting later than now but before the best free server
                push(heap, (max(next_start, ready.pop(ids[p], next_start)) if linked else next_start, ends[p], ids[p]))
                p += 1
                next_start = starts[p] if p < n_servers else inf
                continue
            break
        if t == inf:  # no server on duty for the rest of the period: everyone from here abandons
            break
        if t - a <= pat:
            done = t + (round(b * speed[top[2]]) if speed is not None else b)
            replace(heap, (done, top[1], top[2]))
            add_answered(t)
            add_server(top[2])
            if linked and done > top[1]:  # runs past the end of this part of the shift
                nxt = successor[top[2]]
                if nxt >= 0 and done > ready.get(nxt, -inf):
                    ready[nxt] = done
        else:
            add_answered(nan)
            add_server(-1)
    missing = len(arrival) - len(answered)
    answered.extend([nan] * missing)
    server.extend([-1] * missing)
    return answered, server


def serve_fcfs(arrival_s, patience_s, busy_s, server_start_s, server_end_s, *, server_successor=None,
               retrial_of=None, server_speed=None) -> QueueResult:
    """Serve calls first-come-first-served by identical servers with shifts; impatient callers abandon.

    arrival_s       call arrival times (s); any order (results stay aligned with the input).
    patience_s      how long each caller will wait (s, >= 0, ``inf`` allowed).
    busy_s          time the agent is occupied by the call if answered: talk + hold + wrap (s, >= 0).
    server_start_s, server_end_s
                    one entry per shift: the server is on duty in [start, end). It only *starts* calls
                    while on duty; a call started before the end runs over (overtime).

    A caller whose offered wait (until the earliest server that can take them is free, given all
    earlier callers who did not abandon) exceeds their patience abandons at arrival + patience; a wait
    exactly equal to the patience is answered. Callers arriving when no server is on duty for the rest
    of the period wait until their patience runs out. O(n log s); the loop is pure Python over lists.

    server_successor  optional, one int per server: the server that is the *same agent* later (the part
                    of a shift after a break), or -1. The successor cannot start a call before this
                    server's last call has ended, so an agent never has two calls at once even when a
                    call runs into the break (the break then ends later).
    retrial_of      optional, one int per call: the index (into the inputs) of an earlier call whose
                    caller makes this call only if that call was abandoned (a retrial), or -1. A retrial
                    of a call that was answered (or itself never made) never happens: ``server == -2``,
                    ``made`` False. Retrials must arrive after the call they repeat.
    server_speed    optional, one factor per server: a call taken by server k keeps the agent busy for
                    ``round(busy_s * server_speed[k])`` seconds (agents differ: skill, tenure, learning).
                    The caller rescales talk, hold and wrap the same way (see ``scaled_durations``).
    """
    arrival = float_array("arrival_s", arrival_s)
    n = arrival.size
    patience = float_array("patience_s", patience_s, allow_inf=True, minimum=0.0)
    busy = float_array("busy_s", busy_s, minimum=0.0)
    for name, arr in (("patience_s", patience), ("busy_s", busy)):
        if arr.size != n:
            raise ValueError(f"{name} must have one value per call (length {n}), got length {arr.size}")
    start = float_array("server_start_s", server_start_s, allow_inf=True)
    end = float_array("server_end_s", server_end_s, allow_inf=True)
    if start.size != end.size:
        raise ValueError(f"server_start_s and server_end_s must have the same length, "
                         f"got {start.size} and {end.size}")
    if (end < start).any():
        k = int(np.flatnonzero(end < start)[0])
        raise ValueError(f"server {k}: server_end_s ({end[k]}) is before server_start_s ({start[k]})")

    speed = None
    if server_speed is not None:
        speed = np.asarray(server_speed, dtype=np.float64)
        if speed.shape != start.shape or not (speed > 0).all():
            raise ValueError("server_speed must have one factor > 0 per server")
    successor = None
    if server_successor is not None:
        successor = np.asarray(server_successor, dtype=np.int64)
        if successor.shape != start.shape or (successor >= start.size).any():
            raise ValueError("server_successor must have one index (< number of servers, or -1) per server")
    parent = None
    if retrial_of is not None:
        parent = np.asarray(retrial_of, dtype=np.int64)
        if parent.shape != arrival.shape or (parent >= n).any():
            raise ValueError(f"retrial_of must have one index (< {n}, or -1) per call")
        has = parent >= 0
        if (arrival[has] <= arrival[parent[has]]).any():
            raise ValueError("a retrial must arrive after the call it repeats")

    order = None if n < 2 or (np.diff(arrival) >= 0).all() else np.argsort(arrival, kind="stable")
    if order is not None:
        arrival, patience, busy = arrival[order], patience[order], busy[order]
        if parent is not None:
            inverse = np.empty_like(order)
            inverse[order] = np.arange(n)
            parent = np.where(parent[order] >= 0, inverse[np.maximum(parent[order], 0)], -1)
    by_start = np.argsort(start, kind="stable")
    answered, server = _fcfs_loop(arrival.tolist(), patience.tolist(), busy.tolist(),
                                  start[by_start].tolist(), end[by_start].tolist(), by_start.tolist(),
                                  None if successor is None else successor.tolist(),
                                  None if parent is None else parent.tolist(),
                                  None if speed is None else speed.tolist())
    answered = np.array(answered, dtype=np.float64)
    server = np.array(server, dtype=np.int64)
    if parent is not None:  # calls left after the last shift: retrials of answered calls never happen
        for _ in range(8):
            has = parent >= 0
            skip = has & (server[np.maximum(parent, 0)] != -1) & (server == -1)
            if not skip.any():
                break
            server[skip] = -2
    made = server != -2
    abandoned = server == -1
    wait = np.where(abandoned, patience, np.where(made, answered - arrival, np.nan))
    if order is not None:
        inverse = np.empty_like(order)
        inverse[order] = np.arange(n)
        answered, server, abandoned, wait, made = (answered[inverse], server[inverse], abandoned[inverse],
                                                   wait[inverse], made[inverse])
    return QueueResult(wait_s=wait, abandoned=abandoned, answered_s=answered, server=server, made=made)


def scaled_durations(talk_s, hold_s, wrap_s, factor):
    """Talk, hold and wrap (whole seconds) of calls whose agent works at ``factor`` x the base time, so
    that talk + hold + wrap == round((talk + hold + wrap) * factor) exactly, as ``serve_fcfs`` kept the
    agent busy (``server_speed``); NaN factors (abandoned calls) give the inputs back."""
    talk, hold, wrap = (np.asarray(x, dtype=np.float64) for x in (talk_s, hold_s, wrap_s))
    f = np.where(np.isfinite(factor), factor, 1.0)
    total = np.round((talk + hold + wrap) * f)
    t = np.minimum(np.round(talk * f), total)
    h = np.minimum(np.round(hold * f), total - t)
    return t, h, total - t - h
