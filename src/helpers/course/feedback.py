"""Feedback HTML for a learner, rendered from the autograded notebook and the gradebook.

nbgrader's GenerateFeedback shows the autograded notebook, which holds the hidden tests that were
put back for grading. Here hidden-test regions are removed from the source and the error output of
any cell that had one is cut to its last line (``AssertionError: <the check's message>``), so no
hidden test code reaches the learner, while the learner still sees why a check failed.
Reads the gradebook only (workers may run this in parallel).
"""
from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import nbformat

BEGIN_HIDDEN, END_HIDDEN = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"


def strip_hidden_tests(nb) -> int:
    """Remove hidden-test regions in place; returns how many cells had one."""
    count = 0
    for cell in nb.cells:
        if BEGIN_HIDDEN not in cell.get("source", ""):
            continue
        kept, hidden = [], False
        for line in cell.source.split("\n"):
            if BEGIN_HIDDEN in line:
                hidden = True
            elif END_HIDDEN in line:
                hidden = False
            elif not hidden:
                kept.append(line)
        cell.source = "\n".join(kept)
        count += 1
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                out["traceback"] = [f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"]
    return count


WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = ("<p><i>An interactive widget was shown here (the KPI dashboard or an explorer). It works in "
               "JupyterLab only; where the workbook saves a static picture of it, the picture follows.</i></p>")
# Feedback pages and formgrader have no JupyterLab table CSS: unpadded headers ran together.
TABLE_CSS = ("<style>.ccw-out table{border-collapse:collapse;margin:4px 0}.ccw-out th,.ccw-out td"
             "{padding:3px 8px;border:1px solid #d0d7de;text-align:left;vertical-align:top}"
             ".ccw-out th{background:#f6f8fa}</style>")


def readable_outputs(nb) -> int:
    """Make saved outputs read well outside JupyterLab, in place; returns how many outputs changed.

    * A widget output (``VBox(children=(HBox(...`` is all a page can show of it, as the widget's
      state is not saved) becomes a short note;
    * an HTML output holding a table gets padded, bordered cells.
    """
    changed = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data")
            if not data:
                continue
            if WIDGET_MIME in data:
                out["data"] = {"text/html": WIDGET_NOTE, "text/plain": "(interactive widget: use it in JupyterLab)"}
                changed += 1
            elif "<table" in str(data.get("text/html", "")) and "ccw-out" not in str(data["text/html"]):
                body = data["text/html"]
                body = "".join(body) if isinstance(body, list) else body
                data["text/html"] = f'{TABLE_CSS}<div class="ccw-out">{body}</div>'
                changed += 1
    return changed


try:
    from nbconvert.preprocessors import Preprocessor as _Preprocessor
except ImportError:  # pragma: no cover - nbconvert ships with nbgrader
    _Preprocessor = object


class ReadableOutputs(_Preprocessor):
    """nbconvert preprocessor running :func:`readable_outputs`; formgrader uses it through
    ``c.HTMLExporter.preprocessors`` in the assessor's config (``helpers.lab.prepare_assessor``)."""

    def preprocess(self, nb, resources):
        readable_outputs(nb)
        return nb, resources


IMAGE_ALT = "An image drawn by the code of this cell (a chart or a picture): the code is shown above it"
_IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\salt\s*=)", re.IGNORECASE)


def with_alt_text(html: str) -> str:
    """Every ``<img>`` of ``html`` that has no ``alt`` gets :data:`IMAGE_ALT` (the template writes images
    without one; a screen reader then has nothing to say). A data URI never holds ``>``, so a tag ends at the
    first one."""
    return _IMG_WITHOUT_ALT.sub(f'<img alt="{IMAGE_ALT}"', html)


def _feedback_exporter_class():
    from nbconvert.exporters import HTMLExporter, TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class FeedbackExporter(HTMLExporter):
        """nbconvert's HTML exporter without its BeautifulSoup pass.

        ``HTMLExporter.from_notebook_node`` parses the finished page again with BeautifulSoup and writes it
        back out, to give images without alt text a default one and to make JupyterLab-template cells
        focusable. Feedback pages use nbgrader's template, built on the classic one (no JupyterLab cells), and
        are a few hundred kB of highlighted code and tables each: that pass was 45 % of their rendering. Here
        the page is the template's output with :func:`with_alt_text` (what the pass did on these pages), and
        the rest of ``from_notebook_node`` is nbconvert's own."""

        def from_notebook_node(self, nb, resources=None, **kw):
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return with_alt_text(html), resources

    return FeedbackExporter


