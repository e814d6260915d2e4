"""Related articles: tags and text, across scripts, dates, determinism, incremental updates."""
from __future__ import annotations

import pickle
import random
from datetime import date
from pathlib import Path

import pytest

from generator.core.related import (MAX_POSTING, MAX_TEXT, RelatedDoc, RelatedIndex,
                               posting_weight, related_articles, text_features)
from generator.io.converters import open_converter, load_glossary

REPO = Path(__file__).resolve().parent.parent
DAY = date(2025, 11, 28).toordinal()
COMPANIES = ["商汤", "华为", "腾讯", "小米", "比亚迪", "宁德时代", "台积电", "百度", "阿里巴巴",
             "京东", "美团", "联想", "蔚来", "鸿海", "联发科", "大疆"]
TOPICS = ["芯片", "电动车", "大模型", "医疗影像", "电池回收", "云计算", "机器人", "智能手机",
          "自动驾驶", "数据中心", "光伏组件", "跨境电商"]


def doc(key: str, text: str = "", tags: tuple[str, ...] = (), day: int = DAY) -> RelatedDoc:
    """A RelatedDoc with folded-looking values."""
    return RelatedDoc(key, frozenset(tags), text, day)


def corpus(n: int, seed: int = 7) -> list[RelatedDoc]:
    """A deterministic synthetic corpus of short company-news texts."""
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        company, topic = rng.choice(COMPANIES), rng.choice(TOPICS)
        other = rng.choice(COMPANIES)
        text = (f"{company}发布{topic}新品。{company}表示{topic}业务增长，"
                f"{other}也在布局{rng.choice(TOPICS)}。")
        tags = tuple(rng.sample([company, topic, other, "财报", "融资"], k=rng.randint(1, 3)))
        docs.append(doc(f"a{i:03d}", text, tags, DAY - rng.randint(0, 2000)))
    return docs


# ------------------------------------------------------------------ scoring


def test_shared_tag_relates() -> None:
    docs = [doc("a", tags=("商汤", "医疗")), doc("b", tags=("医疗",)), doc("c", tags=("电池",))]
    assert related_articles(docs) == {"a": ("b",), "b": ("a",), "c": ()}


def test_shared_text_relates_without_tags() -> None:
    docs = [doc("a", "宁德时代发布钠离子电池"), doc("b", "钠离子电池量产，宁德时代领先"),
            doc("c", "腾讯游戏收入下滑")]
    lists = related_articles(docs)
    assert lists["a"] == ("b",) and lists["c"] == ()


def test_more_shared_evidence_ranks_higher() -> None:
    docs = [doc("a", "商汤医疗发布医疗世界模型", ("商汤", "医疗")),
            doc("b", "商汤医疗的医疗世界模型进入医院", ("商汤", "医疗")),
            doc("c", "商汤发布财报", ("商汤",)),
            doc("d", "医疗器械集采", ("医疗",))]
    assert related_articles(docs)["a"][0] == "b"


def test_nearby_date_wins_a_tie() -> None:
    docs = [doc("a", tags=("芯片",)), doc("far", tags=("芯片",), day=DAY - 900),
            doc("near", tags=("芯片",), day=DAY - 3)]
    assert related_articles(docs)["a"] == ("near", "far")


def test_exact_ties_break_by_key_and_input_order_does_not_matter() -> None:
    docs = [doc(k, "台积电扩产", ("台积电",)) for k in ("d", "b", "a", "c")]
    assert related_articles(docs)["a"] == ("b", "c", "d")
    shuffled = corpus(60)
    random.Random(3).shuffle(shuffled)
    assert related_articles(shuffled) == related_articles(corpus(60))


def test_limit_and_no_self() -> None:
    lists = related_articles(corpus(80), limit=3)
    assert all(len(v) <= 3 and k not in v for k, v in lists.items())
    assert sum(len(v) for v in lists.values()) > 150
    assert list(lists) == sorted(lists)


def test_limit_zero_gives_empty_lists() -> None:
    docs = corpus(20)
    assert set(related_articles(docs, limit=0).values()) == {()}
    index = RelatedIndex.build(docs, limit=0)
    assert index.update([doc("new", "华为", ("华为",))]) == {"new"}
    assert index.lists()["new"] == ()


def test_empty_and_single() -> None:
    assert related_articles([]) == {}
    assert related_articles([doc("a", "商汤", ("商汤",))]) == {"a": ()}


def test_common_text_features_are_ignored() -> None:
    docs = [doc(f"k{i:03d}", "商汤") for i in range(MAX_POSTING + 1)]
    assert set(related_articles(docs).values()) == {()}
    assert posting_weight(MAX_POSTING) > 0 == posting_weight(MAX_POSTING + 1)
    assert posting_weight(1) == 0 and posting_weight(2) > posting_weight(40)


def test_a_common_tag_relates_neighbours_by_date() -> None:
    docs = [doc(f"k{i:03d}", tags=("common",), day=DAY + i) for i in range(MAX_POSTING + 1)]
    lists = related_articles(docs)
    assert lists["k050"] == ("k049", "k051", "k048", "k052", "k047")
    assert lists["k000"] == ("k001", "k002", "k003", "k004", "k005")
    assert RelatedIndex.build(docs, window=1).lists()["k050"] == ("k049", "k051")


