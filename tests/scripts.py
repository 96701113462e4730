"""A script of the repository (an example, a benchmark) loaded as a module, for the tests that
run it: ``load_script("benchmarks/bench_peers.py").main(["--smoke"])``."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_script(relative: str):
    """The module of the script at ``relative`` (to the repository's root), executed once."""
    path = ROOT / relative
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
