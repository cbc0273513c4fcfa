"""The learner declaration: the released form, what counts as signed, and how it travels with a submission."""
from __future__ import annotations

import datetime as dt
import zipfile

import pytest

from helpers.course import declaration
from helpers.course.submissions import import_submissions

SIGNED = declaration.signed_form("A", "Sam Citizen", "s1234", dt.date(2026, 3, 2))


def test_signed_form_counts_and_names_who_and_when():
    found = declaration.parse(SIGNED, "s1234", "A")
    assert found.signed and found.reason == "learner declaration signed by Sam Citizen on 02/03/2026 (A/declaration.md)"
    assert declaration.parse(SIGNED, "S1234", "A").signed  # ids are compared without case


@pytest.mark.parametrize("text, why", [
    (declaration.form("A"), "the own-work box is not ticked"),
    (SIGNED.replace("- [x]", "- [ ]"), "the own-work box is not ticked"),
    (SIGNED.replace("Sam Citizen", ""), "Name left empty"),
    (SIGNED.replace("02/03/2026", "soon"), "is not a date"),
    (SIGNED.replace("own work", "work"), "statement is missing or was changed"),
    ("", "statement is missing or was changed"),
])
def test_unsigned_or_altered_forms_do_not_count(text, why):
    found = declaration.parse(text, "s1234", "A")
    assert not found.signed and why in found.reason


def test_someone_elses_declaration_does_not_count():
    found = declaration.parse(SIGNED, "s9999", "A")
    assert not found.signed and "names learner id 's1234', not s9999" in found.reason


def test_missing_large_or_binary_files_do_not_count(tmp_path):
    assert "no learner declaration submitted" in declaration.read_declaration(tmp_path, "s1234", "A").reason
    (tmp_path / declaration.FILE).write_bytes(b"x" * (declaration.MAX_BYTES + 1))
    assert "larger than" in declaration.read_declaration(tmp_path, "s1234", "A").reason
    (tmp_path / declaration.FILE).write_bytes(SIGNED.encode() + b"\x00")
    assert "not plain text" in declaration.read_declaration(tmp_path, "s1234", "A").reason
    (tmp_path / declaration.FILE).write_text(SIGNED, encoding="utf-8")
    assert declaration.read_declaration(tmp_path, "s1234", "A").signed


def _release(tmp_path):
    release = tmp_path / "release" / "A"
    release.mkdir(parents=True)
    (release / "01.ipynb").write_text("{}")
    declaration.write_form(release, "A")
    return release


def test_submission_import_keeps_the_declaration_as_plain_text_only(tmp_path):
    release = _release(tmp_path)
    assert "- [ ] I declare" in (release / declaration.FILE).read_text()
    source = tmp_path / "in"
    for learner, data in (("s1", SIGNED.replace("s1234", "s1").encode()), ("s2", b"\xff\xfe binary"),
                          ("s3", b"x" * (declaration.MAX_BYTES + 1))):
        (source / learner / "A").mkdir(parents=True)
        (source / learner / "A" / "01.ipynb").write_text("{}")
        (source / learner / "A" / declaration.FILE).write_bytes(data)
    with zipfile.ZipFile(source / "s4.zip", "w") as archive:  # a zip with the notebook and form at its top
        archive.writestr("01.ipynb", "{}")
        archive.writestr(declaration.FILE, SIGNED.replace("s1234", "s4"))
    submitted = tmp_path / "submitted"
    result = import_submissions(source, submitted, tmp_path / "release")
    assert sorted(result.learners) == ["s1", "s2", "s3", "s4"] and not result.refused
    assert declaration.read_declaration(submitted / "s1" / "A", "s1", "A").signed
    assert declaration.read_declaration(submitted / "s4" / "A", "s4", "A").signed
    for learner in ("s2", "s3"):  # dropped with a note; the notebooks are still graded
        assert not (submitted / learner / "A" / declaration.FILE).exists()
        assert (submitted / learner / "A" / "01.ipynb").exists()
        assert any("declaration.md was not kept" in note for note in result.renamed[learner])
