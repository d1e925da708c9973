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

It also makes the server's Voila exporters share their compiled page templates
(:mod:`teachkit.template_cache`: Voila compiles them again for every preheated kernel),
and starts the warm parent of forked kernels as the server starts, not at the first
kernel.
"""

from __future__ import annotations

import os

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Dict, TraitError

__all__ = ["RoomKernelManager"]


class RoomKernelManager(AsyncMappingKernelManager):
    """Voila's kernel manager with the refill of each room lesson's pool capped.

    Configure with ``--RoomKernelManager.refill_to={'01_meet_the_cohort.ipynb': 3}``
    (notebook -> kernels kept warm after the room has arrived); lessons not named keep
    Voila's behaviour.
    """

    refill_to = Dict({}, config=True,
                     help="Notebook -> pool size after the initial fill (the room's "
                          "arrival); notebooks not listed refill to their full pool.")

    _pools_trimmed = False

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        from .template_cache import share_compiled_templates

        share_compiled_templates(self.log)
        self.start_warm_parent()

    def start_warm_parent(self) -> bool:
        """Start the warm parent of forked kernels now, if kernels are forked: its
        warm-up (imports, cohort, models: seconds of CPU) then overlaps the server's own
        start instead of waiting for the first kernel. Returns whether it was started."""
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

    async def start_kernel(self, *args, **kwargs):
        self.trim_pools()
        return await super().start_kernel(*args, **kwargs)
