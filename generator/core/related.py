"""Related articles: shared tags and shared distinctive text, preferring nearby dates.

Each document is reduced to a small sparse vector of *features*: its tags, and the most
frequent character bigrams (and Latin words) of its folded text, with function characters
(的, 了, 是 …) left out. A feature's weight falls with the number of documents that carry it
(an idf in powers of two). A text feature carried by more than `MAX_POSTING` documents is
ignored: it says little. A tag that common still counts, at the lowest weight, but only
between documents within `TAG_WINDOW` places of each other in that tag's date order (so an
article whose tags are all popular still finds its neighbours). Either way the work per
document is bounded, so the corpus is scored in time linear in its size, never pair by pair.

The score of a pair is the weighted overlap of their features, multiplied by a mild boost for
nearby dates; ties break by key, so lists are byte-for-byte stable.

Everything a document's vector depends on is the document itself; the weights depend only on
posting-list sizes. That locality is what makes `RelatedIndex.update` exact: an edit can only
change the lists of documents sharing a feature with the old or new version of the edited
document, carrying a feature whose weight bucket moved, or near it in a common tag's order.
"""
from __future__ import annotations

import bisect
import heapq
import math
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# Text features kept per document (its most frequent bigrams and words).
TOP_TERMS = 32
# Only the start of very long texts is read: it carries the topic and bounds the cost.
MAX_TEXT = 4000
# A feature carried by more documents than this is too common to relate anything.
MAX_POSTING = 128
# ... except a tag: it still relates each document to this many neighbours by date each side.
TAG_WINDOW = 8
# Tags are chosen by a curator, so a shared tag counts more than a shared bigram.
TAG_WEIGHT = 1.5
# A shared company says more than a shared tag (issue 16)
COMPANY_WEIGHT = 2.5
TEXT_WEIGHT = 1.0
# Nearby dates: up to +30 % for the same day, halving every 90 days of distance.
DATE_BOOST = 0.3
DATE_HALF_LIFE = 90.0

# Frequent function characters: bigrams containing them are noise, not topic.
_STOP_CHARS = "的了是在和与及等也这那其为之而或又就都被把将从对于以并且个不有着说到年月日"
# Overlapping pairs of letters that are neither ASCII, digits nor function characters:
# the CJK bigrams of the text, found in one regex pass.
_BIGRAM = re.compile(f"(?=([^{_STOP_CHARS}\\W\\d_a-zA-Z]{{2}}))")
_WORD = re.compile(r"[a-z][a-z0-9]+")
# Tag features live apart from text features (a tag named like a bigram is not that bigram).
_TAG = "\x01"


Features = dict[str, float]


@dataclass(frozen=True)
class RelatedDoc:
    """One article as the related-articles scorer sees it (already folded by the caller)."""

    key: str
    # folded tag identities (converter.fold), so both scripts meet
    tags: frozenset[str]
    # folded plain text (title, summary, body)
    text: str
    # date as a proleptic ordinal (date.toordinal())
    day: int
    # text_features(text), when the caller computed (and cached) it already, e.g. per
    # article in parallel parse workers; None: computed here from `text`
    terms: Features | None = field(default=None, compare=False, repr=False)
    # company ids (companies.yml): weighed above a shared tag
    companies: frozenset[str] = frozenset()


def text_features(text: str, top: int = TOP_TERMS) -> Features:
    """The `top` most frequent bigrams/words of folded text, weights of unit length."""
    text = text[:MAX_TEXT]
    terms = _WORD.findall(text) + _BIGRAM.findall(text)
    # most_common is a stable sort: ties keep first-occurrence order, so this is deterministic
    chosen = Counter(terms).most_common(top)
    norm = math.sqrt(sum(n for _, n in chosen)) or 1.0
    # interned: the same few thousand bigrams recur across the corpus, and one string each
    # (shared through the workers' pickles too) saves 2.5 KB an article held all build long
    return {sys.intern(t): math.sqrt(n) / norm for t, n in sorted(chosen)}


