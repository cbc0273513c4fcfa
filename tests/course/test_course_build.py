"""``ccw course build``: source checks, reference-solution check, student release, leak check."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from course_support import ASSIGNMENT, NOTEBOOKS, SECRET, cells_by_id, new_course

from helpers.cli import main
from helpers.demo import sample
from helpers.course.build import BuildError, build_course
from helpers.course.config import DEFAULT_CONFIG, load_course
from helpers.course.gradebook import open_gradebook
from helpers.course.notebooks import grader_only_lines, leaked_lines, notebook_text
from helpers.course.variants import course_secret, learner_seed
from helpers.errors import UserFacingError

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return new_course(tmp_path_factory.mktemp("build"))


def test_release_has_every_notebook_and_no_grader_text(built):
    for name in NOTEBOOKS:
        release, source = built.release(name), built.source(name)
        text = notebook_text(release)
        secret = grader_only_lines(source)
        assert secret, "the sample notebook has solutions, hidden tests and benchmarks to hide"
        assert leaked_lines(secret, text) == []
        for marker in ("BEGIN SOLUTION", "HIDDEN TESTS", "ccw_grader", "benchmark"):
            assert marker not in text
        rel, src = cells_by_id(release), cells_by_id(source)
        for gid, cell in src.items():
            if "rubric" in cell.metadata:  # rubrics are shown to learners, benchmarks are not
                assert rel[gid].metadata["rubric"] == cell.metadata["rubric"]
            if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "code":
                assert "# YOUR ANSWER HERE" in rel[gid].source and "raise" not in rel[gid].source


def test_sources_copied_from_notebooks_root(built):
    for name in NOTEBOOKS:
        copied = built.root / "source" / ASSIGNMENT / f"{name}.ipynb"
        assert copied.read_bytes() == (built.notebooks / ASSIGNMENT / f"{name}.ipynb").read_bytes()


def test_gradebook_records_assignment_structure(built):
    course = load_course(built.root, built.notebooks)
    with open_gradebook(course.db_url, course.course_id) as gb:
        assignment = gb.find_assignment(ASSIGNMENT)
        names = sorted(nb.name for nb in assignment.notebooks)
        points = {nb.name: sum(c.max_score for c in nb.grade_cells) for nb in assignment.notebooks}
    assert names == list(NOTEBOOKS)
    for name in NOTEBOOKS:
        src = built.source(name)
        assert points[name] == sum(c.metadata["nbgrader"].get("points", 0) for c in src.cells
                                   if c.metadata.get("nbgrader", {}).get("grade"))


def test_secret_is_private_and_grader_installed(built):
    path = built.root / ".secret"
    assert path.read_text().strip() == SECRET  # an existing secret is kept, never replaced
    assert (built.root / "ccw_grader" / "registry.py").is_file()
    assert not (built.root / "release" / "ccw_grader").exists()


def test_new_secret_is_created_once_owner_only(tmp_path):
    first = course_secret(tmp_path)
    assert len(first) == 64 and int(first, 16) >= 0
    assert stat.S_IMODE(os.stat(tmp_path / ".secret").st_mode) == 0o600
    assert course_secret(tmp_path) == first
    with pytest.raises(UserFacingError, match="no course secret at"):
        course_secret(tmp_path / "elsewhere", create=False)


def test_learner_seeds_differ_per_learner_and_secret():
    a, b = learner_seed(SECRET, "alice"), learner_seed(SECRET, "bob")
    assert a != b and a == learner_seed(SECRET, "alice")
    assert learner_seed("another secret", "alice") != a


def test_grader_package_not_importable_by_learners(built, tmp_path):
    """Learners' kernels have `helpers` but never the course root: `import ccw_grader` fails."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    code = "import helpers\ntry:\n    import ccw_grader\nexcept ModuleNotFoundError:\n    print('absent')"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "absent"


def _bad_notebook(folder: Path) -> None:
    nb = sample.kpis_notebook()
    cells = cells_by_id(nb)
    cells["test_service_level"].metadata["competency"]["criteria"] = ["9.9"]
    del cells["kpi_report"].metadata["rubric"]
    nb.cells.insert(1, nbformat.v4.new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION"))
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / "01_kpis.ipynb")


def test_build_lists_every_authoring_problem(tmp_path):
    _bad_notebook(tmp_path / "notebooks" / ASSIGNMENT)
    with pytest.raises(BuildError) as err:
        build_course(tmp_path / "course", tmp_path / "notebooks", progress=False)
    text = "\n".join(err.value.problems)
    assert "no performance criterion '9.9'" in text
    assert "needs 'rubric'" in text
    assert "solution region in a cell that is not a solution cell" in text
    assert not (tmp_path / "course" / "release").exists()


