"""``ccw demo``: the README's main job, end to end on this machine."""
from __future__ import annotations

from pathlib import Path

from helpers.paths import project_root


def register(sub) -> None:
    p = sub.add_parser(
        "demo", help="run the whole pipeline once and print where to look",
        description="The README's main job: build the mapping matrix (Markdown, CSV and HTML) from the "
                    "source notebooks' competency tags, and run every later stage that exists, writing "
                    "everything under OUT.")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: demo/ in the project)")
    p.set_defaults(func=run)


def run(args) -> int:
    from helpers import competency

    out = (args.out or project_root() / "demo").resolve()
    out.mkdir(parents=True, exist_ok=True)
    matrix = competency.build_matrix(competency.collect_tags(project_root() / "notebooks"))
    for fmt in ("md", "csv", "html"):
        (out / f"mapping.{fmt}").write_text(competency.render(matrix, fmt), encoding="utf-8")
    covered = len(matrix.rows) - len(matrix.gaps)
    print(f"Mapping matrix: {covered}/{len(matrix.rows)} unit items covered by tasks "
          f"({len(matrix.tags)} tagged cells) -> {out / 'mapping.html'}")
    return 0