def test_text_features_skip_function_characters_and_keep_latin_words() -> None:
    feats = text_features("商汤的医疗 ai 模型，sensetime 2025年")
    assert {"商汤", "医疗", "ai", "sensetime", "模型"} <= set(feats)
    assert not any("的" in f or f.isdigit() for f in feats)
    assert abs(sum(w * w for w in feats.values()) - 1.0) < 1e-9


def test_precomputed_terms_give_the_same_lists() -> None:
    docs = corpus(50)
    cached = [RelatedDoc(d.key, d.tags, "", d.day, terms=text_features(d.text)) for d in docs]
    assert related_articles(cached) == related_articles(docs)


def test_only_the_start_of_a_very_long_text_counts() -> None:
    head = ("商汤医疗发布模型。" * MAX_TEXT)[:MAX_TEXT]
    assert text_features(head + "比亚迪电池" * 500) == text_features(head)


# ------------------------------------------------------------------ across scripts


def test_simplified_and_traditional_articles_relate_after_folding() -> None:
    conv = open_converter(glossary=load_glossary(REPO / "glossary.yml"))
    hant = ("商湯醫療發佈醫療世界模型，瑞金醫院參與臨床驗證。", ("商湯", "醫療"))
    hans = ("商汤医疗的医疗世界模型在瑞金医院完成临床验证。", ("商汤", "医疗"))
    other = ("比亞迪電動車銷量創新高。", ("電動車",))

    def folded(key: str, text: str, tags: tuple[str, ...]) -> RelatedDoc:
        return doc(key, conv.fold(text), tuple(conv.fold(t) for t in tags))

    docs = [folded("hant", *hant), folded("hans", *hans), folded("other", *other)]
    assert related_articles(docs) == {"hant": ("hans",), "hans": ("hant",), "other": ()}
    shared_raw = set(text_features(hant[0])) & set(text_features(hans[0]))
    shared_folded = set(text_features(docs[0].text)) & set(text_features(docs[1].text))
    assert {"医疗", "商汤", "临床"} <= shared_folded and not {"医疗", "商汤"} & shared_raw


# ------------------------------------------------------------------ incremental


def _edit(rng: random.Random, d: RelatedDoc) -> RelatedDoc:
    """A random edit: new text, new tags or a new date."""
    kind = rng.randrange(3)
    if kind == 0:
        return RelatedDoc(d.key, d.tags, d.text + rng.choice(TOPICS) + rng.choice(COMPANIES), d.day)
    if kind == 1:
        return RelatedDoc(d.key, frozenset(rng.sample(COMPANIES + TOPICS, 2)), d.text, d.day)
    return RelatedDoc(d.key, d.tags, d.text, d.day + rng.randint(-400, 400))


@pytest.mark.parametrize(("size", "tuning"), [(60, {}), (90, {"max_posting": 6, "window": 2})])
def test_incremental_equals_full_after_a_sequence_of_edits(size: int, tuning: dict[str, int]) -> None:
    rng = random.Random(11)
    current = {d.key: d for d in corpus(size)}
    index = RelatedIndex.build(list(current.values()), **tuning)
    for step in range(30):
        before = index.lists()
        changed, removed = [], set()
        if step % 7 == 3:
            removed = set(rng.sample(sorted(current), 2))
        if step % 5 == 2:
            changed.append(doc(f"new{step}", "华为发布芯片与云计算", ("华为", "芯片")))
        changed += [_edit(rng, current[k]) for k in rng.sample(sorted(set(current) - removed), 3)]
        reported = index.update(changed, removed)
        for k in removed:
            del current[k]
        current.update((d.key, d) for d in changed)
        after = index.lists()
        assert after == RelatedIndex.build(list(current.values()), **tuning).lists(), f"step {step}"
        expected = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        assert reported == expected, f"step {step}"


def test_incremental_crossing_the_common_feature_limit() -> None:
    docs = [doc(f"k{i:03d}", f"第{i}号", ("common", f"t{i % 50}")) for i in range(MAX_POSTING)]
    index = RelatedIndex.build(docs)
    extra = doc("zzz", "", ("common",))
    changed = index.update([extra])
    assert index.lists() == related_articles(docs + [extra])
    assert len(changed) > MAX_POSTING // 2  # 'common' stopped counting for everyone
    index.update([], ["zzz"])
    assert index.lists() == related_articles(docs)


def test_update_of_an_unchanged_doc_reports_nothing() -> None:
    docs = corpus(40)
    index = RelatedIndex.build(docs)
    assert index.update([docs[5]]) == set()


def test_update_with_a_key_twice_keeps_the_last_version() -> None:
    docs = corpus(30)
    index = RelatedIndex.build(docs)
    first = doc(docs[0].key, "比亚迪电池", ("比亚迪",))
    last = doc(docs[0].key, "华为芯片", ("华为", "芯片"))
    index.update([first, last])
    assert index.lists() == related_articles([last, *docs[1:]])


def test_index_pickles_and_refuses_another_layout() -> None:
    docs = corpus(30)
    index = pickle.loads(pickle.dumps(RelatedIndex.build(docs)))
    index.update([doc("new", "华为芯片", ("华为",))])
    assert index.lists() == related_articles([*docs, doc("new", "华为芯片", ("华为",))])
    state = RelatedIndex.build(docs).__getstate__()
    state["_layout"] = RelatedIndex.LAYOUT - 1
    with pytest.raises(ValueError, match="another version"):
        RelatedIndex.__new__(RelatedIndex).__setstate__(state)
