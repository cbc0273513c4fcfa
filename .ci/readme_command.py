"""Print the Nth fenced code block of the README's `## Quick start` section (1 = install and main job,
2 = tests), so CI runs exactly what the README tells a new user to run."""
import re
import sys
from pathlib import Path


def quick_start_blocks(readme: str) -> list[str]:
    section = readme.split("\n## Quick start", 1)[1]
    section = re.split(r"\n## ", section, maxsplit=1)[0]
    return [b.strip() for b in re.findall(r"```(?:[a-z]*)\n(.*?)```", section, flags=re.S)]


if __name__ == "__main__":
    text = Path(__file__).resolve().parents[1].joinpath("README.md").read_text(encoding="utf-8")
    print(quick_start_blocks(text)[int(sys.argv[1]) - 1])
