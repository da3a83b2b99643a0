"""`reasoning report RESULTS -o DIR`: a Markdown report and one self-contained HTML page.

Plots (matplotlib, embedded in the page as PNG data, written beside the Markdown):
- survival curves: accuracy (Wilson 95 % bars) against each family's hardness levels,
  one line per variant;
- retention against sparsity, one line per pruning method;
- the paired difference against dense per family, with its bootstrap interval;
- when results.json has the secondary signals (`evals.signals`): accuracy drop vs
  perplexity change, one point per pruned variant (x: log of its held-out perplexity over
  dense's, y: its overall paired difference with the bootstrap interval), beside the same
  drop against its token-level KL from dense; points high on the y-axis drop but low on
  the x-axis are where perplexity understates the reasoning loss; the table then gains
  KL and perplexity columns (overall rows);
and the largest flips (right under dense, wrong under a variant) with prompt, gold and
both answers.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from evals.results import read_results, signal_values, summary_rows
from evals.strategy_report import strategy_html, strategy_plot, strategy_tables
from reasoning.core.output import AtomicFiles

MAX_FLIPS = 12


def _figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    _figure().close(fig)
    return buffer.getvalue()


def error_bars(points: Sequence[tuple[float, float, float]]) -> list[list[float]]:
    """matplotlib's `yerr`/`xerr` for (estimate, low, high) points: [distances down,
    distances up], each clamped at 0, since an interval can miss its own estimate by a
    rounding (Wilson's upper bound at 6 of 6 right is 0.9999999999999999; a paired
    bootstrap over one cluster is a single point computed by another sum) and matplotlib
    rejects a negative bar.

    >>> error_bars([(1.0, 0.6, 0.9999999999999999), (0.5, 0.25, 0.75)])
    [[0.4, 0.25], [0.0, 0.25]]
    """
    return [
        [max(0.0, value - low) for value, low, _ in points],
        [max(0.0, high - value) for value, _, high in points],
    ]


def _family_groups(groups: dict) -> dict[str, list[str]]:
    by_family: dict[str, list[str]] = defaultdict(list)
    for name in groups:
        if name != "overall":
            by_family[name.split(" ")[0]].append(name)
    return by_family


def survival_plot(groups: dict, variants: list[str]) -> bytes:
    """Accuracy vs hardness level per family (one panel each), a line per variant."""
    plt = _figure()
    families = _family_groups(groups)
    fig, axes = plt.subplots(1, len(families), figsize=(4.2 * len(families), 3.4), squeeze=False)
    for ax, (family, names) in zip(axes[0], sorted(families.items()), strict=True):
        labels = [n.partition(" ")[2] or family for n in names]
        for variant in variants:
            acc = [groups[n]["variants"].get(variant) for n in names]
            if any(a is None for a in acc):
                continue
            y = [a["accuracy"] for a in acc]
            err = error_bars([(a["accuracy"], *a["wilson95"]) for a in acc])
            ax.errorbar(range(len(names)), y, yerr=err, marker="o", capsize=3, label=variant)
        ax.set_xticks(range(len(names)), labels, rotation=30, ha="right", fontsize=8)
        ax.set_ylim(-0.02, 1.02)
        ax.set_title(family)
        ax.set_ylabel("accuracy (Wilson 95 %)")
    axes[0][-1].legend(fontsize=7, loc="best")
    return _png(fig)


def _sparsity(spec: dict) -> float | None:
    if spec.get("sparsity") is not None:
        return float(spec["sparsity"])
    if spec.get("pattern"):
        n, m = (int(x) for x in spec["pattern"].split(":"))
        return 1 - n / m
    return None


def retention_plot(results: dict) -> bytes | None:
    """Overall retention against sparsity, a line per pruning method (None if nothing
    was pruned on the fly)."""
    points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    overall = results["groups"]["overall"]["vs_dense"]
    for variant in results["variants"]:
        spec, name = variant["spec"], variant["name"]
        sparsity = _sparsity(spec)
        retention = overall.get(name, {}).get("retention")
        if spec.get("method") and sparsity is not None and retention is not None:
            label = spec["method"] + (f" {spec['pattern']}" if spec.get("pattern") else "")
            points[label].append((sparsity, retention))
    if not points:
        return None
    plt = _figure()
    fig, ax = plt.subplots(figsize=(5, 3.4))
    for label, xy in sorted(points.items()):
        xy = sorted([(0.0, 1.0), *xy])
        ax.plot([x for x, _ in xy], [y for _, y in xy], marker="o", label=label)
    ax.set_xlabel("sparsity")
    ax.set_ylabel("retention = acc(variant) / acc(dense)")
    ax.axhline(1.0, color="grey", lw=0.5)
    ax.legend(fontsize=8)
    return _png(fig)


def difference_plot(groups: dict, variants: list[str]) -> bytes | None:
    """Paired difference vs dense per family (bootstrap 95 % interval), per variant."""
    families = sorted(_family_groups(groups))
    rows = [(f, v) for f in families for v in variants if v != "dense"]
    if not rows:
        return None
    plt = _figure()
    fig, ax = plt.subplots(figsize=(6, 0.3 * len(rows) + 1.2))
    for i, (family, variant) in enumerate(rows):
        per_group = [groups[n]["vs_dense"].get(variant) for n in _family_groups(groups)[family]]
        n = sum(p["n"] for p in per_group if p)
        if not n:
            continue
        diff = sum(p["difference"] * p["n"] for p in per_group if p) / n
        low = sum(p["difference_ci"][0] * p["n"] for p in per_group if p) / n
        high = sum(p["difference_ci"][1] * p["n"] for p in per_group if p) / n
        ax.errorbar([diff], [i], xerr=error_bars([(diff, low, high)]), fmt="o", capsize=3)
    ax.set_yticks(range(len(rows)), [f"{f} / {v}" for f, v in rows], fontsize=8)
    ax.axvline(0.0, color="grey", lw=0.5)
    ax.set_xlabel("acc(variant) - acc(dense), mean over levels (95 % bootstrap)")
    return _png(fig)


def _signal_points(results: dict) -> list[tuple[str, float | None, float | None, dict]]:
    """(variant, log perplexity ratio vs dense or None, mean KL or None, overall paired
    comparison) for each variant with a comparison and at least one signal."""
    values = signal_values(results["variants"])
    dense_ppl = values.get("dense", (None, None))[1]
    overall = results["groups"]["overall"]["vs_dense"]
    points = []
    for name, (kl, ppl) in values.items():
        ratio = math.log(ppl / dense_ppl) if ppl and dense_ppl else None
        if name != "dense" and name in overall and (ratio is not None or kl is not None):
            points.append((name, ratio, kl, overall[name]))
    return points


def signals_plot(results: dict) -> bytes | None:
    """Accuracy drop vs perplexity change (and vs token KL), a point per variant with its
    bootstrap interval; None when results.json has no signals to plot."""
    points = _signal_points(results)
    panels = [
        (1, "log(perplexity / dense perplexity), held-out text"),
        (2, "token KL(dense || variant), nats, eval prompts"),
    ]
    panels = [(k, label) for k, label in panels if any(p[k] is not None for p in points)]
    if not panels:
        return None
    plt = _figure()
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 3.6), squeeze=False)
    for ax, (k, label) in zip(axes[0], panels, strict=True):
        for point in (p for p in points if p[k] is not None):
            name, x, paired = point[0], point[k], point[3]
            diff, (low, high) = paired["difference"], paired["difference_ci"]
            ax.errorbar([x], [diff], yerr=error_bars([(diff, low, high)]), fmt="o", capsize=3)
            ax.annotate(name, (x, diff), fontsize=7, xytext=(4, 4), textcoords="offset points")
        ax.axhline(0.0, color="grey", lw=0.5)
        ax.axvline(0.0, color="grey", lw=0.5)
        ax.set_xlabel(label, fontsize=8)
    axes[0][0].set_ylabel("acc(variant) - acc(dense), 95 % bootstrap", fontsize=8)
    fig.suptitle("accuracy drop vs perplexity change", fontsize=10)
    return _png(fig)


def largest_flips(samples: list[dict], items: dict, limit: int = MAX_FLIPS) -> list[dict]:
    """Items right under dense and wrong under a variant, most-failed items first (direct
    answers only: loop strategies' rows are left out)."""
    samples = [s for s in samples if s.get("strategy", "direct") == "direct"]
    dense = {s["item_id"]: s for s in samples if s["variant"] == "dense" and s["sample"] == 0}
    flips: dict[str, list[dict]] = defaultdict(list)
    for s in samples:
        base = dense.get(s["item_id"])
        if s["variant"] != "dense" and s["sample"] == 0 and base and base["correct"]:
            if not s["correct"]:
                flips[s["item_id"]].append(s)
    ranked = sorted(flips.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:limit]
    return [
        {
            "item": items[item_id],
            "dense": dense[item_id]["completion"],
            "variants": {s["variant"]: s["completion"] for s in rows},
        }
        for item_id, rows in ranked
    ]


def _signal_cells(results: dict) -> dict[str, str] | None:
    """variant -> 'KL | perplexity (x dense)' table cells; None when no variant has a
    signal (the table then has no signal columns)."""
    values = signal_values(results["variants"])
    if all(kl is None and ppl is None for kl, ppl in values.values()):
        return None
    dense_ppl = values.get("dense", (None, None))[1]
    cells = {}
    for name, (kl, ppl) in values.items():
        ppl_text = "–" if ppl is None else f"{ppl:.4g}"
        if ppl is not None and dense_ppl and name != "dense":
            ppl_text += f" (×{ppl / dense_ppl:.3f})"
        cells[name] = f"{'–' if kl is None else f'{kl:.3g}'} | {ppl_text}"
    return cells


def _table(results: dict, variants: list[str]) -> list[str]:
    signals = _signal_cells(results)
    head = "| group | variant | n | accuracy [95 %] | no answer | retention | diff [95 %] | "
    head += "McNemar p |" + (" KL | perplexity (× dense) |" if signals else "")
    lines = [head, "|---" * head.count(" | ") + "|---|"]
    for group, v, a, p in summary_rows(results["groups"], variants):
        paired = (
            f"{p['retention'] if p['retention'] is None else round(p['retention'], 3)} | "
            f"{p['difference']:+.3f} [{p['difference_ci'][0]:+.3f}, "
            f"{p['difference_ci'][1]:+.3f}] | {p['mcnemar_p']:.3g}"
            if p
            else "– | – | –"
        )
        row = (
            f"| {group} | {v} | {a['n']} | {a['accuracy']:.3f} [{a['wilson95'][0]:.2f}, "
            f"{a['wilson95'][1]:.2f}] | {a['no_answer_rate']:.3f} | {paired} |"
        )
        if signals:
            row += f" {signals.get(v, '– | –') if group == 'overall' else '– | –'} |"
        lines.append(row)
    return lines


def build_report(results_dir: str | Path, out_dir: str | Path) -> Path:
    """Write report.md, report.html and the plots' PNG files into `out_dir`."""
    results, samples, items = read_results(results_dir)
    variants = [v["name"] for v in results["variants"]]
    plots = {
        "survival": survival_plot(results["groups"], variants),
        "retention": retention_plot(results),
        "difference": difference_plot(results["groups"], variants),
        "perplexity": signals_plot(results),
        "strategies": strategy_plot(results),
    }
    plots = {k: v for k, v in plots.items() if v is not None}
    flips = largest_flips(samples, {i.id: i for i in items})
    md, body = _markdown(results, variants, plots, flips), _html(results, variants, plots, flips)
    out = Path(out_dir)
    names = ["report.md", "report.html", *(f"{k}.png" for k in plots)]
    with AtomicFiles([out / n for n in names], inputs=[Path(results_dir) / "results.json"]) as f:
        targets = dict(zip(names, f.targets, strict=True))
        f.temp(targets["report.md"]).write_text(md, encoding="utf-8")
        f.temp(targets["report.html"]).write_text(body, encoding="utf-8")
        for key, png in plots.items():
            f.temp(targets[f"{key}.png"]).write_bytes(png)
    return out


def _markdown(results, variants, plots, flips) -> str:
    lines = [
        f"# Survival report: {results['config'].get('model')}",
        "",
        f"{results['items']['count']} items, variants: {', '.join(variants)}; "
        f"package {results['package_version']}, created {results['created']}.",
        "",
    ]
    lines += _table(results, variants) + [""]
    lines += [f"![{k}]({k}.png)" for k in plots if k != "strategies"] + [""]
    lines += strategy_tables(results)
    lines += ["![strategies](strategies.png)", ""] if "strategies" in plots else []
    lines += ["## Largest flips", ""]
    for flip in flips:
        item = flip["item"]
        lines += [f"### {item.id} (gold: {item.answer})", "", "```text", item.prompt[:1500],
                  "```", f"- dense: {flip['dense'][:300]!r}"]  # fmt: skip
        lines += [f"- {v}: {text[:300]!r}" for v, text in flip["variants"].items()] + [""]
    return "\n".join(lines) + "\n"


def _html(results, variants, plots, flips) -> str:
    esc = html.escape
    rows = _table(results, variants)
    cells = [r.strip("|").split(" | ") for r in rows[:1] + rows[2:]]
    table = "".join(
        "<tr>" + "".join(f"<{tag}>{esc(c.strip())}</{tag}>" for c in row) + "</tr>"
        for tag, row in (("th" if i == 0 else "td", row) for i, row in enumerate(cells))
    )
    images = "".join(
        f'<h2>{esc(k)}</h2><img alt="{esc(k)}" src="data:image/png;base64,'
        f'{base64.b64encode(png).decode()}">'
        for k, png in plots.items()
        if k != "strategies"
    )
    strategies = strategy_html(strategy_tables(results))
    if "strategies" in plots:
        strategies += (
            '<img alt="accuracy by strategy" src="data:image/png;base64,'
            f'{base64.b64encode(plots["strategies"]).decode()}">'
        )
    flip_html = "".join(
        f"<h3>{esc(f['item'].id)} (gold: {esc(str(f['item'].answer))})</h3>"
        f"<pre>{esc(f['item'].prompt[:1500])}</pre><ul><li>dense: {esc(f['dense'][:300])}</li>"
        + "".join(f"<li>{esc(v)}: {esc(t[:300])}</li>" for v, t in f["variants"].items())
        + "</ul>"
        for f in flips
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Survival report</title>"
        "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}"
        "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;"
        "padding:2px 6px}pre{background:#f6f6f6;white-space:pre-wrap}</style></head><body>"
        f"<h1>Survival report: {esc(str(results['config'].get('model')))}</h1>"
        f"<p>{results['items']['count']} items; variants: {esc(', '.join(variants))}</p>"
        f"<table>{table}</table>{images}{strategies}<h2>Largest flips</h2>{flip_html}"
        "</body></html>\n"
    )
