"""The assessor's HTML report: summary, plots (matplotlib, embedded PNG) and per-learner detail."""
from __future__ import annotations

import base64
import html
import io

import pandas as pd

from helpers.outcomes.report import AWAITING, COMPETENT, DECLARATION_ROW, NOT_YET, SATISFACTORY, UNIT_ROW

COLOURS = {SATISFACTORY: "#2e7d32", NOT_YET: "#c62828", AWAITING: "#f9a825", COMPETENT: "#2e7d32"}
HEATMAP_MAX_LEARNERS = 80  # beyond this the per-learner heatmap is unreadable; counts still shown


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return f"<img alt='plot' src='data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}'>"


def outcome_counts_plot(items: pd.DataFrame, unit: str) -> str:
    """Stacked bars: how many learners are S / NYS / awaiting on each item of ``unit``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = items[items["unit"] == unit]
    order = list(dict.fromkeys(rows["criterion"]))
    counts = pd.crosstab(rows["criterion"], rows["outcome"]).reindex(order).fillna(0)
    fig, ax = plt.subplots(figsize=(max(6, 0.28 * len(order) + 2), 3.2))
    bottom = pd.Series(0.0, index=counts.index)
    for outcome in (SATISFACTORY, AWAITING, NOT_YET):
        values = counts[outcome] if outcome in counts else pd.Series(0.0, index=counts.index)
        ax.bar(range(len(order)), values, bottom=bottom, color=COLOURS[outcome], label=outcome)
        bottom = bottom + values
    ax.set_xticks(range(len(order)), order, rotation=90, fontsize=8)
    ax.set_ylabel("learners")
    ax.set_title(f"{unit}: outcome per criterion and evidence item")
    ax.legend(fontsize=8, ncols=3, loc="upper center", bbox_to_anchor=(0.5, -0.3))
    return _png(fig)


def heatmap_plot(items: pd.DataFrame, unit: str) -> str:
    """Learners x items coloured by outcome (small cohorts only)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    rows = items[items["unit"] == unit]
    learners = sorted(rows["learner"].unique())
    if len(learners) > HEATMAP_MAX_LEARNERS:
        return f"<p>({len(learners)} learners: heatmap omitted; see the counts above and the CSV.)</p>"
    order = list(dict.fromkeys(rows["criterion"]))
    code = {NOT_YET: 0, AWAITING: 1, SATISFACTORY: 2}
    grid = rows.pivot(index="learner", columns="criterion", values="outcome").reindex(index=learners, columns=order)
    fig, ax = plt.subplots(figsize=(max(6, 0.28 * len(order) + 2), 0.32 * len(learners) + 1.2))
    ax.imshow(grid.apply(lambda col: col.map(code)).astype(float).to_numpy(), aspect="auto", vmin=0, vmax=2,
              cmap=ListedColormap([COLOURS[NOT_YET], COLOURS[AWAITING], COLOURS[SATISFACTORY]]))
    ax.set_xticks(range(len(order)), order, rotation=90, fontsize=8)
    ax.set_yticks(range(len(learners)), learners, fontsize=8)
    ax.set_title(f"{unit}: each learner's outcome per item")
    return _png(fig)


def score_plot(grades: pd.DataFrame) -> str:
    """Histogram of each learner's total score (% of points) per assignment."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    totals = grades.groupby(["assignment", "learner"])[["score", "max_score"]].sum()
    pct = (100 * totals["score"] / totals["max_score"]).rename("pct").reset_index()
    fig, ax = plt.subplots(figsize=(6, 3))
    for assignment, part in pct.groupby("assignment"):
        ax.hist(part["pct"], bins=range(0, 105, 5), alpha=0.7, label=assignment)
    ax.set_xlabel("score (% of the assignment's points, manual marks included)")
    ax.set_ylabel("learners")
    ax.legend(fontsize=8)
    return _png(fig)


def unit_status_html(codes) -> str:
    """Each unit's status, release and supersession/equivalence, quoted from its text (or "not stated")."""
    from helpers.curriculum import load_unit

    esc = html.escape
    rows = "".join(f"<tr><td>{esc(code)}</td><td>{esc(r['field'])}</td><td>{esc(r['statement'])}</td><td>"
                   + (f"<q>{esc(r['quote'])}</q> ({esc(r['source'])})" if r["quote"] else "(not stated)") + "</td></tr>"
                   for code in codes for r in load_unit(code).status_rows())
    return ("<h2>Unit status and equivalence (quoted from the unit texts)</h2><table><tr><th>unit</th><th>field</th>"
            f"<th>statement</th><th>quoted from the unit text</th></tr>{rows}</table>")


def _cell(outcome: str) -> str:
    colour = COLOURS.get(outcome, "#555")
    return f"<td style='color:{colour};font-weight:bold'>{html.escape(outcome)}</td>"


def render_report(frame: pd.DataFrame, grades: pd.DataFrame, title: str = "Competency report") -> str:
    """The whole report as one self-contained HTML page."""
    esc = html.escape
    units = frame[frame["criterion"] == UNIT_ROW]
    items = frame[frame["criterion"] != UNIT_ROW]
    parts = [f"<!doctype html><meta charset='utf-8'><title>{esc(title)}</title><style>body{{font-family:sans-serif;"
             "max-width:1100px;margin:auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 6px;"
             "vertical-align:top;font-size:90%}</style>", f"<h1>{esc(title)}</h1>",
             "<p>Threshold: a tagged cell earns its evidence only with full marks (fixed). AC items describing "
             "the assessor or the environment are decided by the RTO's records (see each item's evidence).</p>"]
    unsigned = items[(items["criterion"] == DECLARATION_ROW) & (items["outcome"] != SATISFACTORY)]
    if len(unsigned):  # results do not count until the learner has signed the declaration
        parts.append("<h2>Learner declarations missing or unsigned</h2><p>These units are Not Yet Competent until "
                     "the learner signs the declaration (own work, date) and submits it:</p><ul>"
                     + "".join(f"<li>{esc(lr)} ({esc(', '.join(part['unit']))}): {esc(why)}</li>"
                               for (lr, why), part in unsigned.groupby(["learner", "evidence"], sort=True))
                     + "</ul>")
    summary = units.pivot(index="learner", columns="unit", values="outcome").fillna("")
    parts.append("<h2>Units</h2><table><tr><th>learner</th>" + "".join(f"<th>{esc(u)}</th>" for u in summary.columns)
                 + "</tr>" + "".join(f"<tr><td>{esc(lr)}</td>" + "".join(_cell(v) for v in row) + "</tr>"
                                     for lr, row in summary.iterrows()) + "</table>")
    parts.append(unit_status_html(sorted(frame["unit"].unique())))
    if not grades.empty:
        parts.append("<h2>Scores</h2>" + score_plot(grades))
    for unit in sorted(items["unit"].unique()):
        parts.append(f"<h2>{esc(unit)}</h2>" + outcome_counts_plot(items, unit) + heatmap_plot(items, unit))
    parts.append("<h2>Learners</h2>")
    for learner, rows in frame.groupby("learner", sort=True):
        body = "".join(f"<tr><td>{esc(r.unit)}</td><td>{esc(r.criterion)}</td>{_cell(r.outcome)}"
                       f"<td>{esc(r.evidence)}</td></tr>" for r in rows.itertuples())
        parts.append(f"<details><summary>{esc(learner)}</summary><table><tr><th>unit</th><th>criterion</th>"
                     f"<th>outcome</th><th>evidence</th></tr>{body}</table></details>")
    return "\n".join(parts) + "\n"
