"""The kernel manager of teachkit's server: a room's pool refilled small, no culling of a
kernel still starting.

Voila refills a lesson's pool of preheated kernels to its full size each time a page
takes one. With a pool of 30 for a room of 30, the room's arrival then starts 30 new
kernels at once, each running the lesson (~7 CPU-seconds): on a 2-core machine that
storm lands exactly when the trainees start moving levers, and their updates wait
seconds (benchmarks/bench_room.py measured a p95 of 4.3 s with 10 trainees).

:class:`RoomKernelManager` keeps the big pool for the arrival and then refills a room
lesson only up to ``refill_to`` (a few kernels, for latecomers and reloads). Voila wraps
this class with its pooling (``VoilaConfiguration.multi_kernel_manager_class``); the
first kernel start happens after Voila has queued every initial pool, so lowering the
pool sizes then changes only the refills.

It never culls a kernel that is still starting. Jupyter Server records a kernel's
``last_activity`` only after its start returns, one turn of the event loop after the
kernel is listed; a look for idle kernels in that turn raised ``TraitError`` (the trait
is still None) and wrote a traceback to the server's log (seen in CI, 2026-12-01).

It also makes the server's Voila exporters share their compiled page templates and
rendered lesson text (:mod:`teachkit.template_cache`: Voila made them again for every
preheated kernel), and takes over the warm parent of forked kernels as the server
starts (``teachkit serve`` started it before the server), not at the first kernel.

The room's pools fill first (issue 19: a room of 30 ready sooner). Voila queues every
lesson's pool at once, so the room's 30 lesson runs shared the 2 cores with the other
lessons' kernels, whose runs cost the most (lessons 02, 03 and 07 import fpdf,
cryptography, shap: 2-3 CPU-seconds each). The other lessons' pools are held at size 0
until the room's kernels have run their lesson (``room_first``), then filled. A page of
another lesson asked for meanwhile is served as Voila serves any page whose pool is
empty: by a kernel started for it (never held). Measured with benchmarks/bench_room.py
(30 trainees, forked kernels, 3 paired runs alternated with the unheld fill): the room
ready 14.3 -> 10.9 s after ``teachkit serve`` started (7.5 -> 4.4 s after its first
kernel), every pool ready about as before (16.7 -> 17.9 s); with the warm parent's
snapshot, quiet pairs: 8.2 -> 6.5 s for 30, 13.9 -> 10.7 s for 60. Bounding the fill to
a few lesson runs at once was slower on 2 cores (the room ready 1.2 times later after
its first kernel with 4 at once, 1.9 times with 2, in quiet paired runs), so all run
at once.

Two costs per kernel message, on the one core of the server's event loop (issue 19,
cProfile of Voila while a room of 30 preheated, ~8,600 kernel messages):

- Jupyter Server decodes every IOPub message again to record the kernel's activity,
  parsing the dates of its header, parent header and metadata with dateutil (12 % of
  Voila's busy time). Activity needs only the message types and, for a status message,
  its state: :meth:`RoomKernelManager.start_watching_activity` reads those (no date
  parsing) after the same signature check, and records the same things.
- The server's logger is at DEBUG, with its handler filtering at INFO (traitlets'
  logging config): every ``log.debug`` of nbclient and the activity watcher built a
  record nobody printed (13,000 records, 5 %). The logger is raised to the lowest level
  any of its handlers prints, so what is printed is unchanged.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import time

from jupyter_client.session import Session
from jupyter_client.utils import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Bool, Dict, Float, TraitError

__all__ = ["RoomKernelManager", "activity_parts", "lessons_run", "quiet_debug"]


def quiet_debug(log) -> bool:
    """Raise ``log``'s level to the lowest level its handlers print, so a debug call that
    nothing would print builds no record; returns whether the level changed.

    Examples
    --------
    >>> log = logging.getLogger("teachkit-doctest"); log.setLevel(logging.DEBUG)
    >>> log.addHandler(logging.NullHandler(logging.INFO)); log.propagate = False
    >>> quiet_debug(log), logging.getLevelName(log.level)
    (True, 'INFO')
    """
    if not isinstance(log, logging.Logger) or not log.handlers or log.propagate:
        return False
    lowest = min(handler.level for handler in log.handlers)
    if lowest <= log.level:
        return False
    log.setLevel(lowest)
    return True


def activity_parts(session: Session, msg_list: list) -> tuple[str, str | None, str | None] | None:
    """(message type, parent's message type, a status message's execution state) of a
    raw IOPub message, after the signature check ``Session.deserialize`` makes; None for
    a message that is malformed or wrongly signed (Jupyter Server's watch would raise)."""
    try:
        _, parts = session.feed_identities(msg_list)
        parts = [bytes(p) for p in parts[:5]]
        if session.auth is not None and not hmac.compare_digest(parts[0],
                                                                session.sign(parts[1:5])):
            return None
        header, parent = session.unpack(parts[1]), session.unpack(parts[2])
        msg_type = header["msg_type"]
        state = (session.unpack(parts[4]).get("execution_state") if msg_type == "status"
                 else None)
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return None
    return msg_type, (parent or {}).get("msg_type"), state


class RoomKernelManager(AsyncMappingKernelManager):
    """Voila's kernel manager with the refill of each room lesson's pool capped.

    Configure with ``--RoomKernelManager.refill_to={'01_meet_the_cohort.ipynb': 3}``
    (notebook -> kernels kept warm after the room has arrived); lessons not named keep
    Voila's behaviour. The lessons named are the room's: with ``room_first`` their pools
    fill before the other lessons'.
    """

    refill_to = Dict({}, config=True,
                     help="Notebook -> pool size after the initial fill (the room's "
                          "arrival); notebooks not listed refill to their full pool.")

    room_first = Bool(True, config=True,
                      help="The pools of refill_to's notebooks (the room's lessons) fill "
                           "first: the other lessons' pools start once the room's kernels "
                           "have run their lesson (or after room_first_limit seconds).")

    room_first_limit = Float(180.0, config=True,
                             help="Seconds after which the other lessons' pools start even "
                                  "if the room's kernels have not all run their lesson.")

    _pools_trimmed = False
    _room_watch = None

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        from .template_cache import share_compiled_templates, share_rendered_markdown

        share_compiled_templates(self.log)
        share_rendered_markdown(self.log)
        quiet_debug(self.log)
        self.start_warm_parent()
        self._held: dict[str, int] = {}
        self.hold_other_pools()

    def start_warm_parent(self) -> bool:
        """Take over the warm parent ``teachkit serve`` started before this server, or
        start one now, if kernels are forked: its warm-up (imports, cohort, models:
        seconds of CPU) then overlaps the server's own start instead of waiting for the
        first kernel. Returns whether kernels are forked."""
        from jupyter_client.provisioning import KernelProvisionerFactory

        from .forking import ENTRY_POINT

        factory = KernelProvisionerFactory.instance(parent=self.parent)
        if factory.default_provisioner_name != ENTRY_POINT:
            return False
        from .forking.provisioner import ForkServer

        ForkServer.shared(dict(os.environ))
        return True

    def trim_pools(self) -> None:
        """Lower the pool sizes of ``refill_to``'s notebooks (once)."""
        pools = getattr(self, "kernel_pools_config", None)
        if self._pools_trimmed or pools is None or not self.refill_to:
            return
        self._pools_trimmed = True
        trimmed = {name: dict(config) for name, config in pools.items()}
        for name, size in self.refill_to.items():
            trimmed.setdefault(name, {})["pool_size"] = int(size)
        self.kernel_pools_config = trimmed
        self.log.info("teachkit: after the room's pools, refill %s",
                      ", ".join(f"{n} to {s}" for n, s in self.refill_to.items()))

    def room_lessons(self) -> list[str]:
        """The room's notebooks: those of ``refill_to`` whose pool is not empty."""
        pools = getattr(self, "kernel_pools_config", None) or {}
        default = pools.get("default", {}).get("pool_size", 1)
        return [name for name in self.refill_to
                if pools.get(name, {}).get("pool_size", default) > 0]

    def hold_other_pools(self) -> dict[str, int]:
        """Set the other lessons' pool sizes to 0 before Voila queues the pools (this
        class's ``__init__`` runs before Voila's fills them), keeping the sizes to restore
        in :meth:`release_held_pools`. Nothing is held without a room, or when Voila
        serves one notebook that is not the room's. Returns what is held."""
        pools = getattr(self, "kernel_pools_config", None)
        room = self.room_lessons()
        if not self.room_first or pools is None or not room:
            return {}
        app = getattr(self, "parent", None)
        served = getattr(app, "notebook_path", None)
        if served is not None and os.path.relpath(served, app.root_dir) not in room:
            return {}
        config = {name: dict(value) for name, value in pools.items()}
        config.setdefault("default", {"pool_size": 1})
        for name, value in config.items():
            if name not in room and value.get("pool_size", 1) > 0:
                self._held[name] = value.get("pool_size", 1)
                value["pool_size"] = 0
        self.kernel_pools_config = config
        return dict(self._held)

    def watch_the_room(self) -> None:
        """Start (once, at the first kernel start: Voila has queued every initial pool by
        then) what fills the held pools after the room's kernels have run their lesson."""
        if self._room_watch is not None or not self._held or not hasattr(self, "_pools"):
            return
        room_tasks = [task for name in self.room_lessons()
                      for task in self._pools.get(name, ())]
        self._room_watch = asyncio.ensure_future(self._fill_others_after(room_tasks))

    async def _fill_others_after(self, room_tasks: list) -> None:
        start = time.perf_counter()
        ran = await lessons_run(room_tasks, self.room_first_limit)
        self.log.info("teachkit: %s of the room's %s kernels ran their lesson %.1f s after "
                      "the first started; the other lessons' pools fill now", ran,
                      len(room_tasks), time.perf_counter() - start)
        self.release_held_pools()

    def release_held_pools(self) -> list[str]:
        """Restore the held pool sizes and fill those pools (Voila's ``fill_if_needed``).
        Returns the notebooks whose pools were filled."""
        held, self._held = self._held, {}
        if not held:
            return []
        config = {name: dict(value) for name, value in self.kernel_pools_config.items()}
        for name, size in held.items():
            config.setdefault(name, {})["pool_size"] = size
        self.kernel_pools_config = config
        room = set(self.room_lessons())
        filled = [name for name in self._pools if name not in room]
        for name in filled:
            self.fill_if_needed(delay=0, notebook_name=name)
        return filled

    async def shutdown_all(self, *args, **kwargs):
        """Jupyter Server's shutdown of every kernel, with no held pool filled during it
        (the room's kernels ending would otherwise release them)."""
        self._held = {}
        if self._room_watch is not None:
            self._room_watch.cancel()  # asyncio.wait leaves Voila's pool tasks alone
        return await super().shutdown_all(*args, **kwargs)

    async def cull_kernel_if_idle(self, kernel_id: str):
        """Jupyter Server's idle check, skipping a kernel whose start has not yet
        recorded its ``last_activity`` (it is starting, so it is not idle)."""
        kernel = self._kernels.get(kernel_id)
        if kernel is not None:
            try:
                if kernel.last_activity is None:  # a trait that allows None, one day
                    return None
            except TraitError:  # not set yet, and None is not a datetime
                return None
        return await super().cull_kernel_if_idle(kernel_id)

    def start_watching_activity(self, kernel_id):
        """Jupyter Server's activity watch on a kernel's IOPub messages (the same
        ``last_activity`` and ``execution_state``), reading only what it needs of each."""
        kernel = self._kernels[kernel_id]
        kernel.reason = ""
        kernel.last_activity = utcnow()
        kernel._activity_stream = kernel.connect_iopub()
        session = Session(config=kernel.session.config, key=kernel.session.key)

        def record_activity(msg_list):
            parts = activity_parts(session, msg_list)
            if parts is None:
                return
            msg_type, parent_msg_type, state = parts
            if (self.track_message_type(msg_type) or self.track_message_type(parent_msg_type)
                    or kernel.execution_state == "busy"):
                self.last_kernel_activity = kernel.last_activity = utcnow()
            if msg_type == "status" and state is not None:
                if self.track_message_type(parent_msg_type):
                    kernel.execution_state = state
                elif kernel.execution_state == "starting" and state != "starting":
                    kernel.execution_state = "idle"  # as Jupyter Server normalises it

        kernel._activity_stream.on_recv(record_activity)

    async def start_kernel(self, *args, **kwargs):
        self.watch_the_room()
        self.trim_pools()
        return await super().start_kernel(*args, **kwargs)


async def lessons_run(pool_tasks: list, limit: float) -> int:
    """Wait until each of Voila's ``pool_tasks`` has started its kernel and run the
    lesson in it (the render task it returns is done), at most ``limit`` seconds; never
    cancels them. Returns how many ran."""
    if not pool_tasks:
        return 0
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    done, _ = await asyncio.wait(pool_tasks, timeout=limit)
    renders = [task.result()["task"] for task in done
               if not task.cancelled() and task.exception() is None
               and isinstance(task.result(), dict) and task.result().get("task")]
    left = deadline - loop.time()
    if renders and left > 0:
        done, _ = await asyncio.wait(renders, timeout=left)
        return len(done)
    return sum(1 for task in renders if task.done())