_PER_THREAD = threading.local()


def _exporter():
    """One exporter per thread (a Dask worker may run tasks in threads; a render registers per-page filters):
    making one compiles its Jinja templates, a quarter of a page's rendering."""
    exporter = getattr(_PER_THREAD, "exporter", None)
    if exporter is not None:
        return exporter
    import nbgrader
    from traitlets.config import Config

    base = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader"
    c = Config()
    c.HTMLExporter.template_name = "feedback"
    c.HTMLExporter.extra_template_basedirs = [str(base / "templates")]
    c.HTMLExporter.extra_template_paths = [str(base / "static" / "node_modules" / "bootstrap" / "dist" / "css")]
    _PER_THREAD.exporter = _feedback_exporter_class()(config=c)
    return _PER_THREAD.exporter


def render_feedback(nb, learner: str, assignment: str, notebook: str, db_url: str, exporter=None) -> str:
    """The feedback page of one autograded notebook (scores and comments from the gradebook); ``exporter``
    (default: this thread's :class:`FeedbackExporter`) writes the HTML."""
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import GetGrades

    from helpers.course.gradebook import quiet_nbgrader

    from helpers.course.trusted import strip_assessor_only

    quiet_nbgrader()
    strip_assessor_only(nb)
    strip_hidden_tests(nb)
    readable_outputs(nb)
    resources = {"nbgrader": {"student": learner, "assignment": assignment, "notebook": notebook, "db_url": db_url},
                 "unique_key": notebook}
    nb, resources = GetGrades()(nb, resources)
    nb, resources = CSSHTMLHeaderPreprocessor()(nb, resources)
    html, _ = (exporter or _exporter()).from_notebook_node(nb, resources=resources)
    return html


def feedback_task(task: dict) -> dict:
    """Render every notebook of one learner's assignment; returns {"html": {notebook: html}, ...}."""
    from helpers.course.config import ensure_interpreter_on_path

    ensure_interpreter_on_path()
    pages, errors = {}, {}
    for notebook in task["notebooks"]:
        path = os.path.join(task["autograded_dir"], f"{notebook}.ipynb")
        try:
            nb = nbformat.read(path, as_version=4)
            pages[notebook] = render_feedback(nb, task["learner"], task["assignment"], notebook, task["db_url"])
        except Exception as exc:  # one broken page must not stop everyone's feedback
            errors[notebook] = f"{exc.__class__.__name__}: {exc}"
    return {"learner": task["learner"], "assignment": task["assignment"], "html": pages, "errors": errors}


def write_exchange_files(submitted: Path, autograded: Path, folder: Path) -> None:
    """Put beside the feedback pages in ``folder`` (``feedback/<learner>/<UNIT>/``) what nbgrader's
    exchange needs to release them (formgrader's *Release Feedback*, ``ccw feedback release``):

    * ``timestamp.txt``: when the graded submission was made (UTC, nbgrader's format), from
      ``submitted/`` (or ``autograded/``, where ``ccw grade`` copies it);
    * ``submission_secret.txt``: the random secret nbgrader's Submit wrote with that submission. The
      released page is named by a hash of it and the notebook, which is how only the learner who
      submitted (their exchange cache holds the same secret) can fetch it.

    A submission that did not come through the exchange (``ccw grade --submissions DIR``) has
    neither; it gets the grading time and a fresh secret, so releasing the cohort's feedback never
    fails on it, but that learner has nothing in the exchange to fetch with: hand them the page.
    """
    import secrets
    import shutil
    from datetime import datetime, timezone

    for name in ("timestamp.txt", "submission_secret.txt"):
        source = next((d / name for d in (submitted, autograded) if (d / name).is_file()), None)
        if source is not None:
            shutil.copyfile(source, folder / name)
        elif not (folder / name).is_file():
            value = (datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f %Z") if name == "timestamp.txt"
                     else secrets.token_hex(64))
            (folder / name).write_text(value, encoding="utf-8")
