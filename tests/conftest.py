import sys
from pathlib import Path

# test helper modules (notebook_factory, ...) live beside the tests
sys.path.insert(0, str(Path(__file__).parent))
# the grader-only package (trusted checks, reference designs) is tested in this process, as the grading
# worker uses it; learners' kernels never have it (tests/course/test_course_build.py checks that)
sys.path.append(str(Path(__file__).resolve().parents[1] / "autograde"))

# fixtures shared by the browser tests (the `browser` fixture: headless Chromium through Playwright)
pytest_plugins = ["browser_support"]


def pytest_configure(config):
    """Install the Debian packages the suite uses for real when they are missing (tests/system_packages.py)
    and make the practice dataset, once, in the main process: xdist workers start afterwards and find them."""
    if hasattr(config, "workerinput"):
        return
    import system_packages

    config._ccw_packages = system_packages.ensure()
    # the practice dataset made or refreshed once here: xdist workers that each found it stale would each
    # replace it while the others read it
    from helpers.data import ensure_practice_dataset

    ensure_practice_dataset(quiet=True)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    note = getattr(config, "_ccw_packages", None)
    if note:
        terminalreporter.write_line(f"system packages: {note}")
