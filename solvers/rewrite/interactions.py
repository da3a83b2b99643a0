"""Feeding / bleeding / counter-feeding / counter-bleeding, measured on data.

For an ordered pair of rules i < j and each example, with `before` the string just before
rule i in the actual derivation:
- feeding: applying i gives j more sites than skipping i would (i creates j's input);
- bleeding: applying i leaves j fewer sites (i destroys j's input);
- counter-feeding: had j applied first, i would have had more sites (the order prevents
  j from feeding i);
- counter-bleeding: had j applied first, i would have had fewer sites, yet i did apply.
A pair counts once per category if it shows the effect on at least one example. Unlike
static string tests on the rules, a pair whose sites never occur in the data counts nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from solvers.rewrite.cascade import Rule, run_cascade, trace

CATEGORIES = ("feeding", "bleeding", "counterfeeding", "counterbleeding")


def measure_interactions(inputs: Sequence[str], rules: Sequence[Rule]) -> dict[str, int]:
    """Pair counts per category. Cost: O(n_rules² · n_examples · cascade run)."""
    counts = dict.fromkeys(CATEGORIES, 0)
    traces = [trace(s, rules) for s in inputs]
    for i, (pi, _) in enumerate(rules):
        for j in range(i + 1, len(rules)):
            pj, _ = rules[j]
            seen: set[str] = set()
            for states in traces:
                before = states[i]
                with_i = states[j].count(pj)
                without_i = run_cascade(before, rules[i + 1 : j]).count(pj)
                if with_i > without_i:
                    seen.add("feeding")
                elif with_i < without_i:
                    seen.add("bleeding")
                sites_i = before.count(pi)
                j_first = run_cascade(before, [rules[j]]).count(pi)
                if j_first > sites_i:
                    seen.add("counterfeeding")
                elif j_first < sites_i and sites_i > 0:
                    seen.add("counterbleeding")
            for name in seen:
                counts[name] += 1
    return counts
