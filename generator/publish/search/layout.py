"""The search index's layout and limits: where it lives in the output, its format version, shard and body sizes."""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from generator.core.model import Site
from generator.core.settings import Config
from generator.io.staging import SEARCH_DIR as _OUTPUT_SEARCH_DIR

# the index folder in the output (the output's layout is generator.io.staging's)
SEARCH_DIR = _OUTPUT_SEARCH_DIR

# indexes a site's search into a folder: index_search, or the preview's background indexer
Indexer = Callable[[Path, Site, Config], object]

DATA_FILE = "newsarchive-search.json"

# bump when records, tokens or the data file change shape
FORMAT = 5  # 5: records carry a company filter

LANGUAGE = "und"

# title tokens are repeated so a word in the title outranks one in the body
TITLE_WEIGHT = 3

# articles per Pagefind index: Pagefind holds ~0.45 MB per article while indexing and has no
# incremental mode, so a large archive is split into shards the browser merges (an edit
# re-indexes one shard only); two Pagefind runs of this size stay under ~600 MB together
SHARD_SIZE = 600

# characters of an article's body that are indexed (and kept for the excerpt)
BODY_LIMIT = 5000

# a shard's record files, one per article: what search.js shows for a result (gzip'd JSON,
# like Pagefind's own fragments: a third of the size on disk)
RECORD_DIR = "r"

RECORD_SUFFIX = ".json.gz"

# Pagefind's UI bundles: search.js talks to pagefind.js directly and needs none of them
UNUSED_FILES = re.compile(r"pagefind-(component-ui|modular-ui|ui|highlight)\.(js|css)$")
