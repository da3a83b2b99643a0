"""Knowledge graphs (networkx) and the pruned multi-hop path explorer (coming with the KG issue)."""
