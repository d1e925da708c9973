"""Voila's page templates compiled once per server, not once per preheated kernel.

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
"""

from __future__ import annotations

import hashlib
import logging

from jinja2.bccache import Bucket, BytecodeCache

__all__ = ["SharedBytecodeCache", "share_compiled_templates"]

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


def share_compiled_templates(log=_LOG) -> bool:
    """Make every Voila exporter made from now on in this process share :data:`SHARED`.

    Wraps ``VoilaExporter._create_environment`` (nbconvert's hook that builds an
    exporter's Jinja environment) to set the environment's ``bytecode_cache``. Idempotent;
    returns False, and logs why, where Voila is missing or has changed.
    """
    try:
        from voila.exporter import VoilaExporter
    except ImportError as exc:
        log.info("teachkit: templates are compiled per page (%s)", exc)
        return False
    create = getattr(VoilaExporter, "_create_environment", None)
    if create is None:
        log.warning("teachkit: this Voila's exporter has no _create_environment: "
                    "templates are compiled per page")
        return False
    if getattr(create, "_teachkit_shared", False):
        return True

    def _create_environment(self):
        environment = create(self)
        if environment.bytecode_cache is None:
            environment.bytecode_cache = SHARED
        return environment

    _create_environment._teachkit_shared = True
    _create_environment.__wrapped__ = create
    VoilaExporter._create_environment = _create_environment
    return True
