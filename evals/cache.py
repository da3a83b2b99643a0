"""A model-aware, resumable completion cache.

Every completion is stored under a key built from exactly what decides it: the variant's
fingerprint (a hash of the current weights for a local model, endpoint + model + revision
for a remote one), the exact prompt or chat messages, the generation settings that change
a completion, and the sample index. lm-evaluation-harness keys its cache on the request
alone, so a second model is served the first one's answers (its issues #2715, #4063);
here a pruned model never shares a key with its dense base, even when pruned in place,
because the fingerprint is recomputed from the weights each time the wrapper is asked.

Storage is SQLite in WAL mode, one transaction per batch: a batch is in the file whole or
not at all, so `kill -9` between batches loses at most the batch in flight, and the key is
the primary key, so a resumed run neither recomputes nor duplicates a stored completion
(JSONL would need its own fsync, torn-line repair and de-duplication for the same
guarantees). Failed completions (finish_reason 'error') are not stored: a rerun retries
them.

Samples: `CachedBackend.generate(..., sample=k)` (and `chat`) draws sample k with the
settings of `sample_settings(settings, k)` (its own seed; sample 0 is `settings` itself)
and keys it by k, so n samples of a prompt are k = 0 .. n-1 and each is generated once.
Chat conversations are keyed on their exact message list (canonical JSON).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import asdict
from pathlib import Path
from typing import Any

from reasoning.models.base import (
    Backend,
    Completion,
    GenerationSettings,
    Message,
    check_conversations,
    sample_settings,
)

Item = str | list[Message]  # a prompt, or a conversation

_SCHEMA = """
CREATE TABLE IF NOT EXISTS completions (
    key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    prompt_sha256 TEXT NOT NULL,
    settings TEXT NOT NULL,
    sample INTEGER NOT NULL,
    completion TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (kind, key)
)
"""


def cache_key(fingerprint: str, prompt: str | list[dict], settings: dict, sample: int) -> str:
    """sha256 of the canonical JSON of (fingerprint, prompt or messages, settings, sample)."""
    text = json.dumps(
        [fingerprint, prompt, settings, sample], sort_keys=True, ensure_ascii=False
    ).encode("utf-8", "surrogatepass")
    return hashlib.sha256(text).hexdigest()


def _prompt_hash(prompt: str | list[dict]) -> str:
    text = prompt if isinstance(prompt, str) else json.dumps(prompt, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class CompletionCache:
    """Completions on disk by key. Use as a context manager, or call `close`."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # WAL: durable against process kill
        self._db.executescript(_SCHEMA)
        self._db.commit()

    def get_many(self, keys: Sequence[str]) -> dict[str, Completion]:
        """The stored completions among `keys`."""
        found: dict[str, Completion] = {}
        for start in range(0, len(keys), 500):  # SQLite's bound-parameter limit
            chunk = list(keys[start : start + 500])
            marks = ",".join("?" * len(chunk))
            with closing(self._db.cursor()) as cursor:
                rows = cursor.execute(
                    f"SELECT key, completion FROM completions WHERE key IN ({marks})", chunk
                ).fetchall()
            for key, blob in rows:
                found[key] = Completion(**json.loads(blob))
        return found

    def put_many(self, rows: Sequence[tuple[str, str, str, str, int, Completion]]) -> int:
        """Store (key, fingerprint, prompt hash, settings JSON, sample, completion) rows in
        one transaction; keys already present are kept as they are. Returns rows added."""
        records = [
            (key, fp, ph, st, sample, json.dumps(asdict(c), ensure_ascii=True))
            for key, fp, ph, st, sample, c in rows
            if c.finish_reason != "error"
        ]
        with self._db:
            before = self._db.total_changes
            self._db.executemany(
                "INSERT OR IGNORE INTO completions VALUES (?, ?, ?, ?, ?, ?)", records
            )
            return self._db.total_changes - before

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM completions").fetchone()[0]

    def put_record(self, kind: str, key: str, value: Any) -> None:
        """Store a JSON value under (kind, key), replacing any older one (e.g. kind
        'pruned': what pruning a base with a spec produced; see `evals.reuse`)."""
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO records VALUES (?, ?, ?)",
                (kind, key, json.dumps(value, sort_keys=True, ensure_ascii=True)),
            )

    def get_record(self, kind: str, key: str) -> Any:
        """The JSON value stored under (kind, key), or None."""
        row = self._db.execute(
            "SELECT value FROM records WHERE kind = ? AND key = ?", (kind, key)
        ).fetchone()
        return None if row is None else json.loads(row[0])

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> CompletionCache:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class CachedBackend:
    """A backend whose completions go through a `CompletionCache`: only missing ones are
    generated, and each batch is stored as soon as it is back."""

    def __init__(self, backend: Backend, cache: CompletionCache) -> None:
        self.backend = backend
        self.cache = cache
        self.name = backend.name
        self.hits = 0
        self.misses = 0

    def fingerprint(self) -> str:
        return self.backend.fingerprint()

    def generate(
        self, prompts: Sequence[str], settings: GenerationSettings, sample: int = 0
    ) -> list[Completion]:
        """Sample `sample` of each prompt's completion, in order, from the cache where
        stored (drawn with `sample_settings(settings, sample)`). The variant's fingerprint
        is taken once per call, from the weights as they are now."""
        return self._through_cache(list(prompts), settings, sample, self.backend.generate)

    def chat(
        self,
        conversations: Sequence[Sequence[Message]],
        settings: GenerationSettings,
        sample: int = 0,
    ) -> list[Completion]:
        """Sample `sample` of each conversation's next assistant turn, in order, from the
        cache where stored, keyed on the exact message list; BackendError (one line) for a
        malformed conversation before anything is looked up or generated."""
        checked = check_conversations(conversations)
        return self._through_cache(checked, settings, sample, self.backend.chat)

    def _through_cache(
        self,
        items: list[Item],
        settings: GenerationSettings,
        sample: int,
        call: Callable[[list, GenerationSettings], list[Completion]],
    ) -> list[Completion]:
        """`call` on the items not stored yet (each distinct item once, `batch_size` at a
        time, each batch stored as soon as it is back); every item's completion, in order."""
        drawn = sample_settings(settings, sample)
        fingerprint = self.backend.fingerprint()
        key_settings = drawn.key()
        settings_text = json.dumps(key_settings, sort_keys=True)
        keys = [cache_key(fingerprint, item, key_settings, sample) for item in items]
        stored = self.cache.get_many(keys)
        results: dict[str, Completion] = dict(stored)
        first_index: dict[str, int] = {}
        for i, key in enumerate(keys):
            if key not in stored:
                first_index.setdefault(key, i)
        todo = list(first_index)
        self.hits += len(keys) - sum(k not in stored for k in keys)
        self.misses += len(todo)
        step = max(1, settings.batch_size)
        for start in range(0, len(todo), step):
            batch = todo[start : start + step]
            outs = call([items[first_index[k]] for k in batch], drawn)
            rows = []
            for key, out in zip(batch, outs, strict=True):
                results[key] = out
                item = items[first_index[key]]
                rows.append((key, fingerprint, _prompt_hash(item), settings_text, sample, out))
            self.cache.put_many(rows)
        return [results[k] for k in keys]
