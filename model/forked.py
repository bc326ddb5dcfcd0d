"""Run one function in a forked child process while this one goes on (charts beside plan.xlsx).

Only from a main process on a machine with two or more cores where fork exists (Linux, macOS):
in a batch or cluster worker the cores are already busy, and spawning a fresh interpreter would
cost more than it saves. Elsewhere the function simply runs when its result is asked for.
The child gets this process's memory as it is (nothing pickled in); its result, or the
exception it raised, comes back pickled through a pipe.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any, Callable


def can_fork() -> bool:
    return ("fork" in multiprocessing.get_all_start_methods() and (os.cpu_count() or 1) >= 2
            and multiprocessing.parent_process() is None)


def _child(conn, fn: Callable, args: tuple) -> None:
    try:
        result = ("ok", fn(*args))
    except BaseException as e:  # noqa: BLE001 - handed to the parent, which raises it
        result = ("error", e)
    try:
        conn.send(result)
    except Exception as e:  # noqa: BLE001 - an unpicklable result or exception
        conn.send(("error", RuntimeError(f"{type(e).__name__}: {e}")))
    conn.close()


class Later:
    """fn(*args), computed in a forked child when possible; `result()` waits for it (and raises
    what the child raised). `cancel()` kills the child."""

    def __init__(self, fn: Callable, *args: Any, fork: bool = True):
        self.fn, self.args, self.proc, self.conn = fn, args, None, None
        if fork and can_fork():
            ctx = multiprocessing.get_context("fork")
            self.conn, child = ctx.Pipe(duplex=False)
            self.proc = ctx.Process(target=_child, args=(child, fn, args), daemon=True)
            self.proc.start()
            child.close()

    def result(self) -> Any:
        if self.proc is None:
            return self.fn(*self.args)
        try:
            status, value = self.conn.recv()
        except EOFError:
            raise RuntimeError(f"the process running {self.fn.__name__} died "
                               f"(exit code {self.proc.exitcode})") from None
        finally:
            self.proc.join(5)  # it has sent its result and is exiting
            self.cancel()
        if status == "error":
            raise value
        return value

    def cancel(self) -> None:
        """Kill the child now if it still runs (an interrupt, or an error in this process)."""
        if self.proc is not None:
            if self.proc.is_alive():
                self.proc.kill()
            self.proc.join()
            self.conn.close()
            self.proc = None
