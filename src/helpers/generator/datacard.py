"""Regenerating datasets for a cohort, and the data card a trainer reads after each run.

``casestudies/regenerate.ipynb`` (run by ``ccw regenerate`` through papermill) is a thin shell over
``regenerate_all`` and the data-card functions here: row counts, intraday arrivals by queue,
handle-time distribution, service level and abandonment by day, the KPIs against the case
study's targets (``helpers.kpi``; service level per the case study's pinned variant and threshold),
the realism figures (``realism_card``: what a statistician would check, next to what the story
and the literature say; see ``helpers.generator.realism``), and the channels (``channels_card``:
volumes, service levels against each channel's target, IVR containment, chat concurrency;
``mis_reconciliation``: counts of the same contacts in two systems per day, where measurement faults show).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from helpers import paths
from helpers.casestudy import load_case_study
from helpers.generator.core import generate
from helpers.generator.dataset import Dataset
from helpers.generator.io import write_dataset
from helpers.learners import check_learner_id
from helpers.variants import learner_seed, read_secret

PRACTICE = paths.GRADER_PRACTICE
GRADER_FILES = ("manifest.json", "defects.parquet", "measurement_faults.parquet")  # all a grader folder holds


def default_out(slug: str) -> Path:
    """The case study's data folder, ``datasets/<slug>`` (``helpers.paths.case_study_data``): it holds
    ``practice/``, ``learners/<id>/`` and ``records/``, and is never written as a whole."""
    return paths.case_study_data(slug)


def default_grader_out(slug: str) -> Path:
    """The grader manifests of the case study, ``<course root>/manifests/<slug>`` (where ``ccw_grader``
    reads them; the course root is ``helpers.course.config.default_course_root``)."""
    from helpers.course.config import default_course_root
    return paths.grader_manifests(slug, default_course_root())


def _check_grader_target(folder: Path) -> None:
    """Refuse to replace a grader-manifest folder holding anything but what ``write_dataset`` puts there."""
    from helpers.errors import UserFacingError
    if folder.is_dir():
        others = sorted(p.name for p in folder.iterdir() if p.name not in GRADER_FILES)
        if others:
            raise UserFacingError(f"{folder} holds more than a grader manifest ({', '.join(others[:5])}): writing "
                                  "there would delete it; move those elsewhere or choose another --grader-out")


def _kept(learner: str, folder: Path, gpath: Path) -> dict:
    """The record of a learner whose existing dataset is kept (read from its manifest, nothing written)."""
    import json
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    rows = {name: t.get("rows") for name, t in (manifest.get("tables") or {}).items()}
    return {"learner": learner, "status": "kept", "seed": manifest.get("seed"), "path": str(folder),
            "grader_path": str(gpath), "calls": rows.get("calls"), "customers": rows.get("customers"),
            "defects": None}


def regenerate_all(case_study: str, seed: int, learners: list[str], secret_file: str | Path,
                   out: str | Path | None = None, fmt: str = "parquet", days: int | None = None,
                   grader_out: str | Path | None = None, progress=None, replace=()) -> list[dict]:
    """Write the practice dataset (no learners), or the dataset of every learner who has none yet.

    ``out`` is the case study's data folder (default ``datasets/<slug>``), laid out by ``helpers.paths``:
    the practice dataset (``seed``) goes to ``OUT/practice/``, learner ``L``'s (seed
    ``learner_seed(secret, L)``) to ``OUT/learners/L/``; grader manifests to ``GRADER_OUT/_practice`` or
    ``GRADER_OUT/L`` (default ``autograde/manifests/<slug>``).

    Nothing this run did not make is overwritten or deleted: a learner who already has a dataset keeps it,
    with its grader manifest (record ``status`` "kept"), unless named in ``replace`` (``"all"`` names
    everyone); a folder about to be replaced must hold nothing but a dataset (``helpers.paths.
    check_dataset_target``) or a grader manifest, else ``UserFacingError`` before anything is written.
    Every learner id must follow ``helpers.learners``' rule.
    """
    from helpers.errors import UserFacingError

    cs = load_case_study(case_study)
    root = paths.case_study_data(cs.slug, Path(out) if out else None)
    grader_out = Path(grader_out) if grader_out else default_grader_out(cs.slug)
    learners = [check_learner_id(str(x).strip(), f"learner {n}") for n, x in enumerate(learners or [], start=1)]
    dupes = sorted({x for x in learners if learners.count(x) > 1})
    if dupes:
        raise UserFacingError(f"learners listed more than once: {', '.join(dupes)}")
    replace = [replace] if isinstance(replace, str) else list(replace or ())
    replace_all = "all" in replace
    replace = {check_learner_id(str(x).strip(), "replace") for x in replace if x != "all"}
    not_listed = sorted(replace - set(learners))
    if not_listed:
        raise UserFacingError(f"replace names learners who are not among the learners: {', '.join(not_listed)}")
    records, jobs = [], []
    if not learners:
        jobs.append((None, seed, paths.practice_dataset(cs.slug, root), grader_out / PRACTICE))
    for x in learners:
        folder, gpath = paths.learner_dataset(x, cs.slug, root), grader_out / x
        if (folder / "manifest.json").is_file() and not (replace_all or x in replace):
            records.append(_kept(x, folder, gpath))
        else:
            jobs.append((x, None, folder, gpath))
    for _, _, folder, gpath in jobs:  # every target checked before the first dataset is written
        paths.check_dataset_target(folder, replace=True)
        _check_grader_target(gpath)
    secret = read_secret(secret_file, create=True) if any(x for x, *_ in jobs) else None
    for learner, s, path, gpath in jobs:
        s = s if learner is None else learner_seed(secret, learner)
        ds = generate(cs, seed=s, learner=learner, days=days)
        write_dataset(ds, path, fmt=fmt, grader_dir=gpath)
        records.append({"learner": learner or PRACTICE, "status": "written", "seed": s, "path": str(path),
                        "grader_path": str(gpath), "calls": len(ds.calls), "customers": len(ds.customers),
                        "defects": len(ds.defects)})
        if progress:
            progress(learner or PRACTICE)
    order = {x: n for n, x in enumerate(learners)}
    return sorted(records, key=lambda r: order.get(r["learner"], -1))


def records_frame(records: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(records, columns=["learner", "status", "seed", "path", "grader_path", "calls", "customers",
                                          "defects"])


def first_written(records: list[dict]) -> dict:
    """The record the data card describes: the first dataset this run wrote (else the first kept one)."""
    return next((r for r in records if r.get("status") == "written"), records[0])


def row_counts(ds: Dataset) -> pd.DataFrame:
    return pd.DataFrame({"table": list(ds.tables), "rows": [len(t) for t in ds.tables.values()]})


def offered(calls: pd.DataFrame) -> pd.DataFrame:
    """Calls offered to a queue: lost calls (rejected while telephony/IVR was down) excluded."""
    return calls[calls["outcome"] != "lost"]


def intraday_arrivals(calls: pd.DataFrame) -> pd.DataFrame:
    """Mean calls arriving per half hour of the day on weekdays, one column per queue."""
    c = calls[calls["arrived_at"].dt.day_of_week < 5]
    n_days = max(c["arrived_at"].dt.normalize().nunique(), 1)
    slot = c["arrived_at"].dt.strftime("%H:") + np.where(c["arrived_at"].dt.minute < 30, "00", "30")
    return (c.groupby([slot, c["queue"]]).size().unstack(fill_value=0) / n_days).rename_axis("interval")


def handle_times(calls: pd.DataFrame) -> pd.DataFrame:
    """Handle time (talk + hold + wrap, seconds) of answered calls: mean, median, P90 by queue."""
    a = calls[calls["answered_at"].notna()]
    h = (a["talk_s"] + a["hold_s"] + a["wrap_s"]).groupby(a["queue"])
    return pd.DataFrame({"calls": h.size(), "mean_s": h.mean().round(1), "median_s": h.median(),
                         "p90_s": h.quantile(0.9).round(1)})


def _service_level(calls: pd.DataFrame, threshold_s: float, variant: str, by=None):
    try:
        from helpers import kpi
        return kpi.service_level(calls, threshold_s=threshold_s, variant=variant, by=by)
    except ImportError:  # pragma: no cover - kpi ships with the package; kept for partial installs
        a = calls[calls["answered_at"].notna()]
        ok = a["wait_s"] <= threshold_s
        return ok.groupby(by(a) if callable(by) else a[by]).mean() if by is not None else ok.mean()


def daily_service(calls: pd.DataFrame, threshold_s: float = 20, variant: str = "abandons_ignored") -> pd.DataFrame:
    """Per day: calls offered (lost excluded), service level (pinned variant), abandonment, lost calls."""
    from helpers import kpi
    day = calls["arrived_at"].dt.normalize().rename("day")
    off = offered(calls)
    return pd.DataFrame({
        "offered": off.groupby(day.loc[off.index]).size(),
        "service_level": kpi.service_level(calls, threshold_s=threshold_s, variant=variant, by="day"),
        "abandonment_rate": kpi.abandonment_rate(calls, by="day"),
        "lost": (calls["outcome"] == "lost").groupby(day).sum(),
    }).fillna({"lost": 0})


def kpis_against_targets(ds: Dataset) -> pd.DataFrame:
    """Every KPI with a case-study target: actual, target, gap and status (``helpers.kpi.kpi_table``)."""
    from helpers import kpi
    cs = ds.case_study
    sl = cs.targets["service_level"]
    actuals = kpi.compute_kpis(ds.tables, threshold_s=sl.threshold_s, sl_variant=sl.variant)
    targets = {k: v.model_dump(exclude_none=True) for k, v in cs.targets.items() if k in actuals}
    return kpi.kpi_table(actuals, targets)


def realism_card(ds: Dataset) -> pd.DataFrame:
    """Realism figures of a dataset (``helpers.generator.realism.realism_figures``): agents never on two
    calls, the first opening hour, callbacks after abandoning, short calls, holidays, the roster against
    an Erlang C plan, the share of customers calling, complaint rates, the CSAT shape, agents who differ
    and complaint handling against the policy."""
    from helpers.generator.realism import realism_figures
    return realism_figures(ds)


def channels_card(ds: Dataset) -> pd.DataFrame:
    """One row per channel (from ``journeys`` and the case study's channel targets): contacts, volume
    against voice, the channel's service level against its target, abandonment; IVR containment and the
    chat agents' peak concurrency. Learner-visible tables only."""
    cs = ds.case_study
    ch = cs.channels
    j = ds.journeys
    if ch is None or j.empty:
        return pd.DataFrame(columns=["channel", "contacts", "per_voice_call", "measure", "actual", "target"])
    voice = len(ds.calls)
    wait = (j["answered_at"] - j["started_at"]).dt.total_seconds()
    span = (j["ended_at"] - j["started_at"]).dt.total_seconds()
    rows = []
    ivr = j["channel"] == "ivr"
    rows.append(("ivr", int(ivr.sum()), "containment (self-service completed / IVR sessions)",
                 float((j.loc[ivr, "outcome"] == "self_service_completed").mean()), "10-30% (utilities)"))
    rows.append(("ivr", int(ivr.sum()), "hang-ups in the menu", float((j.loc[ivr, "outcome"] == "abandoned_in_ivr").mean()),
                 ""))
    q = j["step"] == "queue_call"
    sl = cs.targets["service_level"]
    rows.append(("voice", int(q.sum()), f"answered within {sl.threshold_s} s (answered calls)",
                 float((wait[q & j["answered_at"].notna()] <= sl.threshold_s).mean()), sl.target))
    if ch.chat is not None:
        c = j["channel"] == "chat"
        rows.append(("chat", int(c.sum()), f"answered within {ch.chat.target_s} s (chats offered)",
                     float(((wait[c] <= ch.chat.target_s) & j.loc[c, "answered_at"].notna()).mean()), ch.chat.target_share))
        rows.append(("chat", int(c.sum()), "abandoned", float(j.loc[c, "answered_at"].isna().mean()), ""))
        a = j[c & j["answered_at"].notna()]
        if len(a):
            times = np.concatenate([a["answered_at"].to_numpy(), a["ended_at"].to_numpy()])
            step = np.concatenate([np.ones(len(a)), -np.ones(len(a))])
            step = step[np.lexsort((step, times))]  # a chat ending frees its slot before the next starts
            peak = float(np.cumsum(step).max()) / max(ch.chat.agents.get("weekday", 1), 1)
            rows.append(("chat", int(c.sum()), "peak chats in progress per weekday chat agent", peak,
                         f"at most {ch.chat.concurrency} (2-3 typical)"))
    if ch.email is not None:
        e = j["channel"] == "email"
        rows.append(("email", int(e.sum()), f"replied within {ch.email.target_hours:g} h (e-mails received)",
                     float((span[e] <= ch.email.target_hours * 3600).mean()), ch.email.target_share))
    cb = j["channel"] == "callback"
    rows.append(("callback", int(cb.sum()), "customer answered", float(j.loc[cb, "answered_at"].notna().mean()), ""))
    out = pd.DataFrame(rows, columns=["channel", "contacts", "measure", "actual", "target"])
    out.insert(2, "per_voice_call", (out["contacts"] / max(voice, 1)).round(3))
    return out


def mis_reconciliation(ds: Dataset) -> pd.DataFrame:
    """Counts of the same things in two systems, per day (learner-visible tables only): calls offered in
    the call records against the ACD's offered records, answered contacts against CRM wrap codes, wrap
    codes left empty, and the median gap between the IVR's transfer time and the ACD's offered time
    (non-zero on days a clock was off). Where they disagree the MIS has a measurement fault."""
    e, j, calls = ds.mis_events, ds.journeys, ds.calls
    if e.empty:
        return pd.DataFrame()
    day = lambda t: t.dt.normalize().rename("day")  # noqa: E731
    off = calls[calls["outcome"] != "lost"]
    acd = e[e["event"] == "call_offered"]
    wraps = e[e["event"] == "wrap_code"]
    handled = j[j["answered_at"].notna() & j["ended_at"].notna()]
    ivr = e[(e["event"] == "ivr_session") & e["call_id"].notna()]
    gap = ivr[["call_id", "recorded_at", "duration_s"]].merge(acd.drop_duplicates("call_id")[["call_id", "recorded_at"]],
                                                              on="call_id", suffixes=("_ivr", "_acd"))
    g = ((gap["recorded_at_ivr"] + pd.to_timedelta(gap["duration_s"], unit="s")) - gap["recorded_at_acd"]).dt.total_seconds()
    return pd.DataFrame({
        "calls_offered": off.groupby(day(off["arrived_at"])).size(),
        "acd_offered": acd.groupby(day(acd["recorded_at"])).size(),
        "contacts_handled": handled.groupby(day(handled["ended_at"])).size(),
        "crm_wrap_codes": wraps.groupby(day(wraps["recorded_at"])).size(),
        "wrap_codes_empty": wraps["value"].isna().groupby(day(wraps["recorded_at"])).sum(),
        "ivr_minus_acd_clock_s": g.groupby(day(gap["recorded_at_acd"])).median(),
    }).fillna(0)


def plot_card(ds: Dataset):
    """Four panels: intraday arrivals, handle-time histogram, daily service level and abandonment."""
    import matplotlib.pyplot as plt
    cs = ds.case_study
    sl = cs.targets["service_level"]
    fig, ax = plt.subplots(2, 2, figsize=(13, 8))
    intraday_arrivals(ds.calls).plot(ax=ax[0, 0], title="Weekday arrivals per half hour (mean)")
    a = ds.calls[ds.calls["answered_at"].notna()]
    handle = (a["talk_s"] + a["hold_s"] + a["wrap_s"])
    handle = handle[(handle > 0) & (handle < 86_400)]
    ax[0, 1].hist(np.log10(handle), bins=60)
    ax[0, 1].set(title="Handle time (log10 seconds): close to lognormal", xlabel="log10(handle s)")
    daily = daily_service(ds.calls, sl.threshold_s, sl.variant)
    daily["service_level"].plot(ax=ax[1, 0], marker="o", title=f"Service level by day ({sl.variant}, {sl.threshold_s} s)")
    ax[1, 0].axhline(sl.target, color="grey", ls="--")
    daily["abandonment_rate"].plot(ax=ax[1, 1], marker="o", color="C3", title="Abandonment rate by day")
    if "abandonment_rate" in cs.targets:
        ax[1, 1].axhline(cs.targets["abandonment_rate"].target, color="grey", ls="--")
    fig.tight_layout()
    return fig
