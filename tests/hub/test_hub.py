"""Beyond one machine: JupyterHub with Voila as each trainee's landing page.

Logs a trainee in to the hub of ``conftest.py`` through Chromium, follows the landing
page to lesson 01 and moves a lever. Without Chromium, root, the proxy or jupyterhub the
test is skipped with a hint, except in CI (``CI`` set), where it fails.
"""

from __future__ import annotations

import asyncio
import json
import struct
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from harness import (
    ROOT,
    chromium_missing_message,
    descendants,
    launch_chromium,
    open_page,
    wait_for_app,
    wait_for_updates,
)
from hub_helpers import skip_or_fail

from teachkit.levers import get_spec

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TRAINEE = "trainee-07"


def _v1(msg_type: str, content: dict, channel: str = "shell") -> bytes:
    """A kernel message in Jupyter Server's v1 websocket format."""
    header = {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": TRAINEE,
              "session": uuid.uuid4().hex, "version": "5.3",
              "date": datetime.now(UTC).isoformat()}
    parts = [channel.encode()] + [json.dumps(x).encode()
                                  for x in (header, {}, {}, content)]
    offsets = [8 * (len(parts) + 2)]
    for part in parts:
        offsets.append(offsets[-1] + len(part))
    return struct.pack(f"<{len(offsets) + 1}Q", len(offsets), *offsets) + b"".join(parts)


async def _ask_kernel(url: str, kernel_id: str, cookies: str) -> list[str]:
    """Send code and a kernel_info_request to the kernel; the message types seen."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    ws = await websocket_connect(HTTPRequest(
        f"{url.replace('http', 'ws', 1)}/user/{TRAINEE}/api/kernels/{kernel_id}/channels",
        headers={"Cookie": cookies}), subprotocols=["v1.kernel.websocket.jupyter.org"])
    ws.write_message(_v1("execute_request", {
        "code": "import pathlib; (pathlib.Path.home() / 'owned').write_text('x')",
        "silent": False,
        "store_history": False, "user_expressions": {}, "allow_stdin": False}), binary=True)
    ws.write_message(_v1("kernel_info_request", {}), binary=True)
    seen: list[str] = []
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and "kernel_info_reply" not in seen:
        try:
            frame = await asyncio.wait_for(ws.read_message(), 5)
        except TimeoutError:
            break
        if frame is None:
            break
        n = struct.unpack_from("<Q", frame, 0)[0]
        offsets = struct.unpack_from(f"<{n}Q", frame, 8)
        seen.append(json.loads(frame[offsets[1]:offsets[2]])["msg_type"])
    await asyncio.sleep(2)  # an execute_reply would have come by now
    while True:
        try:
            frame = await asyncio.wait_for(ws.read_message(), 0.5)
        except TimeoutError:
            break
        if frame is None:
            break
        n = struct.unpack_from("<Q", frame, 0)[0]
        offsets = struct.unpack_from(f"<{n}Q", frame, 8)
        seen.append(json.loads(frame[offsets[1]:offsets[2]])["msg_type"])
    ws.close()
    return seen


def test_a_trainee_logs_in_and_moves_a_lever_in_lesson_01(hub, in_own_thread):
    skip_or_fail(chromium_missing_message())
    # Playwright's sync API runs in a thread of its own (tests/conftest.py).
    in_own_thread(_trainee_logs_in_and_moves_a_lever, hub, in_own_thread)


def _trainee_logs_in_and_moves_a_lever(hub, in_own_thread) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            _in_the_browser(hub, browser, in_own_thread)
        finally:
            browser.close()


def _in_the_browser(hub, browser, in_own_thread) -> None:
    rec = open_page(browser, default_timeout_ms=120_000)
    page = rec.page
    try:
        page.goto(f"{hub['url']}/hub/login", wait_until="domcontentloaded")
        page.fill("#username_input", TRAINEE)
        page.fill("#password_input", "any password")
        page.click("#login_submit")
        # The hub spawns the trainee's server and sends them to Voila's landing page.
        page.wait_for_url(f"**/user/{TRAINEE}/voila/tree**", timeout=120_000)
        page.wait_for_selector(".tk-lesson", timeout=60_000)
        hub["seen"].update(descendants(hub["proc"].pid))
        listed = page.locator(".tk-lesson").evaluate_all(
            "els => els.map(e => e.dataset.notebook)")
        notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
        assert listed == notebooks
        lesson = page.locator('.tk-lesson[data-notebook="01_meet_the_cohort.ipynb"]')
        assert "min" in lesson.locator(".tk-lesson-minutes").inner_text()
        assert lesson.locator(".tk-objectives li").count() >= 1
        href = lesson.locator("a.tk-lesson-link").get_attribute("href")
        assert href.startswith(f"/user/{TRAINEE}/voila/render/01_meet_the_cohort.ipynb")

        page.goto(hub["url"] + href, wait_until="commit")
        start = wait_for_app(page, 180_000)
        hub["seen"].update(descendants(hub["proc"].pid))
        label = get_spec("model").option_labels.get("logistic", "logistic")
        page.locator(".tk-lever-model select").select_option(value=label)
        logistic = wait_for_updates(page, start["updates"], 120_000)
        assert "model=logistic" in logistic["settings"]
        handle = page.locator(".tk-lever-threshold .noUi-handle")
        handle.focus()
        handle.press("ArrowRight")
        moved = wait_for_updates(page, logistic["updates"], 120_000)
        assert moved["flagged"] < logistic["flagged"], "a higher threshold flags fewer"
        assert rec.page_errors == [], rec.page_errors
        # The trainee's own kernel, with the trainee's own cookies, runs no code sent to
        # it: only the widget messages Voila's pages send are let through.
        cookies = "; ".join(f"{c['name']}={c['value']}" for c in rec.context.cookies())
        replies = in_own_thread(asyncio.run, _ask_kernel(hub["url"], rec.kernel_id,
                                                         cookies))
        assert "kernel_info_reply" in replies, replies
        assert "execute_reply" not in replies and "execute_input" not in replies, replies
        assert not list(Path(hub["state"]).glob("homes/*/owned")), "the code ran"
        assert rec.blocked == [], f"the page tried to leave the machine: {rec.blocked}"
        assert all(ws.startswith(f"ws://127.0.0.1:{hub['url'].rsplit(':', 1)[1]}/user/")
                   for ws in rec.websockets), rec.websockets
    except Exception:
        print(hub["log"]())
        raise
    finally:
        rec.close()
