"""Lesson pages' JavaScript: kept by the browser, and fetched ahead from the landing page.

A lesson page asks ``teachkit serve`` for about 90 JavaScript files (4.4 MB): Voila's
bundle and its chunks, then the widget extensions and theirs, in waves, each wave found
by running the one before. Voila serves its own chunks (``/voila/static/4371.voila.js``)
with no ``Cache-Control`` and the extensions' with ``no-cache``, so every lesson a
trainee opens asks for them all again, from the one Voila process that is also serving
the other trainees' kernels.

- :func:`install` (``teachkit serve`` only: jupyter_data/config/voila.py) adds a route
  for Voila's static files under a name that carries a hash of their contents,
  ``/voila/static/tk-<hash>/``, served ``immutable`` for a year, and serves the widget
  extensions' files whose names carry their content hash (webpack's
  ``remoteEntry.<hash>.js``, ``<id>.<hash>.js``) ``immutable`` too; other files keep
  Voila's headers. An upgraded Voila gives a new hash, hence new addresses: a browser
  never runs a stale chunk.
- :func:`page_config_hook` points the lesson pages at that route (``fullStaticUrl``,
  webpack's public path) and gives the landing page the addresses of those files
  (``teachkitPrefetch``); the landing page fetches them, two at a time and only while
  it is the tab on show, while the trainee reads it, so the lesson opened from it
  finds them in the browser's cache.

Wrapping ``Voila.init_handlers`` is how :mod:`teachkit.facilitator` adds its routes too
(Voila's standalone server has no hook for routes); if Voila's routes are not what this
module expects, it logs why and leaves them as they are.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from pathlib import Path

__all__ = ["install", "page_config_hook", "static_token", "content_hashed",
           "prefetch_urls", "IMMUTABLE"]

_LOG = logging.getLogger(__name__)

#: The Cache-Control of a file whose address changes whenever its content does.
IMMUTABLE = "public, max-age=31536000, immutable"
#: webpack's file names with a content hash: remoteEntry.5cbb9d2323598fbda535.js,
#: 568.1e2faa2ba0bbe59c4780.js (16 to 32 hex digits before ".js").
_HASHED = re.compile(r"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{16,32})\.js$")
#: Voila's bundle and its webpack chunks: voila.js, 4371.voila.js.
_CHUNK = re.compile(r"^(\d+\.)?voila\.js$")

#: Set by :func:`install` in the server's process: the route's hash, and the names of
#: Voila's bundle and chunks the landing page fetches ahead under that route.
_STATE: dict = {"token": None, "static": ()}


def content_hashed(name: str) -> bool:
    """Whether a file name carries its content hash (webpack's ``[name].[contenthash].js``).

    Examples
    --------
    >>> content_hashed("remoteEntry.5cbb9d2323598fbda535.js"), content_hashed("style.js")
    (True, False)
    >>> content_hashed("651.d9c6fa52270ea21fdf9e.js.LICENSE.txt")
    False
    """
    return bool(_HASHED.match(os.path.basename(name)))


def static_token(paths) -> str:
    """A short hash of every file under ``paths`` (name, size, modification time): a
    new Voila, or any changed file, gives a new token.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "voila.js").write_text("one")
    >>> first = static_token([folder])
    >>> _ = (folder / "voila.js").write_text("three")
    >>> len(first), first == static_token([folder])
    (12, False)
    """
    digest = hashlib.sha256()
    for root in paths:
        root = Path(root)
        if not root.is_dir():
            continue
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            stat = path.stat()
            digest.update(f"{path.relative_to(root)}|{stat.st_size}|{stat.st_mtime_ns}\n"
                          .encode())
    return digest.hexdigest()[:12]


def _static_files(paths) -> list[str]:
    """Voila's bundle and its chunks (``voila.js``, ``<id>.voila.js``) in Voila's static
    folders, ``voila.js`` first: what a lesson page may load from them (their other
    scripts, such as the tree page's, it does not)."""
    names: dict[str, None] = {}
    for root in paths:
        root = Path(root)
        if root.is_dir():
            for path in sorted(root.glob("*voila.js")):
                if _CHUNK.match(path.name):
                    names.setdefault(path.name, None)
    return sorted(names, key=lambda n: (n != "voila.js", n))


def _extension_files(page_config: dict) -> list[str]:
    """The content-hashed JavaScript of the widget extensions a page loads (Voila's
    ``federated_extensions``), as the page asks for them: ``remoteEntry`` as named in the
    page config, each chunk with ``?v=<its hash>`` (webpack's chunk addresses)."""
    try:
        from voila.utils import get_voila_labextensions_path
    except ImportError:
        return []
    folders = [Path(p) for p in get_voila_labextensions_path()]
    out = []
    for ext in page_config.get("federated_extensions") or []:
        name, load = ext.get("name"), ext.get("load") or ""
        found = next((f / name for f in folders if (f / name / load).is_file()), None)
        if not name or found is None:
            continue
        out.append(f"voila/labextensions/{name}/{load}")
        for path in sorted((found / "static").glob("*.js")):
            match = _HASHED.match(path.name)
            if match and f"static/{path.name}" != load:
                out.append(f"voila/labextensions/{name}/static/{path.name}"
                           f"?v={match['hash']}")
    return out


def _template_files(voila_configuration, base: str) -> list[str]:
    """The lesson template's own script and stylesheets (Voila's "lab" template: its
    style bundle, ``index.css`` and the theme's), at the addresses the page gives them
    (``?v=<hash>``, which Voila's handler serves cacheable for ten years)."""
    template = getattr(voila_configuration, "template", None)
    theme = getattr(voila_configuration, "theme", "light")
    if not template:
        return []
    try:
        from voila.utils import make_url

        return [make_url(template, base, name)
                for name in ("static/voila-style.js", "static/index.css",
                             f"static/theme-{theme}.css")]
    except Exception as exc:  # noqa: BLE001 - fetching ahead is an optimisation only
        _LOG.info("teachkit: the template's files are not fetched ahead (%r)", exc)
        return []


def prefetch_urls(page_config: dict, base_url: str = "/",
                  voila_configuration=None) -> list[str]:
    """What the landing page fetches ahead: the lesson template's script and styles,
    Voila's JavaScript under the cached route, then the widget extensions' (empty when
    :func:`install` has not run)."""
    token = _STATE["token"]
    if not token:
        return []
    base = base_url if base_url.endswith("/") else base_url + "/"
    return (_template_files(voila_configuration, base)
            + [f"{base}voila/static/tk-{token}/{name}" for name in _STATE["static"]]
            + [base + url for url in _extension_files(page_config)])


def page_config_hook(page_config: dict, *, base_url: str = "/", notebook_path=None,
                     **kwargs) -> dict:
    """teachkit's page hook (:func:`teachkit.room.page_config_hook`) and, once
    :func:`install` has run: a lesson page's JavaScript from the cached route, and the
    landing page's list of files to fetch ahead (``teachkitPrefetch``)."""
    from .room import page_config_hook as room_hook

    room_hook(page_config, notebook_path=notebook_path, **kwargs)
    token = _STATE["token"]
    if token:
        base = base_url if base_url.endswith("/") else base_url + "/"
        page_config["fullStaticUrl"] = f"{base}voila/static/tk-{token}"
        if "teachkitLessons" in page_config:  # the landing page
            page_config["teachkitPrefetch"] = prefetch_urls(
                page_config, base, kwargs.get("voila_configuration"))
    return page_config


def _handler_classes():
    from jupyter_server.base.handlers import FileFindHandler
    from voila.static_file_handler import MultiStaticFileHandler

    class ImmutableStaticHandler(MultiStaticFileHandler):
        """Voila's static files under an address that carries their hash."""

        def set_extra_headers(self, path):
            self.set_header("Cache-Control", IMMUTABLE)

    class ExtensionFileHandler(FileFindHandler):
        """The widget extensions' files: content-hashed ones immutable, the rest as
        Voila serves them (revalidated)."""

        def set_headers(self):
            super().set_headers()
            if content_hashed(self.request.path):
                self.set_header("Cache-Control", IMMUTABLE)

    return ImmutableStaticHandler, FileFindHandler, ExtensionFileHandler


def install(app_class, log=_LOG) -> bool:
    """Serve the lesson pages' JavaScript cacheable (see the module's docstring), in
    the Voila application class ``app_class`` (once). Returns False, and logs why, when
    this Voila cannot be wrapped."""
    if getattr(app_class, "_teachkit_page_assets", False):
        return True
    original = getattr(app_class, "init_handlers", None)
    try:
        immutable, file_find, extension = _handler_classes()
    except ImportError as exc:
        log.warning("teachkit: lesson pages' JavaScript is not cached (%s)", exc)
        return False
    if original is None:
        log.warning("teachkit: this Voila has no init_handlers: lesson pages' JavaScript "
                    "is not cached")
        return False

    def init_handlers(self):
        handlers = original(self)
        static = [h for h in handlers if h[0].endswith("/voila/static/(.*)")]
        labext = [i for i, h in enumerate(handlers)
                  if h[0].endswith("/voila/labextensions/(.*)") and h[1] is file_find]
        if len(static) != 1 or len(labext) != 1:
            log.warning("teachkit: Voila's static routes are not as expected: lesson "
                        "pages' JavaScript is not cached")
            return handlers
        paths = list(getattr(self, "static_paths", None) or static[0][2]["paths"])
        token = static_token(paths)
        i = labext[0]
        handlers[i] = (handlers[i][0], extension, *handlers[i][2:])
        route = static[0][0][: -len("(.*)")] + f"tk-{token}/(.*)"
        _STATE.update(token=token, static=tuple(_static_files(paths)))
        log.info("teachkit: lesson pages' JavaScript served immutable under %s",
                 route.replace("(.*)", ""))
        return [(route, immutable, {"paths": paths}), *handlers]

    init_handlers.__wrapped__ = original
    app_class.init_handlers = init_handlers
    app_class._teachkit_page_assets = True
    return True
