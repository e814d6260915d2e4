"""Raw page -> curated Markdown article: decode, extract, repair, describe, write.

Stage order for one page (pipeline.import_page runs them; all pure, bytes in, value out):

1. decode      decode.py        bytes -> text (BOM, strict UTF-8, the declared charset
                                 family widened, charset-normalizer, lossy as a last resort)
2. extract     html_extract.py  an HTML page -> `Extracted` (title, date, bylines, body…), in
                                 steps: html_tree (parse, chrome marks, rules/html.yml) ->
                                 html_blocks (blocks) -> html_container (which element holds
                                 the article) -> html_byline (date, authors; html_head
                                 reads the <head>) -> html_body (boilerplate rules,
                                 Markdown) and html_figures (captions, credits)
               text_extract.py  a plain-text page -> `Extracted`
3. repair      artefacts.py     content-farm artefacts: controls, pinyin, keyword stuffing…
4. describe    metadata.py      titles, dates, bylines, outlets, tags from strings (used by
                                 both extractors); pipeline.finish adds suggested tags, the
                                 category, a lead summary and refuses non-articles
5. render      render.py        `Extracted` -> the article's path and file text (front matter,
                                 fingerprint)
6. write       store.py         the archive on disk: edit detection, duplicates, exclusive
                                 atomic writes, the per-site import lock
               verify.py        the build's own parser run on each text before it is written

Around the stages, with I/O:

- inputs.py    what to import: files, folders of pages, http(s) URLs (via fetch.py)
- images.py    a saved page's pictures (its X_files/ folder) copied next to the article
- batch.py     a batch of inputs: one status per page (new, updated, unchanged, duplicate,
               kept-edited, error), syndication, writing; the `import` command only parses
               arguments and prints what batch.import_batch reports
- model.py     the frozen values passed between the stages
"""
