"""Feedback pages are nbconvert's HTML without its BeautifulSoup re-parse (``helpers.course.feedback``): the
same text, tags and attributes as ``HTMLExporter`` gives, every image with alt text, from one exporter per
thread whatever the notebooks it rendered before."""
from __future__ import annotations

import base64
import copy
import threading

from bs4 import BeautifulSoup
from nbconvert.exporters import HTMLExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from helpers.course import feedback

PNG = base64.b64encode(bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                                     "1f15c4890000000d49444154789c6360000002000100e221bc330000"
                                     "000049454e44ae426082")).decode()


def _notebook(title: str):
    chart = new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure size 640x480>"})
    table = new_output("execute_result", execution_count=2,
                       data={"text/html": "<table><tr><th>queue</th><td>billing</td></tr></table><img src='x.png'>",
                             "text/plain": "queue billing"})
    return new_notebook(cells=[
        new_markdown_cell(f"# {title}\n\n![the service level by hour](chart.png) and <img src=\"raw.png\">"),
        new_code_cell("import matplotlib.pyplot as plt\nplt.plot([1, 2])  # a chart", outputs=[chart],
                      execution_count=1),
        new_code_cell("frame", outputs=[table], execution_count=2),
    ], metadata={"language_info": {"name": "python", "pygments_lexer": "ipython3"}})


def _resources(title: str) -> dict:  # what nbgrader's GetGrades gives the feedback template
    return {"unique_key": title, "nbgrader": {"notebook": title, "score": 3.0, "max_score": 5.0,
                                                     "late_penalty": 0}}


def _shape(html: str):
    soup = BeautifulSoup(html, "html.parser")
    tags = [(t.name, sorted((k, str(v)) for k, v in t.attrs.items() if k != "alt")) for t in soup.find_all(True)]
    return soup.get_text(), tags, [img.get("alt") for img in soup.find_all("img")]


def test_pages_match_nbconverts_and_every_image_has_alt_text():
    config = feedback._exporter().config
    for title in ("Task 4.2", "Task 1.1"):  # the second page comes from the same exporter
        nb = _notebook(title)
        ours = feedback._exporter().from_notebook_node(copy.deepcopy(nb), resources=_resources(title))[0]
        theirs = HTMLExporter(config=config).from_notebook_node(copy.deepcopy(nb), resources=_resources(title))[0]
        text, tags, alts = _shape(ours)
        assert (text, tags) == _shape(theirs)[:2]
        assert title in text and "billing" in text
        assert len(alts) == 4 and all(alts)  # the chart, the table's image, the raw and the markdown image
        assert "the service level by hour" in alts  # an author's alt text is kept
        assert alts.count(feedback.IMAGE_ALT) == 3


def test_alt_text_is_added_only_where_missing():
    html = ('<p><img src="a.png"><IMG SRC="b.png" width=3><img alt="kept" src="c.png"><img\nsrc="d.png">'
            '<img ALT = "x" src="e.png"></p>')
    alts = [img.get("alt") for img in BeautifulSoup(feedback.with_alt_text(html), "html.parser").find_all("img")]
    assert alts == [feedback.IMAGE_ALT, feedback.IMAGE_ALT, "kept", feedback.IMAGE_ALT, "x"]
    assert feedback.with_alt_text("<p>&lt;img src=x&gt; is text</p>") == "<p>&lt;img src=x&gt; is text</p>"


def test_one_exporter_per_thread():
    seen = []
    thread = threading.Thread(target=lambda: seen.append(feedback._exporter()))
    thread.start()
    thread.join()
    assert feedback._exporter() is feedback._exporter()
    assert seen and seen[0] is not feedback._exporter()

