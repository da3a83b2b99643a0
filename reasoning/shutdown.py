"""Ending a command cleanly on Ctrl-C (SIGINT) or SIGTERM.

Both signals become exceptions in the main thread (KeyboardInterrupt and `Terminated`),
so the same cleanup runs as for any error: temporary outputs are removed, worker pools
are stopped, and the CLI prints one line and exits 130 or 143.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_TERMINATED = 143  # 128 + SIGTERM


class Terminated(BaseException):  # noqa: N818 - named for the signal, like KeyboardInterrupt
    """SIGTERM arrived; raised in the main thread so cleanup code runs."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated()


@contextmanager
def signals_as_exceptions() -> Iterator[None]:
    """Within the block, SIGTERM raises `Terminated` (SIGINT already raises
    KeyboardInterrupt). A no-op off the main thread or where SIGTERM is ignored; the
    previous handler comes back after."""
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
    ):
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
