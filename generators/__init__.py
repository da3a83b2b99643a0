"""One package or module per task family. Each exposes `FAMILY` (a `reasoning.core.Family`)."""
