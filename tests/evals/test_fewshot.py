"""k-shot prompts: demonstrations from their own seed range, same family and knobs, never
the item's cluster, never an evaluation item; the item itself is untouched."""

from __future__ import annotations

import pytest

import reasoning
from evals.fewshot import HEADER, SEPARATOR, shot_prompts
from reasoning.core import ConfigError
from reasoning.core.seeds import check_disjoint, demonstration_seed, purpose
from reasoning.registry import get_family


@pytest.mark.parametrize("family,knobs", [("kgqa", {"hops": 1}), ("logicasker", {"steps": 1}),
                                          ("nlsat", {"n_vars": 3})])  # fmt: skip
def test_k_shot_prompts_show_k_solved_items_of_the_same_kind(family, knobs):
    items = reasoning.generate(family, 6, seed=0, **knobs)
    prompts = shot_prompts(items, 3, seed=0)
    fam = get_family(family)
    demos = reasoning.generate(family, 12, demonstration_seed(0), **knobs)
    check_disjoint([i.id for i in items], [d.id for d in demos], "demonstration")
    for item in items:
        text = prompts[item.id]
        assert text.startswith(HEADER) and text.endswith(item.prompt)
        shown = [d for d in demos if d.prompt in text]
        assert len(shown) == 3 == text.count(SEPARATOR)
        assert all(f"{d.prompt}\n{fam.oracle(d)}" in text for d in shown)
        assert all(fam.cluster_of(d) != fam.cluster_of(item) for d in shown)
        assert item.prompt not in (d.prompt for d in shown)


def test_zero_shots_is_the_items_own_prompt_and_bad_k_is_refused():
    items = reasoning.generate("nlsat", 3, seed=0, n_vars=3)
    assert shot_prompts(items, 0) == {i.id: i.prompt for i in items}
    for bad in (-1, 17, 1.5, True):
        with pytest.raises(ConfigError):
            shot_prompts(items, bad)
    assert purpose(demonstration_seed(5)) == "demonstration"
