"""Every output byte of the sample and a generated archive equals the recorded snapshot.

Changes that alter output on purpose re-record it: `.venv/bin/python tools/output_hashes.py
--update` (and say why in the commit). Refactors must pass this unchanged.
"""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from conftest import is_shipped_sample

REPO = Path(__file__).resolve().parent.parent
TOOL = REPO / "tools" / "output_hashes.py"


def _tool():
    spec = importlib.util.spec_from_file_location("output_hashes", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_output_bytes_match_the_snapshot():
    tool = _tool()
    if not tool.GOLDEN.is_file():
        pytest.fail("no snapshot: run tools/output_hashes.py --update")
    golden = json.loads(tool.GOLDEN.read_text(encoding="utf-8"))
    now = tool.all_hashes()
    if "generated" not in now:
        golden.pop("generated", None)  # ../shared/bench is not beside this checkout
    if not is_shipped_sample():
        golden.pop("sample")  # a site with its own content: only the generated archive holds
    for archive in golden:
        changed = sorted(p for p in golden[archive].keys() | now[archive].keys()
                         if golden[archive].get(p) != now[archive].get(p))
        assert not changed, f"{archive}: {len(changed)} files differ, e.g. {changed[:5]}"
