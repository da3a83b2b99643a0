"""The report's strategies section (when results.json has `strategies`): per family (and
overall) a table of accuracy by strategy x variant with model calls and completion tokens
per item and the recovered fraction of the pruning loss, and one plot: accuracy by
strategy for each variant (a panel per family, Wilson 95 % bars)."""

from __future__ import annotations

import html

from evals.strategy_eval import recovered_text, strategy_rows

HEAD = (
    "| strategy | variant | n | accuracy [95 %] | vs direct [95 %] | calls/item | "
    "completion tokens/item | recovered [95 %] | extra tokens/item |"
)


def _family_level(group: str) -> bool:
    return " " not in group  # 'overall' or a family; hardness groups have knob=value


def strategy_tables(results: dict) -> list[str]:
    """Markdown lines of the strategies section; [] when results.json has none."""
    summary = results.get("strategies")
    if not summary:
        return []
    variants = [v["name"] for v in results["variants"]]
    lines = [
        "## Strategies",
        "",
        "Every strategy x variant answered the same items; the loop saw no gold. "
        "Recovered = (acc(variant + strategy) - acc(variant, direct)) / (acc(dense, direct) "
        "- acc(variant, direct)), paired-bootstrap 95 % interval; n/a when the variant "
        "lost nothing. Calls and tokens are per item, summed over the loop's calls.",
        "",
    ]
    current = None
    for group, name, variant, block in strategy_rows(summary, variants):
        if not _family_level(group):
            continue
        if group != current:
            lines += ([""] if current else []) + [f"### {group}", "", HEAD, "|---" * 9 + "|"]
            current = group
        lines.append(_row(name, variant, block))
    return [*lines, ""]


def _row(name: str, variant: str, block: dict) -> str:
    low, high = block["wilson95"]
    paired = block.get("vs_direct")
    vs = (
        f"{paired['difference']:+.3f} [{paired['difference_ci'][0]:+.2f}, "
        f"{paired['difference_ci'][1]:+.2f}]"
        if paired
        else "–"
    )
    rec = block.get("recovered") or {}
    extra = rec.get("extra_completion_tokens_per_item")
    return (
        f"| {name} | {variant} | {block['n']} | {block['accuracy']:.3f} [{low:.2f}, "
        f"{high:.2f}] | {vs} | {block['calls_per_item']:.2f} | "
        f"{block['mean_completion_tokens']:.1f} | {recovered_text(block)} | "
        f"{'–' if extra is None else f'{extra:+.1f}'} |"
    )


def strategy_html(lines: list[str]) -> str:
    """The Markdown section above as HTML (headings and tables)."""
    esc = html.escape
    parts, rows = [], []
    for line in [*lines, ""]:
        if line.startswith("|"):
            if not line.startswith("|---"):
                rows.append([c.strip() for c in line.strip("|").split(" | ")])
            continue
        if rows:
            head, *body = rows
            parts.append(
                "<table><tr>" + "".join(f"<th>{esc(c)}</th>" for c in head) + "</tr>"
                + "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>"
                          for r in body)
                + "</table>"
            )  # fmt: skip
            rows = []
        if line.startswith("### "):
            parts.append(f"<h3>{esc(line[4:])}</h3>")
        elif line.startswith("## "):
            parts.append(f"<h2>{esc(line[3:])}</h2>")
        elif line:
            parts.append(f"<p>{esc(line)}</p>")
    return "".join(parts)


def strategy_plot(results: dict) -> bytes | None:
    """Accuracy (Wilson 95 %) by strategy for each variant, a panel per family; None
    when results.json has no strategies."""
    summary = results.get("strategies")
    if not summary:
        return None
    from evals.report import _figure, _png, error_bars

    variants = [v["name"] for v in results["variants"]]
    groups = summary["groups"]
    families = sorted(g for g in groups if _family_level(g) and g != "overall")
    names = summary["names"]
    plt = _figure()
    width = 0.8 / max(1, len(names))
    fig, axes = plt.subplots(
        1, len(families), figsize=(max(4.2, 1.1 * len(variants) + 1.5) * len(families), 3.4),
        squeeze=False,
    )  # fmt: skip
    for ax, family in zip(axes[0], families, strict=True):
        for k, name in enumerate(names):
            blocks = [groups[family].get(name, {}).get(v) for v in variants]
            xs = [i + (k - (len(names) - 1) / 2) * width for i in range(len(variants))]
            shown = [(x, b) for x, b in zip(xs, blocks, strict=True) if b is not None]
            if not shown:
                continue
            y = [b["accuracy"] for _, b in shown]
            err = error_bars([(b["accuracy"], *b["wilson95"]) for _, b in shown])
            ax.bar([x for x, _ in shown], y, width, yerr=err, capsize=2, label=name)
        ax.set_xticks(range(len(variants)), variants, rotation=30, ha="right", fontsize=8)
        ax.set_ylim(0, 1.05)
        ax.set_title(family)
        ax.set_ylabel("accuracy (Wilson 95 %)")
    axes[0][-1].legend(fontsize=7, loc="best")
    return _png(fig)
