"""Which URL an <img> really shows: lazy-load attributes, the largest of `srcset`, the
`<picture>` it sits in, then `src`; `data:` placeholders never."""
from __future__ import annotations

import re

# lazy-loading scripts keep the real address in one of these while `src` holds a placeholder
LAZY = ("data-src", "data-original", "data-lazy-src", "data-url", "original", "data-echo",
        "data-actualsrc", "data-original-src", "data-lazy", "data-hi-res-src", "file")
_DESCRIPTOR = re.compile(r"^(\d+(?:\.\d+)?)([wx])$")


def largest_in_srcset(srcset: str) -> str:
    """The candidate of a srcset with the largest width (or density) descriptor; "" if none."""
    best, best_size = "", -1.0
    for candidate in re.split(r",\s+|,(?=\S+\s)", srcset.strip()):
        parts = candidate.strip().split()
        if not parts or parts[0].startswith("data:"):
            continue
        size = 1.0
        if len(parts) > 1 and (m := _DESCRIPTOR.match(parts[-1])):
            size = float(m[1]) * (1 if m[2] == "w" else 10000)
        if size > best_size:
            best, best_size = parts[0], size
    return best


def picked_src(el) -> str:  # noqa: ANN001 - a tree.El
    """The address as written (unresolved) of the picture an <img> element shows."""
    for key in LAZY:
        value = el.attr(key).strip()
        if value and not value.startswith("data:"):
            return value
    for key in ("data-srcset", "srcset"):
        found = largest_in_srcset(el.attr(key))
        if found:
            return found
    parent = el.parent
    if parent is not None and parent.tag == "picture":
        for source in parent.children:
            if getattr(source, "tag", None) != "source" or "svg" in source.attr("type"):
                continue
            found = largest_in_srcset(source.attr("data-srcset") or source.attr("srcset"))
            if found:
                return found
    value = el.attr("src").strip()
    return "" if value.startswith("data:") else value
