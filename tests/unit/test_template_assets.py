"""Lesson pages' JavaScript served cacheable, and the landing page's list to fetch ahead
(teachkit.page_assets): the routes Voila gets, the headers each file gets, the page
config the lesson and landing pages get, and the fallback when Voila's routes differ."""

from __future__ import annotations

import asyncio
import logging
import re

import pytest
from jupyter_server.base.handlers import FileFindHandler
from voila.static_file_handler import MultiStaticFileHandler

from teachkit import page_assets
from teachkit.page_assets import IMMUTABLE, content_hashed, install, page_config_hook


@pytest.fixture
def static_dirs(tmp_path):
    voila = tmp_path / "voila-static"
    voila.mkdir()
    for name in ("voila.js", "4371.voila.js", "treepage.js", "voila-style.js"):
        (voila / name).write_text(f"/* {name} */")
    ext = tmp_path / "labext" / "static"
    ext.mkdir(parents=True)
    for name in ("remoteEntry.5cbb9d2323598fbda535.js", "7.2a0ce575775f5aad.js", "style.js"):
        (ext / name).write_text(f"/* {name} */")
    return voila, ext.parent


class FakeVoila:
    """The routes of Voila's standalone server that page_assets looks for."""

    server_url = "/"

    def __init__(self, static, labext, *, labext_handler=FileFindHandler):
        self.static_paths = [str(static)]
        self.labext, self.labext_handler = labext, labext_handler

    def init_handlers(self):
        return [("/voila/static/(.*)", MultiStaticFileHandler,
                 {"paths": self.static_paths, "default_filename": "index.html"}),
                ("/voila/labextensions/(.*)", self.labext_handler,
                 {"path": [str(self.labext)], "no_cache_paths": ["/"]}),
                ("/voila/render/(.*)", object)]


@pytest.fixture
def fresh_state(monkeypatch):
    monkeypatch.setattr(page_assets, "_STATE", {"token": None, "static": ()})


def _app_class():
    return type("App", (FakeVoila,), {})


def test_install_adds_a_hashed_route_first_and_keeps_voilas(static_dirs, fresh_state):
    static, labext = static_dirs
    app_class = _app_class()
    assert install(app_class) and install(app_class)  # once, however often called
    handlers = app_class(static, labext).init_handlers()
    route, handler, kwargs = handlers[0]
    assert re.fullmatch(r"/voila/static/tk-[0-9a-f]{12}/\(\.\*\)", route)
    assert issubclass(handler, MultiStaticFileHandler) and kwargs == {"paths": [str(static)]}
    assert [h[0] for h in handlers[1:]] == ["/voila/static/(.*)", "/voila/labextensions/(.*)",
                                            "/voila/render/(.*)"]
    assert issubclass(handlers[2][1], FileFindHandler) and handlers[2][1] is not FileFindHandler
    assert handlers[2][2] == {"path": [str(labext)], "no_cache_paths": ["/"]}
    assert page_assets._STATE["static"] == ("voila.js", "4371.voila.js")


def test_routes_not_as_expected_are_left_alone_and_said(static_dirs, fresh_state, caplog):
    static, labext = static_dirs
    app_class = _app_class()
    install(app_class)
    with caplog.at_level(logging.WARNING, logger="teachkit.page_assets"):
        handlers = app_class(static, labext, labext_handler=object).init_handlers()
    assert [h[0] for h in handlers] == ["/voila/static/(.*)", "/voila/labextensions/(.*)",
                                        "/voila/render/(.*)"]
    assert "not cached" in caplog.text
    assert page_assets._STATE["token"] is None
    assert page_config_hook({}, settings={}, notebook_path="01_a.ipynb") == {
        "fullMathjaxUrl": None, "mathjaxConfig": None}  # the room's hook only


def test_lesson_and_landing_pages_point_at_the_cached_files(static_dirs, fresh_state,
                                                            tmp_path):
    static, labext = static_dirs
    app_class = _app_class()
    install(app_class)
    app_class(static, labext).init_handlers()
    token = page_assets._STATE["token"]
    lesson = page_config_hook({"fullStaticUrl": "/base/voila/static"}, base_url="/base/",
                              settings={}, notebook_path="01_a.ipynb")
    assert lesson["fullStaticUrl"] == f"/base/voila/static/tk-{token}"
    assert "teachkitPrefetch" not in lesson

    class Contents:
        root_dir = str(tmp_path)

    landing = page_config_hook({}, base_url="/base/", settings={"contents_manager": Contents()},
                               notebook_path="")
    assert landing["teachkitLessons"] == []
    assert landing["teachkitPrefetch"][:2] == [f"/base/voila/static/tk-{token}/voila.js",
                                               f"/base/voila/static/tk-{token}/4371.voila.js"]


def test_extension_chunks_are_listed_as_webpack_asks_for_them(static_dirs, fresh_state,
                                                              monkeypatch):
    import voila.utils

    static, labext = static_dirs
    monkeypatch.setattr(voila.utils, "get_voila_labextensions_path",
                        lambda: [str(labext.parent)])
    page_assets._STATE.update(token="abc", static=("voila.js",))
    config = {"federated_extensions": [
        {"name": "labext", "load": "static/remoteEntry.5cbb9d2323598fbda535.js"},
        {"name": "missing", "load": "static/remoteEntry.0000000000000000.js"}]}
    assert page_assets.prefetch_urls(config) == [
        "/voila/static/tk-abc/voila.js",
        "/voila/labextensions/labext/static/remoteEntry.5cbb9d2323598fbda535.js",
        "/voila/labextensions/labext/static/7.2a0ce575775f5aad.js?v=2a0ce575775f5aad"]


def test_names_with_a_content_hash():
    assert content_hashed("/voila/labextensions/x/static/84.09c61a35dce1705f.js")
    assert not content_hashed("/voila/labextensions/x/static/style.js")
    assert not content_hashed("4371.voila.js")


async def _headers(app, paths):
    from tornado.httpclient import AsyncHTTPClient
    from tornado.testing import bind_unused_port

    sock, port = bind_unused_port()
    from tornado.httpserver import HTTPServer

    server = HTTPServer(app)
    server.add_sockets([sock])
    client = AsyncHTTPClient()
    try:
        out = {}
        for path in paths:
            reply = await client.fetch(f"http://127.0.0.1:{port}{path}", raise_error=False)
            out[path] = (reply.code, reply.headers.get("Cache-Control"))
        return out
    finally:
        server.stop()


def test_served_headers(static_dirs, fresh_state, in_own_thread):
    """Voila's chunks under the hashed route and the extensions' hashed files are
    immutable; an extension's unhashed file is still revalidated; Voila's own route is
    unchanged."""
    from tornado.web import Application

    static, labext = static_dirs
    app_class = _app_class()
    install(app_class)
    handlers = [h for h in app_class(static, labext.parent).init_handlers()
                if h[1] is not object]
    token = page_assets._STATE["token"]
    paths = [f"/voila/static/tk-{token}/4371.voila.js", "/voila/static/4371.voila.js",
             "/voila/labextensions/labext/static/7.2a0ce575775f5aad.js?v=2a0ce575775f5aad",
             "/voila/labextensions/labext/static/style.js"]

    got = in_own_thread(asyncio.run, _headers(Application(handlers, cookie_secret="test"),
                                              paths))
    assert got == {paths[0]: (200, IMMUTABLE), paths[1]: (200, None),
                   paths[2]: (200, IMMUTABLE), paths[3]: (200, "no-cache")}
