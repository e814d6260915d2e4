#!/usr/bin/env bash
# Set up a virtual environment with newsarchive and its test tools, then build the
# sample archive into output/. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
.venv/bin/newsarchive build
