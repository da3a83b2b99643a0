from __future__ import annotations

import json
import random
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reasoning
from generators.kgqa import follow_path, render
from generators.kgqa import verify as kgqa_verify
from generators.kgqa.response import cited_triples, normalise, split_entities
from kg import load_kg
from reasoning.cli import main
from reasoning.core import DataError, Verdict
from tests.conftest import shared


def _write_graph(path, seed: int = 0, n: int = 30, edges: int = 90) -> None:
    """A small random head/relation/tail TSV graph (ids double as names)."""
    rng = random.Random(seed)
    rows = set()
    while len(rows) < edges:
        h, t = rng.sample(range(n), 2)
        rows.add(f"node_{h}\trel_{rng.randrange(4)}\tnode_{t}")
    path.write_text("\n".join(sorted(rows)) + "\n", encoding="utf-8")


@pytest.fixture
def tsv_items(tmp_path):
    graph = tmp_path / "g.tsv"
    _write_graph(graph)
    items = reasoning.generate("kgqa", 6, 1, kg=str(graph), hops=2, topic_entities=2)
    return graph, items


# ---------------------------------------------------------------- labels on the default graph
@given(
    st.integers(0, 2**31),
    st.integers(0, 2**31 - 1),
    st.sampled_from([20, 60, 150]),
    st.integers(1, 4),
    st.integers(1, 3),
)
@settings(max_examples=25)
def test_synthetic_items_recheck_and_their_oracle_scores_1(seed, kg_seed, size, hops, topics):
    knobs = {"kg_seed": kg_seed, "kg_size": size, "hops": hops, "topic_entities": topics}
    kg = load_kg("synthetic", kg_seed, size)
    for item in reasoning.generate("kgqa", 2, seed, **knobs):
        reached = [
            follow_path(kg, t, tuple(p))
            for t, p in zip(item.meta["topic_entities"], item.meta["relation_paths"], strict=True)
        ]
        gold = set.intersection(*reached) - set(item.meta["topic_entities"])
        assert sorted(gold) == item.meta["answer_ids"] and 1 <= len(gold) <= 10
        assert reasoning.recheck(item) == []
        oracle = reasoning.get_family("kgqa").oracle(item)
        assert reasoning.verify(item, oracle).score == 1.0
        assert reasoning.recheck(replace(item, answer=["wrong entity"]))


def test_a_synthetic_graph_from_another_generator_is_reported():
    item = reasoning.generate("kgqa", 1, 0)[0]
    assert item.hardness["kg"] == "synthetic" and reasoning.recheck(item) == []
    meta = {**item.meta, "kg": {**item.meta["kg"], "sha256": "0" * 64}}
    with pytest.raises(DataError, match="not the one these items were made from"):
        reasoning.recheck(replace(item, meta=meta))
    meta = {**item.meta, "kg": {**item.meta["kg"], "seed": 1}}
    with pytest.raises(DataError, match="not the one"):
        reasoning.recheck(replace(item, meta=meta))


# ---------------------------------------------------------------- labels on UMLS
@given(st.integers(0, 2**31), st.integers(1, 3), st.integers(1, 3))
@settings(max_examples=25)
def test_answers_are_exactly_what_the_paths_reach(seed, hops, topics):
    shared("kg", "umls")
    kg = load_kg("umls")
    for item in reasoning.generate("kgqa", 2, seed, kg="umls", hops=hops, topic_entities=topics):
        reached = [
            follow_path(kg, t, tuple(p))
            for t, p in zip(item.meta["topic_entities"], item.meta["relation_paths"], strict=True)
        ]
        gold = set.intersection(*reached) - set(item.meta["topic_entities"])
        assert sorted(gold) == item.meta["answer_ids"]
        assert 1 <= len(gold) <= 10
        assert all(len(p) == hops for p in item.meta["relation_paths"])
        assert len(set(item.meta["topic_entities"])) == topics
        assert sorted(kg.name(a) for a in gold) == item.answer
        assert reasoning.recheck(item) == []


def test_scoring_hits_at_1_and_f1():
    shared("kg", "umls")
    item = reasoning.generate("kgqa", 1, 3, kg="umls", hops=1, max_answers=10)[0]
    gold = item.answer
    full = reasoning.verify(item, "Answer: " + "; ".join(reversed(gold)))
    assert full.correct and full.score == 1.0
    wrong_first = reasoning.verify(item, f"Answer: nothing real; {gold[0]}")
    assert not wrong_first.correct
    p, r = 1 / 2, 1 / len(gold)
    assert wrong_first.score == pytest.approx(2 * p * r / (p + r))


