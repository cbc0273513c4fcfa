"""ccw writes the package's bytecode once, even where Python itself would not (PYTHONDONTWRITEBYTECODE)."""
import importlib.util
import os
import subprocess
import sys


def _compile_in_subprocess(folder) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-c", f"from helpers.bytecode import ensure_compiled; ensure_compiled({str(folder)!r})"],
                          env=env, capture_output=True, text=True, timeout=120)


def test_bytecode_is_written_and_refreshed(tmp_path):
    module = tmp_path / "graderlike.py"
    module.write_text("VALUE = 1\n")
    cached = importlib.util.cache_from_source(str(module))
    assert _compile_in_subprocess(tmp_path).returncode == 0
    assert os.path.isfile(cached)
    first = os.path.getmtime(cached)
    module.write_text("VALUE = 2  # edited\n")
    os.utime(module, (first + 10, first + 10))  # a later source: the bytecode is stale
    assert _compile_in_subprocess(tmp_path).returncode == 0
    assert os.path.getmtime(cached) > first


def test_a_folder_it_cannot_write_to_is_left_as_it_is(tmp_path):
    # where bytecode cannot be written (here: __pycache__ is a file, which stops even root), the command goes on
    (tmp_path / "mod.py").write_text("X = 1\n")
    (tmp_path / "__pycache__").write_text("not a folder")
    done = _compile_in_subprocess(tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "__pycache__").is_file()