def doc_features(doc: RelatedDoc) -> Features:
    """Tag and text features of one document, in sorted order (float sums stay stable)."""
    terms = doc.terms if doc.terms is not None else text_features(doc.text)
    feats = {f: TEXT_WEIGHT * w for f, w in terms.items()}
    if doc.tags:
        share = TAG_WEIGHT / math.sqrt(len(doc.tags))
        feats.update((_TAG + t, share) for t in doc.tags)
    if doc.companies:
        share = COMPANY_WEIGHT / math.sqrt(len(doc.companies))
        # a company is a tag-like feature (date windows apply), kept apart from tags
        feats.update((_TAG + "\x02" + c, share) for c in doc.companies)
    return dict(sorted(feats.items()))


def posting_weight(size: int, max_posting: int = MAX_POSTING) -> float:
    """Weight of a feature carried by `size` documents: 0 when unshared or too common."""
    if size < 2 or size > max_posting:
        return 0.0
    top = math.log2(max_posting) + 1
    return (top - math.floor(math.log2(size))) / top


def date_factor(day_a: int, day_b: int) -> float:
    """Mild preference for articles close in time."""
    return 1.0 + DATE_BOOST * 0.5 ** (abs(day_a - day_b) / DATE_HALF_LIFE)


Ranked = tuple[tuple[float, str], ...]


def rank_key(score: float, day: int, other_day: int, other: str) -> tuple[float, str]:
    """Sort key of a candidate: best (date-boosted) score first, then key."""
    return (-score * date_factor(day, other_day), other)


