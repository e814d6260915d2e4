"""Static search: folded bigram records -> a Pagefind index in output/pagefind/.

Pagefind segments Chinese differently in its indexer (a dictionary segmenter) and in the
browser (Intl.Segmenter), so words such as 华为 or 芯片 were not found at all and 大模型
matched every page holding 大 and 模型 anywhere. Both sides therefore use the scheme below
instead, and Pagefind sees only space-separated tokens (language "und": no stemming, no
segmentation of its own):

- fold: `Converter.fold` (NFKC, Simplified, lower case) on the index side; in the browser
  the fold table written here (every character of the archive whose fold differs, plus the
  phrases OpenCC and the glossary fold differently from their characters) does the same.
- tokens: a run of Han characters becomes its overlapping bigrams (a lone character stays
  itself; the index adds the run's last character, for one-character queries, which
  Pagefind matches as a prefix); any other run of letters and digits is one token. A
  two-character query is then one token that only pages containing exactly that word hold.

Pagefind's excerpts would be in the folded script, so search.js shows each result from a
record file of ours (title, URL, tags and text in both scripts) and highlights in the reader's
script. That text is kept out of Pagefind's metadata on purpose: Pagefind indexes every meta
field as searchable words, which cost a third of its time and doubled the index, for words no
query can use (they are not folded nor cut into bigrams). Pagefind's own record holds only the
tokens, the date and where the record file is.

Cost (measured with bench/bench_search.py): Pagefind holds ~0.45 MB per article while it runs
and spends ~3 ms of CPU per article, in proportion to the distinct tokens of each article, and
making the records costs Python about as much. Shards are therefore small (a bounded memory
per Pagefind process) and split over two forked processes that each make a shard's records
and run Pagefind on it, one shard after the other: both cores work, and no more than two
Pagefind runs are ever alive. An article's body is indexed up to BODY_LIMIT characters (news
articles are shorter: the real-corpus median is ~1,300 characters, p75 ~2,600; only the tail
of a very long piece is left out, and no one article can blow a shard's memory).

Layout: output/pagefind/N/ is one Pagefind bundle per shard (a stable hash of the slug picks
the shard; one shard per SHARD_SIZE articles), with the shard's record files in N/r/, and
output/pagefind/newsarchive-search.json lists the shards with their keys and fold tables. A shard is re-indexed only when its key
(its articles' digests, the settings, the Pagefind version) changes, which also keeps
Pagefind's filter files, not byte-stable between runs, from being rewritten for nothing.
"""

from generator.publish.search.index import (  # noqa: F401
    Background,
    SearchReport,
    index_search,
    pagefind_version,
    record_html,
    run_pagefind,
    shard_keys,
    shard_records,
    sync_dir,
    write_shard,
)
from generator.publish.search.layout import (  # noqa: F401
    BODY_LIMIT,
    DATA_FILE,
    FORMAT,
    LANGUAGE,
    RECORD_DIR,
    RECORD_SUFFIX,
    SEARCH_DIR,
    SHARD_SIZE,
    TITLE_WEIGHT,
    UNUSED_FILES,
    Indexer,
)
from generator.publish.search.records import (  # noqa: F401
    ArticleText,
    Folder,
    FoldTable,
    SearchRecord,
    article_record,
    article_text,
    fold_table,
    plan_shards,
    record_id,
    record_json,
    search_data,
    search_records,
    shard_key,
    site_texts,
)
from generator.publish.search.tokens import HAN, index_tokens, plain_text, search_tokens  # noqa: F401
