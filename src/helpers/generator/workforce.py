"""Agents and shifts built from the case study's staffing plan (agents rostered per half hour).

Shifts: the plan for a queue and day type is stacked in layers (the k-th agent of each half hour
works layer k); each unbroken run of a layer is one shift, runs over 9 hours are split in two. Each
shift loses a break block somewhere in its middle (paid breaks plus, on about half the shifts, meetings and
coaching) and some shifts are lost to unplanned absence, more on some days than others
(``workforce.absence_day_cv``), so actual agents on the phones fall short of the plan, as in real
centres. Agents are assigned to shifts day by day, fewest days worked this week first.

In the simulation a shift serves its agent's primary queue (the first of ``skills``).

Agents differ (``agent_traits``): a proficiency z ~ N(0, 1) per agent and tenure. Handle time is
``exp(-0.10 z) x (1 + 0.35 exp(-tenure_days / 75))`` times the call's base time (a new starter is
about 35% slower and improves over the first months, tenure counted on the day of each shift);
adherence: each agent logs in late and out early by exponential minutes with an agent-level mean
(1-6 min, shorter for proficient agents), so the on-duty segments the queue serves start and end
accordingly (``shifts.login_at`` / ``logout_at``); quality (``quality``, a latent score used by the
QA evaluations) rises with proficiency and tenure. About 12% of agents are new starters hired in the
eight weeks before the period.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.casestudy import CaseStudy
from helpers.generator.calendar import is_public_holiday
from helpers.generator.frames import arrow, conform, ids, take, where
from helpers.generator.pools import Pools
from helpers.providers.au_agent.en_AU import Provider as AgentData

HALF_HOUR = 1800.0
MAX_RUN = 18  # half hours: longer runs are split into two shifts


@dataclass
class Roster:
    """Shifts as arrays (seconds from period start) plus the on-duty segments the queue serves."""
    agents: pd.DataFrame
    shifts: pd.DataFrame
    seg_start: dict   # queue -> np.ndarray of on-duty segment starts (s)
    seg_end: dict     # queue -> segment ends (s)
    seg_agent: dict   # queue -> agent index (into agent_ids) per segment
    seg_next: dict = None  # queue -> index of the segment after the break (same agent, same shift), -1 if none
    seg_speed: dict = None  # queue -> handle-time factor of the segment's agent on that day (skill, tenure)
    traits: pd.DataFrame = None  # per agent row of ``agents``: proficiency, quality, tenure_days at t0
    agent_ids: object = None  # pyarrow array of the agents' ids (agents first, team leaders after)


DAY_TYPES = ("weekday", "saturday", "sunday")
CLOSED = "holiday"  # observed national public holiday: the centre is closed, nobody rostered


def day_type(date: np.datetime64) -> str:
    """'weekday', 'saturday', 'sunday' or 'holiday' (an observed national public holiday, closed)."""
    if is_public_holiday(date):
        return CLOSED
    dow = (date.astype("datetime64[D]").astype(np.int64) - 4) % 7  # 1970-01-05 was a Monday
    return "weekday" if dow < 5 else ("saturday" if dow == 5 else "sunday")


def _templates(plan: list[int]) -> list[tuple[int, int]]:
    """(start, end) half-hour indices of the shifts that cover a plan exactly."""
    p = np.asarray(plan)
    out = []
    for k in range(1, int(p.max(initial=0)) + 1):
        on = np.concatenate([[0], (p >= k).astype(np.int8), [0]])
        starts = np.flatnonzero(np.diff(on) == 1)
        ends = np.flatnonzero(np.diff(on) == -1)
        for s, e in zip(starts.tolist(), ends.tolist()):
            if e - s > MAX_RUN:
                mid = s + (e - s) // 2
                out += [(s, mid), (mid, e)]
            else:
                out.append((s, e))
    return out


def make_roster(cs: CaseStudy, pools: Pools, rng: np.random.Generator, n_days: int, t0: np.datetime64) -> Roster:
    wf = cs.workforce
    dates = np.datetime64(t0, "D") + np.arange(n_days)
    types = [day_type(d) for d in dates]
    absence_factor = (rng.gamma(1 / wf.absence_day_cv**2, wf.absence_day_cv**2, n_days)
                      if wf.absence_day_cv > 0 else np.ones(n_days))

    rows = []  # (queue_idx, day, start_hh, end_hh)
    for qi, q in enumerate(cs.queue_names):
        plan = cs.staffing_plan[q]
        tmpl = {t: sorted(_templates(getattr(plan, t)), key=lambda se: se[0] - se[1]) for t in DAY_TYPES}
        tmpl[CLOSED] = []
        for d, t in enumerate(types):
            rows += [(qi, d, s, e) for s, e in tmpl[t]]
    sh = np.array(rows, dtype=np.int64).reshape(-1, 4)
    q_idx, day, s_hh, e_hh = sh.T

    # Agents per queue: enough that nobody works more than 5 shifts a week.
    agent_queue, agent_of_shift = [], np.empty(len(sh), dtype=np.int64)
    for qi in range(len(cs.queue_names)):
        m = q_idx == qi
        per_day = np.bincount(day[m], minlength=n_days)
        weekly = max(per_day[i:i + 7].sum() for i in range(0, max(n_days - 6, 1))) if n_days >= 7 else per_day.sum()
        n_agents = int(max(per_day.max(initial=0), np.ceil(weekly / 4.6)))
        first = len(agent_queue)
        agent_queue += [qi] * n_agents
        worked = np.zeros(n_agents, dtype=np.int64)
        last_day = np.full(n_agents, -10, dtype=np.int64)
        jitter = rng.random(n_agents)
        for d in range(n_days):
            if d % 7 == 0:
                worked[:] = 0
            todays = np.flatnonzero(m & (day == d))  # longest shifts first (templates sorted)
            if todays.size == 0:
                continue
            order = np.lexsort((jitter, last_day == d - 1, worked))  # fewest shifts, then rested
            chosen = order[:todays.size]
            agent_of_shift[todays] = first + chosen
            worked[chosen] += 1
            last_day[chosen] = d
    n_agents = len(agent_queue)
    agent_queue = np.array(agent_queue)

    # Agents differ: proficiency, tenure (new starters), adherence (see module doc).
    new_starter = rng.random(n_agents) < 0.12
    tenure0 = np.where(new_starter, rng.uniform(0, 56, n_agents), rng.exponential(2.5 * 365.25, n_agents) + 56)
    prof = rng.normal(0, 1, n_agents)
    late_mean_min = np.clip(2.5 * np.exp(-0.35 * (0.6 * prof + 0.8 * rng.normal(0, 1, n_agents))), 1.0, 6.0)
    quality = 0.6 * prof + 0.8 * rng.normal(0, 1, n_agents) - 0.9 * np.exp(-tenure0 / 90)

    # On-duty time: shift minus a break block in the middle; absence removes the shift.
    start_s = day * 86400.0 + s_hh * HALF_HOUR
    end_s = day * 86400.0 + e_hh * HALF_HOUR
    dur = end_s - start_s
    meeting = rng.random(len(sh)) < 0.5
    off = dur * (wf.break_s_per_hour / 3600.0 + np.where(meeting, 2 * wf.other_shrinkage, 0.0))
    off = np.round(off / 300.0) * 300.0  # whole five minutes
    # breaks staggered anywhere in the middle 60% of the shift, so the floor never empties at once
    off_start = start_s + np.round((dur - off) * (0.2 + 0.6 * rng.random(len(sh))) / 300.0) * 300.0
    off_start = np.clip(off_start, start_s, end_s - off)
    absent = rng.random(len(sh)) < np.minimum(wf.absence_rate * absence_factor[day], 0.5)
    late = np.round(rng.exponential(late_mean_min[agent_of_shift] * 60))
    early = np.round(rng.exponential(late_mean_min[agent_of_shift] * 30))
    late = np.minimum(late, np.maximum(off_start - start_s - 60, 0))     # still logs in before the break
    early = np.minimum(early, np.maximum(end_s - off_start - off - 60, 0))
    login_s, logout_s = start_s + late, end_s - early
    tenure_day = tenure0[agent_of_shift] + day
    speed = np.exp(-0.10 * prof[agent_of_shift]) * (1 + 0.35 * np.exp(-tenure_day / 75))

    agent_ids = ids("A", n_agents, 4).to_numpy(zero_copy_only=False).astype(object)
    seg_start, seg_end, seg_agent, seg_next, seg_speed = {}, {}, {}, {}, {}
    for qi, q in enumerate(cs.queue_names):
        m = (q_idx == qi) & ~absent
        a1, b1 = login_s[m], off_start[m]
        a2, b2 = off_start[m] + off[m], logout_s[m]
        starts, ends = np.concatenate([a1, a2]), np.concatenate([b1, b2])
        agents = np.concatenate([agent_of_shift[m], agent_of_shift[m]])
        keep = ends > starts
        k = int(m.sum())
        # the part before the break is continued by the part after it (same agent): a call running
        # into the break delays the break, it never overlaps the agent's next call
        nxt = np.concatenate([np.arange(k, 2 * k), np.full(k, -1)])
        new_index = np.cumsum(keep) - 1
        nxt = np.where((nxt >= 0) & keep[np.maximum(nxt, 0)], new_index[np.maximum(nxt, 0)], -1)
        seg_start[q], seg_end[q], seg_agent[q], seg_next[q] = starts[keep], ends[keep], agents[keep], nxt[keep]
        seg_speed[q] = np.concatenate([speed[m], speed[m]])[keep]

    t0ns = np.datetime64(t0, "ns")
    sec = lambda x: t0ns + (np.asarray(x) * 1e9).astype(np.int64).astype("timedelta64[ns]")  # noqa: E731
    order = np.lexsort((agent_of_shift, start_s))
    shifts = conform("shifts", {
        "shift_id": ids("S", len(sh), 6),
        "agent_id": agent_ids[agent_of_shift[order]],
        "date": dates[day[order]].astype("datetime64[ns]"),
        "rostered_start": sec(start_s[order]), "rostered_end": sec(end_s[order]),
        "logged_in_s": np.where(absent, 0.0, logout_s - login_s - off)[order],
        "shrinkage_s": np.where(absent, dur, off + late + early)[order],
        "absent": absent[order],
        "login_at": np.where(absent, np.datetime64("NaT", "ns"), sec(login_s))[order],
        "logout_at": np.where(absent, np.datetime64("NaT", "ns"), sec(logout_s))[order],
    })

    # Agents table: hours decide employment; a team leader per agents_per_team_leader agents.
    hours = np.bincount(agent_of_shift, weights=dur, minlength=n_agents) / 3600 / max(n_days / 7, 1)
    employment = np.where(hours >= 32, "full_time", np.where(hours >= 16, "part_time", "casual"))
    loading = {k: v for k, v in AgentData.hourly_cost_spread.items()}
    lo = np.array([loading[e][0] for e in employment])
    hi = np.array([loading[e][1] for e in employment])
    cost = np.round(wf.hourly_cost_aud * (lo + (hi - lo) * rng.random(n_agents)), 2)
    n_tl = [int(np.ceil((agent_queue == qi).sum() / wf.agents_per_team_leader)) for qi in range(len(cs.queue_names))]
    tl_queue = np.repeat(np.arange(len(cs.queue_names)), n_tl)
    all_queue = np.concatenate([agent_queue, tl_queue])
    total = all_queue.size
    names = cs.queue_names
    # A third of agents are also skilled in a neighbouring queue (listed second).
    second = (all_queue + 1 + rng.integers(0, len(names) - 1, total)) % len(names)
    multi = rng.random(total) < 0.33
    skill = np.array(names, dtype=object)[all_queue]
    skills = np.where(multi, skill + "," + np.array(names, dtype=object)[second], skill)
    teams = np.array([AgentData.team_names.get(q, q) for q in names], dtype=object)[all_queue]
    hired_years = np.where(np.arange(total) >= n_agents, 3 + 6 * rng.random(total),
                           np.concatenate([tenure0, np.zeros(total - n_agents)]) / 365.25)
    hired = (np.datetime64(t0, "ns") - (hired_years * 365.25 * 86400e9).astype(np.int64).astype("timedelta64[ns]")
             ).astype("datetime64[D]").astype("datetime64[ns]")
    all_ids = np.concatenate([agent_ids, ids("A", len(tl_queue), 4, start=n_agents + 1).to_numpy(zero_copy_only=False)
                              .astype(object)])
    agents = conform("agents", {
        "agent_id": all_ids,
        "first_name": take(pools.first_names, rng.integers(0, len(pools.first_names), total)),
        "last_name": take(pools.last_names, rng.integers(0, len(pools.last_names), total)),
        "team": teams,
        "role": where(np.arange(total) >= n_agents, "team_leader", "agent"),
        "skills": skills,
        "employment": np.concatenate([employment, np.full(len(tl_queue), "full_time")]).astype(object),
        "hired_at": hired,
        "hourly_cost_aud": np.concatenate([cost, np.full(len(tl_queue), wf.team_leader_hourly_cost_aud)]),
    })
    traits = pd.DataFrame({"proficiency": np.concatenate([prof, np.full(total - n_agents, 1.0)]),
                           "quality": np.concatenate([quality, np.full(total - n_agents, 1.0)]),
                           "tenure_days": hired_years * 365.25,
                           "late_mean_min": np.concatenate([late_mean_min, np.full(total - n_agents, 1.0)])})
    return Roster(agents=agents, shifts=shifts, seg_start=seg_start, seg_end=seg_end, seg_agent=seg_agent,
                  agent_ids=arrow(agents["agent_id"]), seg_next=seg_next, seg_speed=seg_speed, traits=traits)
