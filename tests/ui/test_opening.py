"""What a lesson's kernel sends while Voila runs it: each widget model once, with its
first run's state (teachkit.ui._opening), children before the parents that name them,
and a first picture the warm parent already drew (issue 19)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import comm
import ipywidgets as widgets
import pytest
from comm.base_comm import BaseComm

from teachkit import plotting
from teachkit.plotting import Recent
from teachkit.ui._opening import held, opened_when_built

LESSONS = Path(__file__).resolve().parents[2] / "notebooks"
_REFERENCE = re.compile(r"IPY_MODEL_([0-9a-f]+)")


class _Recorded(BaseComm):
    """A comm that keeps what it would send to the page."""

    log: list = []

    def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
        self.log.append((msg_type, self.comm_id, data or {}))


@pytest.fixture
def sent(monkeypatch):
    """The (message type, model id, data) of every comm message sent in the test."""
    log = []
    monkeypatch.setattr(_Recorded, "log", log)
    monkeypatch.setattr(comm, "create_comm", lambda *a, **k: _Recorded(*a, **k))
    return log


def _lesson_cells(number: str) -> list[str]:
    path = next(LESSONS.glob(f"{number}_*.ipynb"))
    cells = json.loads(path.read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


def _opened_in_order(log) -> bool:
    """Whether no comm_open names a model opened after it (a page could not build it;
    models opened before the log began, such as shared layouts, are open already)."""
    order = {comm_id: n for n, (kind, comm_id, _) in enumerate(log) if kind == "comm_open"}
    for n, (kind, _, data) in enumerate(log):
        named = _REFERENCE.findall(json.dumps(data.get("state", {})))
        if kind == "comm_open" and any(order.get(i, -1) > n for i in named):
            return False
    return True


@pytest.mark.parametrize("lesson", ["00", "01", "02", "08"])
def test_a_lesson_sends_each_model_once_with_its_first_run(lesson, sent, tmp_path,
                                                                  monkeypatch):
    """The lesson's cells, as Voila runs them: no update follows a model's opening
    (lesson 01 sent 15 before: the figure, the cards, the greyed-out levers ...; lesson
    08's board 18)."""
    monkeypatch.setenv("TEACHKIT_HOME", str(tmp_path))  # the reflection box's store
    namespace: dict = {}
    for source in _lesson_cells(lesson):
        exec(compile(source, f"lesson {lesson}", "exec"), namespace)
    kinds = Counter(kind for kind, _, _ in sent)
    assert kinds["comm_open"] > 20
    assert kinds["comm_msg"] == 0, [d for k, _, d in sent if k == "comm_msg"]
    assert _opened_in_order(sent)
    # What the page shows came with the models: the figure, its words, the state.
    states = [d["state"] for k, _, d in sent if k == "comm_open"]
    classes = [set(s.get("_dom_classes", ())) for s in states]
    state = states[classes.index({"tk-state"})]
    assert 'data-updates="1"' in state["value"]
    assert len(states[classes.index({"tk-figure-alt"})]["value"]) > 40  # the words
    assert states[classes.index({"tk-figure"})]["_model_name"] == "ImageModel"
    if lesson == "01":  # the usual rule ignores the levers: both sliders greyed out
        sliders = [s for s in states if s.get("_model_name") == "FloatSliderModel"]
        assert all(s["disabled"] for s in sliders)


def test_a_lesson_01_page_has_no_model_of_its_own_for_what_is_shared(sent, tmp_path,
                                                                     monkeypatch):
    """The numbers table reports to the lab's banner (not a hidden one of its own) and
    HTML views, text boxes and choosers share their style models."""
    monkeypatch.setenv("TEACHKIT_HOME", str(tmp_path))  # the reflection box's store
    namespace: dict = {}
    for source in _lesson_cells("01"):
        exec(compile(source, "lesson 01", "exec"), namespace)
    models = Counter(d["state"]["_model_name"] for k, _, d in sent if k == "comm_open")
    assert models["VBoxModel"] == 6  # app, panel, dashboard, reflection + their banners
    lab, box = namespace["lab"], namespace["ui"].ReflectionBox
    numbers = lab.views["numbers"]
    assert numbers.banner is lab.banner
    assert numbers.style is lab.dashboard._sentence.style
    assert lab.dashboard._group.style is lab.panel.rows["model"].control.style
    box = box("01", "?", trainee="")
    assert box._name.style is box._text.style


def test_a_widget_made_in_a_block_opens_at_its_end_with_its_final_state(sent):
    with opened_when_built():
        text = widgets.HTML("first")
        box = widgets.VBox([text])
        later = widgets.HTML("made after its parent")
        box.children = [text, later]
        text.value = "last"
        widgets.HTML("dropped before the end")
        assert held(text) and text.comm is None and sent == []
    assert not held(text) and text.comm is not None
    opens = [d["state"] for k, _, d in sent if k == "comm_open"]
    assert [s.get("value") for s in opens if s["_model_name"] == "HTMLModel"] == \
        ["last", "made after its parent"]
    assert not [k for k, _, _ in sent if k == "comm_msg"]
    assert _opened_in_order(sent)
    text.value = "moved"  # open now: an update, as ever
    assert sent[-1][0] == "comm_msg"


def test_blocks_nest_and_a_failure_still_opens_what_was_made(sent):
    with pytest.raises(RuntimeError), opened_when_built():
        outer = widgets.HTML("outer")
        with opened_when_built():
            inner = widgets.HTML("inner")
        assert inner.comm is None  # the outer block opens it
        raise RuntimeError("a lab failed half-built")
    assert outer.comm is not None and inner.comm is not None
    assert widgets.Widget.open is not None and widgets.HTML("after").comm is not None


def test_a_shared_layout_made_in_a_block_is_shared_in_it(sent):
    from teachkit.ui._layouts import shared_layout

    with opened_when_built():
        first = shared_layout(width="123px")
        assert shared_layout(width="123px") is first
    assert first.comm is not None


def test_a_lab_built_after_the_warm_parent_drew_gets_its_first_picture_kept(monkeypatch):
    """The forked child's first picture is the parent's (no draw, no blit) for each lab
    with the triage dashboard."""
    from teachkit.ui.apps import BiasLab, Tour, TriageLab, draw_resting_figures

    monkeypatch.setattr(plotting, "_PNGS", Recent(64))
    monkeypatch.setattr(plotting, "_BACKGROUNDS", Recent(16))
    draw_resting_figures()
    drawn = []
    monkeypatch.setattr(plotting, "blitted_png", lambda figure: drawn.append(figure))
    for lab in (TriageLab, Tour, BiasLab):
        built = lab()
        assert bytes(built.dashboard.png[:4]) == b"\x89PNG" and not drawn, lab.__name__