class RelatedIndex:
    """Related lists of a corpus, kept up to date edit by edit (for the live preview).

    A tag carried by more than `max_posting` documents still relates each document to its
    `window` neighbours by date on either side within that tag (at the lowest weight), so
    articles with only popular tags still get a list; common text features are dropped.
    """

    # bump when the pickled layout or the scoring changes: a cached index is then rebuilt
    LAYOUT = 2

    def __init__(self, *, limit: int = 5, max_posting: int = MAX_POSTING,
                 window: int = TAG_WINDOW) -> None:
        self.limit = limit
        self.max_posting = max_posting
        self.window = window
        self._window_weight = posting_weight(max_posting, max_posting)
        # posting_weight by size, looked up for every feature of every list computed
        self._weights = [posting_weight(n, max_posting) for n in range(max_posting + 1)]
        self._days: dict[str, int] = {}
        self._features: dict[str, Features] = {}
        # feature -> {key: the document's weight for it}
        self._postings: dict[str, dict[str, float]] = {}
        # tag feature -> its documents as sorted (day, key): the date windows of common tags
        self._orders: dict[str, list[tuple[int, str]]] = {}
        # key -> its related list with each entry's rank key (to merge edits into it)
        self._ranked: dict[str, Ranked] = {}

    @classmethod
    def build(cls, docs: Sequence[RelatedDoc], *, limit: int = 5,
              max_posting: int = MAX_POSTING, window: int = TAG_WINDOW) -> RelatedIndex:
        """Index a whole corpus and compute every list."""
        index = cls(limit=limit, max_posting=max_posting, window=window)
        for doc in docs:
            index._add(doc, keep_sorted=False)
        for order in index._orders.values():
            order.sort()
        index._ranked = {key: index._compute(key) for key in index._features}
        return index

    def __getstate__(self) -> dict[str, object]:
        """Pickle with the layout version (the build caches the index between builds)."""
        return {**self.__dict__, "_layout": self.LAYOUT}

    def __setstate__(self, state: dict[str, object]) -> None:
        """Refuse an index pickled by another version (ValueError: the cache rebuilds it)."""
        if state.pop("_layout", None) != self.LAYOUT:
            raise ValueError("related-articles index from another version; rebuild it")
        self.__dict__.update(state)

    def lists(self) -> dict[str, tuple[str, ...]]:
        """{key: related keys, best first}, keys in sorted order."""
        return {key: tuple(k for _, k in self._ranked[key]) for key in sorted(self._ranked)}

    def lists_of(self, keys: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """lists() restricted to `keys` (those still indexed)."""
        return {key: tuple(k for _, k in self._ranked[key]) for key in keys if key in self._ranked}

    def update(self, changed: Sequence[RelatedDoc], removed: Iterable[str] = ()) -> set[str]:
        """Apply edits (new/changed docs, removed keys); return the keys whose lists changed."""
        gone = set(removed)
        latest = {d.key: d for d in changed}  # a key given twice: its last version counts
        changed = [d for d in latest.values() if d.key not in gone and not self._same(d)]
        touched = gone | {d.key for d in changed}
        sizes_before: dict[str, int] = {}
        near: set[str] = set()
        # documents whose date windows in a common tag move with an insertion or removal
        shifted: set[str] = set()
        for key in sorted(touched & set(self._features)):
            near |= self._neighbours(key)
            shifted |= self._around(key)
            self._note_sizes(self._features[key], sizes_before)
            self._remove(key)
        for doc in changed:
            self._note_sizes(doc_features(doc), sizes_before)
            self._add(doc)
        for doc in changed:
            near |= self._neighbours(doc.key)
            shifted |= self._around(doc.key)
        # lists that must be recomputed: new/changed docs, docs whose feature weights or
        # windows moved, docs that listed a touched doc; other neighbours merge new scores
        full = self._reweighted(sizes_before) | shifted | {d.key for d in changed}
        full |= {x for x in near if any(k in touched for _, k in self._ranked.get(x, ()))}
        return self._refresh(full - gone, near - full - touched, [d.key for d in changed], gone)

    def _same(self, doc: RelatedDoc) -> bool:
        """Whether `doc` is already indexed exactly so (an edit that changes nothing here)."""
        return (self._days.get(doc.key) == doc.day
                and self._features.get(doc.key) == doc_features(doc))

    def _refresh(self, full: set[str], merge: set[str], changed: list[str],
                 gone: set[str]) -> set[str]:
        """Recompute or merge lists; drop those of `gone`; report the keys whose lists changed."""
        out = {key for key in gone if self._ranked.pop(key, None) is not None}
        for key in full | merge:
            if key not in self._features:
                continue
            fresh = self._compute(key) if key in full else self._merged(key, changed)
            old = self._ranked.get(key)
            if old != fresh:
                self._ranked[key] = fresh
                # a moved score alone does not change the list a page shows
                if old is None or [k for _, k in old] != [k for _, k in fresh]:
                    out.add(key)
        return out

    def _merged(self, key: str, changed: list[str]) -> Ranked:
        """The list of `key` when only its scores with `changed` docs moved (none listed)."""
        extra = [k for k in (self._pair_rank(key, c) for c in changed) if k is not None]
        if not extra:
            return self._ranked[key]
        return tuple(sorted([*self._ranked[key], *extra])[: self.limit])

    def _mode(self, f: str, size: int) -> tuple[float, bool]:
        """(weight, windowed) of feature `f` carried by `size` documents."""
        if size <= self.max_posting:
            return self._weights[size], False
        return (self._window_weight, True) if f[0] == _TAG else (0.0, False)

    def _position(self, f: str, key: str) -> int:
        """Index of `key` in the date order of tag feature `f`."""
        return bisect.bisect_left(self._orders[f], (self._days[key], key))

    def _window(self, f: str, key: str) -> list[tuple[int, str]]:
        """Documents within `window` places of `key` in the date order of `f` (and itself)."""
        i = self._position(f, key)
        return self._orders[f][max(0, i - self.window): i + self.window + 1]

    def _contacts(self, f: str, key: str) -> tuple[float, Iterable[tuple[str, float]]]:
        """(weight, (document, its weight for f)...) through which `f` relates `key` to others."""
        posting = self._postings[f]
        weight, windowed = self._mode(f, len(posting))
        if not weight:
            return 0.0, ()
        if windowed:
            return weight, [(k, posting[k]) for _, k in self._window(f, key)]
        return weight, posting.items()

    def _pair_rank(self, key: str, other: str) -> tuple[float, str] | None:
        """Rank key of `other` in the list of `key`, or None when they share nothing.

        Sums in the same order as `_compute`, so the float is bit-for-bit the same.
        """
        theirs = self._features[other]
        total, shared = 0.0, False
        for f, w in self._features[key].items():
            w_other = theirs.get(f)
            if w_other is None:
                continue
            weight, windowed = self._mode(f, len(self._postings[f]))
            if windowed and abs(self._position(f, key) - self._position(f, other)) > self.window:
                continue
            if weight:
                total += weight * w * w_other
                shared = True
        if not shared:
            return None
        return rank_key(total, self._days[key], self._days[other], other)

    def _note_sizes(self, feats: Features, sizes: dict[str, int]) -> None:
        """Remember posting sizes before the first change to each feature."""
        for f in feats:
            if f not in sizes:
                sizes[f] = len(self._postings.get(f, ()))

    def _reweighted(self, sizes_before: dict[str, int]) -> set[str]:
        """Documents carrying a feature whose weight changed with its posting size."""
        out: set[str] = set()
        for f, before in sizes_before.items():
            posting = self._postings.get(f, {})
            if self._mode(f, before) != self._mode(f, len(posting)):
                out.update(posting)
        return out

    def _neighbours(self, key: str) -> set[str]:
        """Documents related to `key` through some feature (its candidates)."""
        out: set[str] = set()
        for f in self._features[key]:
            out.update(k for k, _ in self._contacts(f, key)[1])
        out.discard(key)
        return out

    def _around(self, key: str) -> set[str]:
        """Documents whose date window in a common tag of `key` moves if `key` moves.

        Inserting or removing `key` changes whether two documents are within `window`
        places of each other only when `key` lies between them, hence within `window`
        places of either of them.
        """
        out: set[str] = set()
        for f in self._features[key]:
            if self._mode(f, len(self._postings[f]))[1]:
                out.update(k for _, k in self._window(f, key))
        out.discard(key)
        return out

    def _add(self, doc: RelatedDoc, *, keep_sorted: bool = True) -> None:
        """Index one document's features."""
        feats = doc_features(doc)
        self._days[doc.key] = doc.day
        self._features[doc.key] = feats
        for f, w in feats.items():
            self._postings.setdefault(f, {})[doc.key] = w
            if f[0] == _TAG:
                order = self._orders.setdefault(f, [])
                if keep_sorted:
                    bisect.insort(order, (doc.day, doc.key))
                else:
                    order.append((doc.day, doc.key))

    def _remove(self, key: str) -> None:
        """Take one document out of the index."""
        for f in self._features[key]:
            posting = self._postings[f]
            del posting[key]
            if not posting:
                del self._postings[f]
            if f[0] == _TAG:
                order = self._orders[f]
                del order[self._position(f, key)]
                if not order:
                    del self._orders[f]
        del self._features[key]
        del self._days[key]

    def _compute(self, key: str) -> Ranked:
        """The related list of one document: best scores first, ties by key."""
        if self.limit <= 0:
            return ()
        scores: dict[str, float] = {}
        get = scores.get
        for f, w in self._features[key].items():
            weight, contacts = self._contacts(f, key)
            for other, w_other in contacts:
                scores[other] = get(other, 0.0) + weight * w * w_other
        scores.pop(key, None)
        if len(scores) > self.limit:
            # the date boost is at most 1 + DATE_BOOST, so a candidate whose boosted score
            # stays below the limit-th raw score cannot make the list: skip ranking it
            kth = heapq.nlargest(self.limit, scores.values())[-1]
            floor = kth / (1.0 + DATE_BOOST) * (1.0 - 1e-9)
            scores = {k: v for k, v in scores.items() if v >= floor}
        day, days = self._days[key], self._days
        return tuple(heapq.nsmallest(
            self.limit, (rank_key(score, day, days[k], k) for k, score in scores.items())))


def related_articles(docs: Sequence[RelatedDoc], *, limit: int = 5) -> dict[str, tuple[str, ...]]:
    """{key: up to `limit` related keys, best first} for a whole corpus (pure, deterministic)."""
    return RelatedIndex.build(docs, limit=limit).lists()