def test_cited_facts_are_checked_in_the_graph():
    shared("kg", "umls")
    item = reasoning.generate("kgqa", 1, 4, kg="umls", hops=1)[0]
    kg = load_kg("umls")
    h, r, t = item.meta["formal"]["text"].splitlines()[0].split("\t")
    real = f"({kg.name(h)}, {kg.text(r)}, {kg.name(t)})"
    ok = reasoning.verify(item, f"{real}\nAnswer: {item.answer[0]}")
    assert "not in the graph" not in ok.feedback
    fake = f"({kg.name(t)}, {kg.text(r)}, {kg.name(t)})"
    bad = reasoning.verify(item, f"{fake}\nAnswer: {item.answer[0]}")
    assert bad.correct and f"cited fact not in the graph: {fake}" in bad.feedback


# ---------------------------------------------------------------- hostile responses
_HOSTILE = st.one_of(
    st.integers(0, 5000).map(lambda n: " \t" * n),
    st.integers(0, 2000).map(lambda n: "Answer:" * n),
    st.integers(0, 2000).map(lambda n: "\nanswer -" * n),
    st.integers(0, 5000).map(lambda n: "a," * n),
    st.integers(0, 3000).map(lambda n: "(" * n + "x, y, z" + ")" * (n // 2)),
    st.integers(0, 2000).map(lambda n: "(a, b, c)" * n),
    st.integers(0, 2000).map(lambda n: "(a," + " " * n),
    st.integers(0, 2000).map(lambda n: "\ud800\x00\udfff" * n),
    st.integers(0, 100).map(lambda n: "(\ud800x, r\x00, \udfffy\u2028)" * n),
    st.integers(0, 3000).map(lambda n: "x\n" * n),
    st.integers(0, 2000).map(lambda n: ";" * n),
    st.text(max_size=200),
)


@given(st.lists(_HOSTILE, max_size=6))
@settings(deadline=None, max_examples=60)
def test_hostile_responses_get_a_verdict(tsv_graph_item, pieces):
    """The family's own verify (not the guard around it in reasoning.verify) never raises."""
    item = tsv_graph_item
    verdict = kgqa_verify(item, "".join(pieces))
    assert isinstance(verdict, Verdict)
    assert 0.0 <= verdict.score <= 1.0
    json.dumps(verdict.to_dict(), ensure_ascii=False).encode("utf-8")  # writable as UTF-8
    assert len(verdict.feedback) < 1000


@pytest.fixture(scope="module")
def tsv_graph_item(tmp_path_factory):
    graph = tmp_path_factory.mktemp("kg") / "g.tsv"
    _write_graph(graph)
    return reasoning.generate("kgqa", 1, 0, kg=str(graph), hops=2)[0]


_NAME = st.text("abcdefgh XYZ_-", min_size=1, max_size=12).filter(lambda s: normalise(s))


@given(st.lists(st.tuples(_NAME, st.none() | _NAME), min_size=1, max_size=8), st.data())
def test_answer_names_round_trip(names, data):
    """Names joined by ';' or ',' (a name may carry a '(qualifier, with comma)') come back
    normalised, in order, without duplicates."""
    written = [f"{n} ({q}, {q})" if q else n for n, q in names]
    seps = [data.draw(st.sampled_from(["; ", ", ", " ;", ","])) for _ in written]
    line = "".join(w + s for w, s in zip(written, seps, strict=True))
    expected = list(dict.fromkeys(normalise(w) for w in written))
    assert split_entities(line) == expected


@given(st.lists(st.tuples(_NAME, _NAME, _NAME), min_size=1, max_size=10), st.text("ab (\n"))
def test_cited_triples_are_found_among_noise(triples, noise):
    text = noise.join(f"({h}, {r}, {t})" for h, r, t in triples)
    found = cited_triples(text.replace("(", " ").replace(")", " ") + text)
    assert found == list(dict.fromkeys((h.strip(), r.strip(), t.strip()) for h, r, t in triples))


def test_graph_index_is_built_once_per_graph(tsv_graph_item):
    from generators.kgqa.family import _name_index

    reasoning.verify(tsv_graph_item, "(node_1, rel_0, node_2)\nAnswer: x")
    before = _name_index.cache_info()
    for _ in range(5):
        reasoning.verify(tsv_graph_item, "(node_1, rel_0, node_2)\nAnswer: x")
    after = _name_index.cache_info()
    assert after.misses == before.misses and after.hits == before.hits + 5


# ---------------------------------------------------------------- re-check catches tampering
def test_untampered_items_recheck_clean(tsv_items):
    _, items = tsv_items
    assert [reasoning.recheck(it) for it in items] == [[]] * len(items)


def test_a_wrong_answer_is_a_disagreement(tsv_items):
    for item in tsv_items[1]:
        assert reasoning.recheck(replace(item, answer=["wrong entity"]))
        meta = {**item.meta, "answer_ids": ["node_999"]}
        assert reasoning.recheck(replace(item, meta=meta))
        assert reasoning.recheck(replace(item, answer=item.answer[:-1] or ["x"]))


def _formal_variants(text: str) -> list[str]:
    blocks = text.split("\n\n")
    lines = text.split("\n")
    h, r, t = lines[0].split("\t")
    return [
        "\n\n".join(blocks[:-1]),  # a path missing
        "\n".join(lines[1:]),  # a triple missing
        text.replace(f"{h}\t{r}\t{t}", f"{t}\t{r}\t{h}", 1),  # an edge reversed
        text.replace(f"{h}\t", "node_999\t", 1),  # a path not starting at the topic
        text + "\n\n" + blocks[0],  # a path too many
        text.replace(r, "rel_9"),  # a relation that is not the path's
        "",
    ]


def test_a_tampered_formal_is_a_disagreement(tsv_items):
    for item in tsv_items[1]:
        for text in _formal_variants(item.meta["formal"]["text"]):
            meta = {**item.meta, "formal": {"format": "triples", "text": text}}
            assert reasoning.recheck(replace(item, meta=meta)), text


def test_a_tampered_prompt_is_a_disagreement(tsv_items):
    graph, items = tsv_items
    kg = load_kg(str(graph))
    for item in items:
        lines = item.prompt.split("\n")
        facts = [ln for ln in lines if ln.startswith("(")]
        variants = [
            item.prompt.replace(facts[0] + "\n", "", 1),  # a fact dropped (maybe a gold one)
            item.prompt.replace("Facts:\n", "Facts:\n(node_998, rel_0, node_999)\n", 1),
            item.prompt.replace("Which entities", "Which entity", 1),
            item.prompt.replace(" then ", " and then ", 1),
            item.prompt + "\nIgnore the facts.",
        ]
        gold_fact = render.fact(kg, *item.meta["formal"]["text"].split("\n")[0].split("\t"))
        variants.append(item.prompt.replace(gold_fact + "\n", "").replace(gold_fact, ""))
        for prompt in variants:
            if prompt != item.prompt:
                assert reasoning.recheck(replace(item, prompt=prompt)), prompt
        meta = {**item.meta, "question": "Which entities are nothing?"}
        assert reasoning.recheck(replace(item, meta=meta))


# ---------------------------------------------------------------- graph files
def test_verify_from_another_folder_and_a_changed_graph(tmp_path, monkeypatch, capsys):
    made, elsewhere = tmp_path / "made", tmp_path / "elsewhere"
    made.mkdir()
    elsewhere.mkdir()
    _write_graph(made / "g.tsv", seed=3)
    monkeypatch.chdir(made)
    assert main(["generate", "kgqa", "-n", "3", "--set", "kg=g.tsv", "-o", "out.jsonl", "-q"]) == 0
    monkeypatch.chdir(elsewhere)
    assert main(["verify", str(made / "out.jsonl"), "-q"]) == 0
    item = reasoning.core.read_jsonl(made / "out.jsonl")[0]
    _write_graph(made / "g.tsv", seed=4)
    with pytest.raises(DataError, match=r"g\.tsv changed since"):
        reasoning.recheck(item)
    capsys.readouterr()
    assert main(["verify", str(made / "out.jsonl"), "-q"]) == 2  # a user error: one line
    out, err = capsys.readouterr()
    assert "g.tsv changed since" in err and err.count("\n") == 1
    (made / "g.tsv").unlink()
    with pytest.raises(DataError, match=r"g\.tsv not found"):
        reasoning.recheck(item)


def test_version_1_graph_names_still_read(tsv_items):
    """Generator version 1 wrote meta.kg as the bare spec: a reference graph name still
    rechecks, a relative TSV path is a one-line DataError asking to regenerate."""
    item = tsv_items[1][0]
    with pytest.raises(DataError, match="regenerate the items"):
        reasoning.recheck(replace(item, meta={**item.meta, "kg": "g.tsv"}))
    shared("kg", "umls")
    old = reasoning.generate("kgqa", 1, 2, kg="umls")[0]
    assert reasoning.recheck(replace(old, meta={**old.meta, "kg": "umls"})) == []
