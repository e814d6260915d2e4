"""Opening the script converter: the glossary file, OpenCC's phrase chains, the site's settings.

`generator.core.chinese.Converter` converts and normalises text and reads nothing itself;
what it needs from files (OpenCC configurations, dictionaries, the glossary) is opened here.
"""
from __future__ import annotations

import functools
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import opencc

from generator.core.chinese import Converter
from generator.core.errors import SiteError
from generator.core.glossary import Glossary, parse_glossary
from generator.core.settings import Config

_SHARE = Path(opencc.__file__).parent / "clib" / "share" / "opencc"


def load_glossary(path: str | Path, shown: str | None = None) -> Glossary:
    """Read and validate a glossary file (see `generator.core.glossary.parse_glossary`);
    errors name it by `shown` (default: the path as given)."""
    name = shown or str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SiteError("glossary file not found", name,
                        hint="create it or fix the `glossary:` setting in site.yml") from None
    except UnicodeDecodeError:
        raise SiteError("glossary is not UTF-8", name, hint="save it as UTF-8") from None
    return parse_glossary(text, name)


def open_phrase_chain(files: tuple[str, ...]) -> opencc.OpenCC:
    """An OpenCC converter running only the given dictionaries, one chain step each."""
    chain = [{"dict": {"type": "ocd2", "file": str(_SHARE / f)}} for f in files]
    config = {"name": "phrases only", "conversion_chain": chain}
    # OpenCC reads a configuration from a file; it is loaded at once, then removed
    fd, name = tempfile.mkstemp(suffix=".json", prefix="newsarchive-opencc-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(config, out)
        return opencc.OpenCC(name)
    finally:
        os.unlink(name)


def open_converter(opencc_configs: Mapping[str, str] | None = None,
                   glossary: Glossary | None = None, *, convert_names: bool = True) -> Converter:
    """A converter from `{script: OpenCC config}` (defaults s2tw/t2s) and a glossary."""
    return Converter(opencc_configs, glossary, convert_names=convert_names,
                     open_chain=open_phrase_chain)


@functools.lru_cache(maxsize=1)
def default_converter() -> Converter:
    """The converter of a site with default settings and no glossary, opened once per
    process: what the importer's steps use when they are called without a site's."""
    return open_converter()


def converter_for(config: Config) -> Converter:
    """The site's converter, as the build, the importer and search make it (opening OpenCC
    costs ~0.1 s: once per build)."""
    from generator.core.companies import with_company_terms
    from generator.io.companies import load_companies

    glossary = load_glossary(config.glossary, config.shown(config.glossary)) if config.glossary else None
    glossary = with_company_terms(glossary, load_companies(config))
    return open_converter(config.opencc, glossary, convert_names=config.convert_names)
