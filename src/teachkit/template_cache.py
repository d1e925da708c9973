"""Voila's page templates compiled, and lesson text rendered, once per server, not once
per preheated kernel.

Voila gives every preheated kernel its own notebook renderer, whose exporter makes its
own Jinja environment and compiles the page's templates again: for a room of 30
(38 kernels) that was 570 template compilations, about a third of the Voila process's
busy time under cProfile while the pool filled (issue 19), on the one core the server's
event loop has. Shared, they are 15; the process's CPU for that preheat went from 19.3
to 16.0 s (one run each, on a loaded machine).

:func:`share_compiled_templates` gives every Voila exporter's Jinja environment one
in-memory :class:`SharedBytecodeCache` (Jinja's own bytecode-cache interface): the first
environment compiles a template, the others load its code object. A template's code
depends on its source and on how the environment compiles (async or not, extensions,
filter and test names), so all of these are in the key; a changed template file gets a
new key, so editing a template still shows at the next page.

:func:`share_rendered_markdown` does the same for a lesson's text: every page of a lesson
rendered its markdown cells to HTML again (mistune; 179 cells for a room of 30, 7 % of
Voila's busy time under cProfile while the pool filled). The HTML of a cell depends only
on its source and the exporter's renderer settings, which are the key; a cell with
attachments or an image (inlined from a file that may change) is rendered every time.
"""

from __future__ import annotations

import hashlib
import logging

from jinja2 import pass_context
from jinja2.bccache import Bucket, BytecodeCache

from ._cache import Recent

__all__ = ["SharedBytecodeCache", "share_compiled_templates", "share_rendered_markdown"]

_LOG = logging.getLogger(__name__)


class SharedBytecodeCache(BytecodeCache):
    """Compiled Jinja templates kept in memory, shared by the environments that use it.

    Examples
    --------
    >>> from jinja2 import DictLoader, Environment
    >>> cache = SharedBytecodeCache()
    >>> loader = DictLoader({"page.html": "Hello {{ name | upper }}"})
    >>> first = Environment(loader=loader, bytecode_cache=cache)
    >>> second = Environment(loader=loader, bytecode_cache=cache)
    >>> first.get_template("page.html").render(name="room"), len(cache)
    ('Hello ROOM', 1)
    >>> second.get_template("page.html").render(name="five"), len(cache)
    ('Hello FIVE', 1)
    """

    def __init__(self) -> None:
        self._code: dict[str, object] = {}

    def __len__(self) -> int:
        return len(self._code)

    def get_bucket(self, environment, name, filename, source) -> Bucket:
        how = repr((environment.is_async, sorted(environment.extensions),
                    sorted(environment.filters), sorted(environment.tests),
                    environment.block_start_string, environment.variable_start_string,
                    environment.comment_start_string, environment.line_statement_prefix,
                    environment.trim_blocks, environment.lstrip_blocks,
                    environment.autoescape if isinstance(environment.autoescape, bool)
                    else id(environment.autoescape)))
        key = hashlib.sha1(  # noqa: S324 - a cache key, not security
            f"{self.get_cache_key(name, filename)}|{how}".encode()).hexdigest()
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        bucket.code = self._code.get(f"{bucket.key}|{bucket.checksum}")

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[f"{bucket.key}|{bucket.checksum}"] = bucket.code

    def clear(self) -> None:
        self._code.clear()


#: The cache of this server process.
SHARED = SharedBytecodeCache()


def _wrap_voila_exporter(attribute: str, wrap, log, otherwise: str) -> bool:
    """Replace ``VoilaExporter.<attribute>`` by ``wrap(original)`` (once: idempotent).
    Returns False, and logs ``otherwise``, where Voila is missing or has changed."""
    try:
        from voila.exporter import VoilaExporter
    except ImportError as exc:
        log.info("teachkit: %s (%s)", otherwise, exc)
        return False
    original = getattr(VoilaExporter, attribute, None)
    if original is None:
        log.warning("teachkit: this Voila's exporter has no %s: %s", attribute, otherwise)
        return False
    if getattr(original, "_teachkit_shared", False):
        return True
    wrapper = wrap(original)
    wrapper._teachkit_shared = True
    wrapper.__wrapped__ = original
    setattr(VoilaExporter, attribute, wrapper)
    return True


def share_compiled_templates(log=_LOG) -> bool:
    """Make every Voila exporter made from now on in this process share :data:`SHARED`.

    Wraps ``VoilaExporter._create_environment`` (nbconvert's hook that builds an
    exporter's Jinja environment) to set the environment's ``bytecode_cache``. Idempotent;
    returns False, and logs why, where Voila is missing or has changed.
    """

    def wrap(create):
        def _create_environment(self):
            environment = create(self)
            if environment.bytecode_cache is None:
                environment.bytecode_cache = SHARED
            return environment

        return _create_environment

    return _wrap_voila_exporter("_create_environment", wrap, log,
                                "templates are compiled per page")


#: Markdown cells rendered to HTML in this server process (a few lessons' text).
RENDERED = Recent(2048)


def _shareable(cell, source: str) -> bool:
    """A cell whose HTML depends on its source alone: no attachment, no image."""
    lowered = source.lower()
    return not (cell or {}).get("attachments") and "![" not in source and "<img" not in lowered


def share_rendered_markdown(log=_LOG) -> bool:
    """Make Voila's exporters in this process render each markdown cell's HTML once.

    Wraps ``VoilaExporter.markdown2html`` (the template filter that renders a markdown
    cell). Idempotent; returns False, and logs why, where Voila is missing or has changed.
    """

    def wrap(render):
        @pass_context
        def markdown2html(self, context, source):
            if not isinstance(source, str) or not _shareable(context.get("cell"), source):
                return render(self, context, source)
            key = (self.markdown_renderer_class, self.anchor_link_text, source)
            return RENDERED.get_or(key, lambda: render(self, context, source))

        return markdown2html

    return _wrap_voila_exporter("markdown2html", wrap, log, "markdown is rendered per page")
