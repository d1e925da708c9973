"""Timing helpers shared by the browser benchmarks (first render, lever latency).

- :func:`pct` (from ``bench_voila``) and :func:`median`: percentiles of a few noisy
  samples;
- :func:`load_average`: the machine's 1-minute load, printed beside every figure (these
  2-core machines are shared: a figure means little without it);
- :class:`FrameCounter`: Jupyter messages on a page's kernel websocket, by type, so a
  benchmark can say how many widget models (``comm_open``) and state updates
  (``comm_msg``) a page costs;
- :func:`browser_metrics`: Chromium's own totals (script, layout, style) for a page, from
  the DevTools protocol.
"""

from __future__ import annotations

import json
import os
import statistics
from collections import Counter
from pathlib import Path

from bench_voila import decode_frame, pct  # pct: one copy, kept where it was first

__all__ = ["FrameCounter", "browser_metrics", "load_average", "median", "pct",
           "write_json"]


def median(values) -> float:
    """The median, NaN when there is nothing (a lesson whose every run failed)."""
    values = [v for v in values if v is not None and v == v]
    return statistics.median(values) if values else float("nan")


def write_json(path, data) -> None:
    """Write a benchmark's figures to ``path`` (its folder made), for a later comparison."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str))


def load_average() -> float:
    """The 1-minute load average of this machine."""
    return os.getloadavg()[0]


class FrameCounter:
    """Count the Jupyter messages a page sends and receives on its kernel websocket.

    ``models`` is the number of widget models the page received: the states the kernel
    sent in answer to the page's ``request_states`` (ipywidgets 8 sends a preheated
    page's models so) plus any model opened later (``comm_open``); ``received_bytes``
    the bytes received.
    """

    def __init__(self):
        self.sent: Counter = Counter()
        self.received: Counter = Counter()
        self.received_bytes = 0
        self.sent_bytes = 0
        self.models = 0

    def attach(self, ws) -> None:
        ws.on("framesent", self._sent)
        ws.on("framereceived", self._received)

    @staticmethod
    def _kind(msg) -> str:
        if not msg:
            return "?"
        kind = msg["header"].get("msg_type", "?")
        if kind == "comm_msg":
            method = ((msg.get("content") or {}).get("data") or {}).get("method")
            return f"comm_msg:{method}" if method else kind
        return kind

    def _sent(self, payload) -> None:
        self.sent_bytes += len(payload)
        self.sent[self._kind(decode_frame(payload))] += 1

    def _received(self, payload) -> None:
        self.received_bytes += len(payload)
        msg = decode_frame(payload)
        kind = self._kind(msg)
        self.received[kind] += 1
        if kind == "comm_msg:update_states":
            self.models += len(msg["content"]["data"].get("states") or {})
        elif kind == "comm_open":
            self.models += 1


def browser_metrics(cdp) -> dict:
    """Chromium's running totals for the page behind the DevTools session ``cdp`` (made
    with ``context.new_cdp_session(page)`` and ``Performance.enable`` sent): seconds of
    script, layout, style recalculation and tasks, and the number of DOM nodes."""
    raw = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return {"script_s": raw.get("ScriptDuration", 0.0),
            "layout_s": raw.get("LayoutDuration", 0.0),
            "style_s": raw.get("RecalcStyleDuration", 0.0),
            "task_s": raw.get("TaskDuration", 0.0),
            "nodes": raw.get("Nodes", 0)}
