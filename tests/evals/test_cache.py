"""The completion cache: keyed on the model's current fingerprint, resumable, no duplicates."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field

from hypothesis import given
from hypothesis import strategies as st

from evals.cache import CachedBackend, CompletionCache, cache_key
from reasoning.models.base import Completion, GenerationSettings


@dataclass
class Echo:
    """A fake model: its answer depends on its weights and the prompt; counts calls."""

    weights: int = 0
    name: str = "echo"
    asked: list[str] = field(default_factory=list)

    def fingerprint(self) -> str:
        return f"echo-{self.weights}"

    def generate(self, prompts, settings):
        self.asked.extend(prompts)
        return [Completion(f"{p}|w={self.weights}", 3, 2) for p in prompts]


SETTINGS = GenerationSettings(max_new_tokens=8, batch_size=3)


@given(st.lists(st.text(max_size=12), max_size=20))
def test_a_second_ask_is_served_from_the_cache(tmp_path_factory, prompts):
    path = tmp_path_factory.mktemp("cache") / "c.sqlite"
    model = Echo()
    with CompletionCache(path) as cache:
        first = CachedBackend(model, cache).generate(prompts, SETTINGS)
    assert len(model.asked) == len(set(prompts))  # a repeated prompt is generated once
    model.asked.clear()
    with CompletionCache(path) as cache:  # reopened, as a resumed run does
        again = CachedBackend(model, cache).generate(prompts, SETTINGS)
    assert again == first
    assert model.asked == []


def test_a_model_changed_in_place_is_never_served_old_answers(tmp_path):
    model = Echo(weights=0)
    with CompletionCache(tmp_path / "c.sqlite") as cache:
        cached = CachedBackend(model, cache)
        dense = cached.generate(["p1", "p2"], SETTINGS)
        model.weights = 1  # pruned in place: same object, new weights
        pruned = cached.generate(["p1", "p2"], SETTINGS)
    assert [c.text for c in dense] == ["p1|w=0", "p2|w=0"]
    assert [c.text for c in pruned] == ["p1|w=1", "p2|w=1"]


@given(st.text(max_size=8), st.integers(0, 3), st.integers(0, 3))
def test_every_part_of_the_key_matters(prompt, sample, other):
    base = cache_key("fp", prompt, SETTINGS.key(), sample)
    assert base == cache_key("fp", prompt, SETTINGS.key(), sample)
    assert base != cache_key("fp2", prompt, SETTINGS.key(), sample)
    assert base != cache_key("fp", prompt + "x", SETTINGS.key(), sample)
    assert base != cache_key("fp", [{"role": "user", "content": prompt}], SETTINGS.key(), sample)
    hotter = GenerationSettings(max_new_tokens=8, temperature=0.5).key()
    assert base != cache_key("fp", prompt, hotter, sample)
    assert (base == cache_key("fp", prompt, SETTINGS.key(), other)) == (sample == other)


def test_failed_completions_are_retried_not_stored(tmp_path):
    class Flaky(Echo):
        def generate(self, prompts, settings):
            self.asked.extend(prompts)
            return [Completion("", 0, 0, "error", "boom") for _ in prompts]

    with CompletionCache(tmp_path / "c.sqlite") as cache:
        flaky = Flaky()
        CachedBackend(flaky, cache).generate(["a", "b"], SETTINGS)
        assert len(cache) == 0
        CachedBackend(flaky, cache).generate(["a", "b"], SETTINGS)
    assert flaky.asked == ["a", "b", "a", "b"]


RUNNER = textwrap.dedent(
    """
    import sys, time
    from evals.cache import CachedBackend, CompletionCache
    from reasoning.models.base import Completion, GenerationSettings

    class Slow:
        name = "slow"
        def fingerprint(self):
            return "slow-1"
        def generate(self, prompts, settings):
            with open(sys.argv[2], "a") as log:
                log.write("".join(p + "\\n" for p in prompts))
            time.sleep(float(sys.argv[3]))
            return [Completion("answer to " + p) for p in prompts]

    prompts = [f"prompt {i}" for i in range(40)]
    with CompletionCache(sys.argv[1]) as cache:
        out = CachedBackend(Slow(), cache).generate(prompts, GenerationSettings(batch_size=4))
    assert [c.text for c in out] == ["answer to " + p for p in prompts]
    """
)


def test_kill_9_mid_run_then_rerun_loses_and_duplicates_nothing(tmp_path):
    script = tmp_path / "run.py"
    script.write_text(RUNNER)
    db, log = tmp_path / "c.sqlite", tmp_path / "asked.txt"
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    proc = subprocess.Popen([sys.executable, str(script), str(db), str(log), "0.2"], env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # wait until some batches are stored, not all
        if db.exists() and log.exists() and len(log.read_text().splitlines()) >= 12:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with CompletionCache(db) as cache:
        stored_before = len(cache)
    assert 0 < stored_before < 40
    first_run = log.read_text().splitlines()
    log.unlink()
    done = subprocess.run([sys.executable, str(script), str(db), str(log), "0"], env=env)
    assert done.returncode == 0
    second_run = log.read_text().splitlines()
    with CompletionCache(db) as cache:
        assert len(cache) == 40  # every prompt once: nothing lost, nothing duplicated
    assert len(second_run) == 40 - stored_before  # nothing stored was asked again
    assert set(second_run).isdisjoint(first_run[:stored_before])
