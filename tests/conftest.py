import sys
from pathlib import Path

# test helper modules (notebook_factory, ...) live beside the tests
sys.path.insert(0, str(Path(__file__).parent))
