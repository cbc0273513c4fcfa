"""Explorers for managers (ipywidgets 8): a KPI dashboard by queue and week, and an Erlang C staffing explorer.

Each explorer is a ``Widget`` you display in JupyterLab, plus a static matplotlib figure of its
current state (``.figure()``), which the workbooks also display so that saved notebooks, feedback
HTML and the assessor guide keep a readable picture where no widget can run.
Service level here follows ``helpers.kpi`` (answered within ``threshold_s`` seconds over answered
calls, abandons ignored, unless ``variant`` says otherwise); lost calls are never counted.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from helpers import kpi, staffing

ALL = "All queues"


def _daily(calls: pd.DataFrame, threshold_s: float) -> pd.DataFrame:
    return pd.DataFrame({
        "service_level": kpi.service_level(calls, threshold_s=threshold_s, by="day"),
        "abandonment_rate": kpi.abandonment_rate(calls, by="day"),
        "offered": calls[calls["outcome"] != "lost"].groupby(calls["arrived_at"].dt.normalize()).size(),
    })


class KPIDashboard:
    """Service level, abandonment and volume by day for one queue and week of ``calls``.

    ``targets`` are the case study's targets ({kpi: {"target": ...}}) drawn as dashed lines.
    """

    def __init__(self, calls: pd.DataFrame, targets: dict | None = None, threshold_s: float = 20):
        import ipywidgets as w

        self.calls, self.targets, self.threshold_s = calls, targets or {}, threshold_s
        weeks = sorted(calls["arrived_at"].dt.to_period("W-SUN").astype(str).unique())
        self.queue = w.Dropdown(options=[ALL, *sorted(calls["queue"].unique())], value=ALL, description="Queue")
        self.week = w.Dropdown(options=["All weeks", *weeks], value="All weeks", description="Week")
        self.output = w.Output()
        self.table = w.HTML()
        self.queue.observe(self._refresh, names="value")
        self.week.observe(self._refresh, names="value")
        self.widget = w.VBox([w.HBox([self.queue, self.week]), self.output, self.table])
        self.widget.add_class("ccw-kpi-dashboard")
        self._refresh()

    def selection(self) -> pd.DataFrame:
        calls = self.calls
        if self.queue.value != ALL:
            calls = calls[calls["queue"] == self.queue.value]
        if self.week.value != "All weeks":
            calls = calls[calls["arrived_at"].dt.to_period("W-SUN").astype(str) == self.week.value]
        return calls

    def figure(self):
        """The current selection as a static matplotlib figure (service level, abandonment, volume)."""
        calls = self.selection()
        daily = _daily(calls, self.threshold_s)
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.4))
        ax1.plot(daily.index, daily["service_level"] * 100, marker="o", label="service level")
        ax1.plot(daily.index, daily["abandonment_rate"] * 100, marker=".", label="abandonment")
        for key, style in (("service_level", "C0"), ("abandonment_rate", "C1")):
            if key in self.targets:
                ax1.axhline(self.targets[key]["target"] * 100, color=style, ls="--", lw=1)
        ax1.set_ylabel("% of calls")
        ax1.set_title(f"{self.queue.value} · {self.week.value}: service level ({self.threshold_s:g} s) and abandonment")
        ax1.legend(loc="lower left", fontsize=8)
        ax2.bar(daily.index, daily["offered"], color="C2")
        ax2.set_title("Calls offered per day")
        fig.autofmt_xdate()
        fig.tight_layout()
        return fig

    def summary(self) -> pd.DataFrame:
        calls = self.selection()
        return pd.DataFrame({"value": {
            "calls offered": float((calls["outcome"] != "lost").sum()),
            f"service level ({self.threshold_s:g} s)": kpi.service_level(calls, threshold_s=self.threshold_s),
            "abandonment rate": kpi.abandonment_rate(calls),
            "ASA (s)": kpi.asa(calls),
            "AHT (s)": kpi.aht(calls),
        }})

    def summary_text(self) -> pd.Series:
        """The summary formatted for people: counts as integers, rates as percentages, times in seconds."""
        v = self.summary()["value"]
        fmt = {"calls offered": "{:,.0f}", "ASA (s)": "{:,.1f} s", "AHT (s)": "{:,.0f} s"}
        return pd.Series({k: fmt.get(k, "{:.1%}").format(x) for k, x in v.items()}, name="value")

    def _refresh(self, *_):
        from IPython.display import display
        self.output.clear_output(wait=True)
        with self.output:
            fig = self.figure()
            display(fig)
            plt.close(fig)
        self.table.value = self.summary_text().to_frame().to_html(header=False)

    def _ipython_display_(self):
        from IPython.display import display
        display(self.widget)


class StaffingExplorer:
    """Erlang C: service level, ASA and occupancy for a traffic load, AHT, target time and agents."""

    def __init__(self, traffic_erlangs: float = 10.0, aht_s: float = 180.0, target_s: float = 20.0,
                 agents: int = 14, target_sl: float = 0.8):
        import ipywidgets as w

        self.target_sl = target_sl
        self.traffic = w.FloatSlider(value=traffic_erlangs, min=0.5, max=max(60.0, traffic_erlangs * 2), step=0.5,
                                     description="Traffic (Erl)")
        self.aht = w.IntSlider(value=int(aht_s), min=30, max=900, step=10, description="AHT (s)")
        self.target = w.IntSlider(value=int(target_s), min=5, max=120, step=5, description="Target (s)")
        self.agents = w.IntSlider(value=int(agents), min=1, max=int(max(80, traffic_erlangs * 3)), description="Agents")
        self.result = w.HTML()
        self.output = w.Output()
        for s in (self.traffic, self.aht, self.target, self.agents):
            s.observe(self._refresh, names="value")
        self.widget = w.VBox([w.HBox([self.traffic, self.aht]), w.HBox([self.target, self.agents]),
                              self.result, self.output])
        self.widget.add_class("ccw-staffing-explorer")
        self._refresh()

    def values(self) -> dict:
        a, n, h, t = self.traffic.value, self.agents.value, float(self.aht.value), float(self.target.value)
        return {"agents": n, "service_level": float(staffing.service_level(a, n, h, t)),
                "asa_s": float(staffing.asa(a, n, h)), "occupancy": float(staffing.occupancy(a, n))}

    def figure(self):
        """Service level against the number of agents, with the current choice and the target marked."""
        a, h, t = self.traffic.value, float(self.aht.value), float(self.target.value)
        ns = np.arange(max(1, int(a) - 2), int(a) + 25)
        sl = [float(staffing.service_level(a, int(n), h, t)) * 100 for n in ns]
        fig, ax = plt.subplots(figsize=(7, 3.2))
        ax.plot(ns, sl, marker=".")
        ax.axhline(self.target_sl * 100, ls="--", color="grey", lw=1, label=f"target {self.target_sl:.0%}")
        ax.axvline(self.agents.value, color="C3", lw=1, label=f"{self.agents.value} agents")
        ax.set_xlabel("agents on the phones")
        ax.set_ylabel(f"% answered within {t:g} s")
        ax.set_title(f"Erlang C: {a:g} Erlangs, AHT {h:g} s")
        ax.legend(fontsize=8)
        fig.tight_layout()
        return fig

    def _refresh(self, *_):
        from IPython.display import display
        v = self.values()
        self.result.value = (f"<b>{v['agents']} agents</b>: service level {v['service_level']:.1%} "
                             f"in {self.target.value} s · ASA {v['asa_s']:.1f} s · occupancy {v['occupancy']:.1%}")
        self.output.clear_output(wait=True)
        with self.output:
            fig = self.figure()
            display(fig)
            plt.close(fig)

    def _ipython_display_(self):
        from IPython.display import display
        display(self.widget)