def _build_problems(tmp_path, nb, check_solutions: bool = True) -> list[str]:
    """Build a course of the one (edited) sample notebook ``nb``; the problems the build refuses it for."""
    folder = tmp_path / "notebooks" / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / "01_kpis.ipynb")
    dataset = sample.write_sample_dataset(tmp_path / "practice", 7)
    with pytest.raises(BuildError) as err:
        build_course(tmp_path / "course", tmp_path / "notebooks", dataset=dataset, workers=1, progress=False,
                     check_solutions=check_solutions)
    return err.value.problems


def test_build_rejects_a_reference_solution_that_fails_its_tests(tmp_path):
    nb = sample.kpis_notebook()
    answer = cells_by_id(nb)["service_level_answer"]
    answer.source = answer.source.replace("<= 20", "<= 5")  # wrong threshold: the trusted check fails it
    [problem] = _build_problems(tmp_path, nb)
    assert problem.startswith(f"{ASSIGNMENT}/01_kpis:test_service_level: the solution scores 0/2 (")
    assert "`service_level` is not within the tolerance" in problem  # the trusted check's own finding


def test_build_refuses_hidden_tests_and_autograded_cells_without_a_trusted_check(tmp_path):
    """Marks come only from checks registered in ccw_grader: a hidden-test region (it would run in the
    learner's kernel) and an autograded cell no trusted check scores are authoring errors."""
    nb = sample.kpis_notebook()
    test = cells_by_id(nb)["test_service_level"]
    test.source += "\n### BEGIN HIDDEN TESTS\nassert service_level > 0\n### END HIDDEN TESTS"
    cells_by_id(nb)["test_abandonment"].metadata["nbgrader"]["grade_id"] = "test_unregistered"
    text = "\n".join(_build_problems(tmp_path, nb, check_solutions=False))
    assert "hidden tests would run in the learner's kernel" in text
    assert "test_unregistered: autograded cell without a trusted check" in text


def test_build_refuses_findings_on_criteria_the_cell_does_not_evidence(tmp_path):
    """The competency tag is the one place a task's criteria are written: a trusted check that reports
    on another criterion (the sample's service-level check reports on 4.2) is an authoring error."""
    nb = sample.kpis_notebook()
    cells_by_id(nb)["test_service_level"].metadata["competency"]["criteria"] = ["4.3"]
    [problem] = _build_problems(tmp_path, nb)
    assert "test_service_level: its trusted check reports on 4.2, which the cell's competency tag does not name" \
        in problem


def test_leak_check_finds_solution_hidden_and_benchmark_text():
    source = sample.kpis_notebook()
    secret = grader_only_lines(source)
    assert 'answered = calls[~calls["abandoned"]]' in secret
    assert any(line.startswith("Service level was below") for line in secret)
    public = notebook_text(sample.kpis_notebook().cells[1])  # the read-only data-loading cell
    assert leaked_lines(secret, public) == []
    assert leaked_lines(secret, public + '\nanswered = calls[~calls["abandoned"]]\n') == [
        'answered = calls[~calls["abandoned"]]']
    assert leaked_lines(set(), "# ### END HIDDEN TESTS") == ["END HIDDEN TESTS"]


def test_repo_course_config_is_the_default_and_loads():
    assert (REPO / "autograde" / "nbgrader_config.py").read_text() == DEFAULT_CONFIG
    course = load_course(REPO / "autograde", REPO / "notebooks")
    assert course.course_id == "contact-centre-workbooks"
    assert course.cell_timeout == 60 and course.notebook_timeout == 600
    assert course.db_url.endswith("autograde/gradebook.db")


def test_cli_build_without_notebooks_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "notebooks").mkdir()
    code = main(["course", "build", "--course", str(tmp_path / "course"), "--notebooks", str(tmp_path / "notebooks")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().splitlines() == [f"ccw course: error: no assignments: {tmp_path / 'notebooks'} has no "
                                        "folder with notebooks"]


def test_cli_build_and_guide(tmp_path, capsys):
    sample.write_sample_notebooks(tmp_path / "notebooks")
    code = main(["course", "build", "--course", str(tmp_path / "c"), "--notebooks", str(tmp_path / "notebooks"),
                 "--skip-solution-check"])
    out = capsys.readouterr().out
    assert code == 0 and "built BSBCUE605: 2 notebooks, 6 tagged cells" in out
    assert (tmp_path / "c" / "release" / ASSIGNMENT / "01_kpis.ipynb").is_file()
    code = main(["course", "guide", "--notebooks", str(tmp_path / "notebooks"), "--out", str(tmp_path / "g")])
    assert code == 0
    guide = (tmp_path / "g" / "assessor_guide.md").read_text()
    assert "Benchmark answer:" in guide and "### PC 4.2:" in guide
