"""Our relation-path enumeration vs networkx.all_simple_paths on FB15k-237.

    python benchmarks/kg_paths.py [--pairs 50] [--hops 3]

For random entity pairs at distance <= hops: the node-path sets must be equal; prints the
median time per pair for each and the speed ratio.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import networkx as nx

from kg import load_kg


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=50)
    parser.add_argument("--hops", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    kg = load_kg("fb15k237")
    graph = kg.collapsed()
    rng = random.Random(args.seed)
    entities = kg.entities
    pairs = []
    while len(pairs) < args.pairs:
        s = rng.choice(entities)
        near = sorted(v for v, d in kg.distances(s, args.hops).items() if d >= 1)
        if near:
            pairs.append((s, rng.choice(near)))
    ours_t, nx_t, equal, paths = [], [], 0, 0
    for s, t in pairs:
        start = time.perf_counter()
        ours = {p.nodes for p in kg.paths(s, t, args.hops)}
        ours_t.append(time.perf_counter() - start)
        start = time.perf_counter()
        ref = {tuple(p) for p in nx.all_simple_paths(graph, s, t, cutoff=args.hops)}
        nx_t.append(time.perf_counter() - start)
        equal += ours == ref
        paths += len(ref)
    a, b = statistics.median(ours_t), statistics.median(nx_t)
    print(f"FB15k-237, {len(pairs)} random pairs at distance <= {args.hops}, {paths} node paths")
    print(f"{'':<28} {'median s/pair':>14} {'total s':>8}")
    print(f"{'ours (kg.paths)':<28} {a:>14.4f} {sum(ours_t):>8.2f}")
    print(f"{'networkx all_simple_paths':<28} {b:>14.4f} {sum(nx_t):>8.2f}")
    print(f"path sets equal: {equal}/{len(pairs)}; speed ratio (median): {b / a:.1f}x")


if __name__ == "__main__":
    main()
