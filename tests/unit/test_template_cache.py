"""Voila's page templates compiled once per server (teachkit.template_cache), and the
room's kernel manager that turns it on (teachkit.kernel_pool)."""

from __future__ import annotations

import asyncio

from jinja2 import DictLoader, Environment

from teachkit import template_cache
from teachkit.template_cache import SharedBytecodeCache, share_compiled_templates


class CountingEnvironment(Environment):
    compiled = 0

    def compile(self, *args, **kwargs):
        CountingEnvironment.compiled += 1
        return super().compile(*args, **kwargs)


def _env(cache, templates, **kwargs):
    return CountingEnvironment(loader=DictLoader(templates), bytecode_cache=cache, **kwargs)


def test_a_template_is_compiled_once_for_every_environment_that_shares_the_cache():
    cache, templates = SharedBytecodeCache(), {"page.j2": "{{ who | upper }} {{ n + 1 }}"}
    CountingEnvironment.compiled = 0
    pages = [_env(cache, templates).get_template("page.j2").render(who=w, n=i)
             for i, w in enumerate(["ana", "ben", "cy"])]
    assert pages == ["ANA 1", "BEN 2", "CY 3"]
    assert CountingEnvironment.compiled == 1


def test_a_changed_template_or_another_way_of_compiling_is_not_served_stale_code(in_own_thread):
    cache = SharedBytecodeCache()
    assert _env(cache, {"p.j2": "one"}).get_template("p.j2").render() == "one"
    assert _env(cache, {"p.j2": "two"}).get_template("p.j2").render() == "two"
    # Async environments compile other code: a sync one must not get it, nor the reverse.
    sync = _env(cache, {"p.j2": "{{ 1 }}"})
    asynchronous = _env(cache, {"p.j2": "{{ 1 }}"}, enable_async=True)
    assert sync.get_template("p.j2").render() == "1"
    # Async templates render in a thread of their own (Template.render starts a loop).
    assert in_own_thread(asyncio.run, asynchronous.get_template("p.j2").render_async()) == "1"
    with_filter = _env(cache, {"q.j2": "{{ 'a' | shout }}"})
    with_filter.filters["shout"] = str.upper
    assert with_filter.get_template("q.j2").render() == "A"
    assert len(cache) == 5


def test_voila_exporters_share_one_cache_once_turned_on(monkeypatch):
    import voila.exporter as voila_exporter  # a dependency: a broken import must fail
    create = voila_exporter.VoilaExporter._create_environment
    # As Voila ships it (another test may have turned sharing on in this process).
    monkeypatch.setattr(voila_exporter.VoilaExporter, "_create_environment",
                        getattr(create, "__wrapped__", create))
    assert voila_exporter.VoilaExporter().environment.bytecode_cache is None
    assert share_compiled_templates() and share_compiled_templates()  # idempotent
    first, second = voila_exporter.VoilaExporter(), voila_exporter.VoilaExporter()
    assert first.environment.bytecode_cache is template_cache.SHARED
    assert second.environment.bytecode_cache is template_cache.SHARED
    assert first.environment is not second.environment  # each keeps its own filters


def test_the_room_kernel_manager_starts_the_warm_parent_only_for_forked_kernels(
        monkeypatch):
    from jupyter_client.provisioning import KernelProvisionerFactory

    from teachkit.forking import provisioner
    from teachkit.kernel_pool import RoomKernelManager

    started = []
    monkeypatch.setattr(provisioner.ForkServer, "shared",
                        classmethod(lambda cls, env: started.append(env)))
    monkeypatch.setattr(template_cache, "share_compiled_templates", lambda log: True)
    factory = KernelProvisionerFactory.instance()
    monkeypatch.setattr(factory, "default_provisioner_name", "local-provisioner")
    manager = RoomKernelManager()
    assert started == [] and manager.start_warm_parent() is False
    monkeypatch.setattr(factory, "default_provisioner_name", "teachkit-fork")
    RoomKernelManager()  # as Voila makes it, before its pools start any kernel
    assert len(started) == 1 and "PATH" in started[0]


def test_a_lessons_markdown_is_rendered_once_for_all_its_pages(monkeypatch, in_own_thread):
    import voila.exporter as voila_exporter
    from nbformat.v4 import new_markdown_cell, new_notebook

    render = voila_exporter.VoilaExporter.markdown2html
    original = getattr(render, "__wrapped__", render)
    calls = []

    def counting(self, context, source):
        calls.append(source)
        return original(self, context, source)

    counting.jinja_pass_arg = original.jinja_pass_arg  # jinja's pass_context mark
    monkeypatch.setattr(voila_exporter.VoilaExporter, "markdown2html", counting)
    monkeypatch.setattr(template_cache, "RENDERED", template_cache.Recent(16))
    assert template_cache.share_rendered_markdown()
    text = "## Who is in the cohort\n\nAbout **8 in 1,000** have a crisis, $x^2$."
    image = "![a figure](figure.png)"
    nb = new_notebook(cells=[new_markdown_cell(text), new_markdown_cell(image)])
    class NoFiles:  # the server's contents manager: no image file here
        def file_exists(self, path):
            return False

    def export(notebook):  # Voila's templates are async: rendered in a thread of its own
        exporter = voila_exporter.VoilaExporter(template_name="lab", contents_manager=NoFiles())
        return in_own_thread(exporter.from_notebook_node, notebook)[0]

    pages = [export(nb) for _ in range(3)]
    assert pages[0] == pages[1] == pages[2] and "<strong>8 in 1,000</strong>" in pages[0]
    assert calls.count(text) == 1, "the same text is rendered once for every page"
    assert calls.count(image) == 3, "an image may change on disk: rendered every time"
    # another source is another key: never the HTML of a different cell
    other = new_notebook(cells=[new_markdown_cell(text.replace("8 in", "9 in"))])
    page = export(other)
    assert "<strong>9 in 1,000</strong>" in page and "8 in 1,000" not in page


def test_the_activity_watch_reads_what_jupyter_servers_reads_and_refuses_bad_signatures():
    from jupyter_client.session import Session

    from teachkit.kernel_pool import activity_parts

    session = Session(key=b"room-key")
    request = session.msg("execute_request", {"code": "1"})
    messages = [session.msg("status", {"execution_state": "busy"}, parent=request),
                session.msg("stream", {"name": "stdout", "text": "x"}, parent=request),
                session.msg("comm_msg", {"comm_id": "c", "data": {}}),
                session.msg("status", {"execution_state": "idle"})]
    for msg in messages:
        raw = session.serialize(msg)
        full = session.deserialize(session.feed_identities(raw)[1])  # Jupyter Server's way
        assert activity_parts(session, raw) == (
            full["header"]["msg_type"], full["parent_header"].get("msg_type"),
            full["content"].get("execution_state") if full["msg_type"] == "status" else None)
    raw = session.serialize(messages[0])
    assert activity_parts(Session(key=b"another-key"), raw) is None, "wrongly signed"
    assert activity_parts(session, raw[:3]) is None, "malformed"
    tampered = list(raw)
    tampered[-1] = b'{"execution_state": "idle"}'
    assert activity_parts(session, tampered) is None, "content changed after signing"
