import sys
from pathlib import Path

# test helper modules (notebook_factory, ...) live beside the tests
sys.path.insert(0, str(Path(__file__).parent))
# the grader-only package (trusted checks, reference designs) is tested in this process, as the grading
# worker uses it; learners' kernels never have it (tests/test_course_build.py checks that)
sys.path.append(str(Path(__file__).resolve().parents[1] / "autograde"))

# fixtures shared by the browser tests (the `browser` fixture: headless Chromium through Playwright)
pytest_plugins = ["browser_support"]
