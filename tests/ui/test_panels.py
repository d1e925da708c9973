"""Panels and apps driven in plain pytest by setting ``.value`` (no browser)."""

import html
import json

import ipywidgets as widgets
import pytest

from teachkit.pipeline import Settings, simulate
from teachkit.reflections import ReflectionStore
from teachkit.stages import run as run_deployment
from teachkit.ui import Banner, Dashboard, LeverPanel, ReflectionBox, Tour, TriageLab
from teachkit.ui._safety import GENERIC_MESSAGE, guarded


def test_panel_turns_each_lever_into_a_run():
    results = []
    panel = LeverPanel(("model", "policy", "threshold", "capacity"), on_result=results.append)
    panel.rows["model"].value = "logistic"
    assert panel.settings == Settings(model="logistic")
    flagged_at_5 = results[-1].consequences.overall["flagged"].iloc[0]
    panel.rows["threshold"].value = 0.02
    assert results[-1].settings.threshold == 0.02
    assert results[-1].consequences.overall["flagged"].iloc[0] > flagged_at_5
    panel.rows["policy"].value = "capacity"
    panel.rows["capacity"].value = 0.05
    assert results[-1].consequences.overall["flagged"].iloc[0] == pytest.approx(50.0)
    assert len(results) == 4


def test_panel_greys_out_levers_without_effect():
    panel = LeverPanel(("model", "policy", "threshold", "capacity"))
    assert panel.rows["threshold"].disabled and panel.rows["capacity"].disabled
    panel.rows["model"].value = "logistic"
    assert not panel.rows["threshold"].disabled and panel.rows["capacity"].disabled
    panel.rows["policy"].value = "capacity"
    assert panel.rows["threshold"].disabled and not panel.rows["capacity"].disabled


def test_an_error_in_a_callback_shows_a_banner_and_the_app_keeps_working(monkeypatch):
    lab = TriageLab()
    updates = lab.dashboard.updates
    real = run_deployment

    def broken(settings, **kwargs):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr("teachkit.ui.panel.run_deployment", broken)
    lab.panel.rows["model"].value = "logistic"
    assert lab.banner.message == GENERIC_MESSAGE
    assert lab.banner.layout.display != "none"
    assert "Traceback" not in lab.banner._message.value
    assert lab.dashboard.updates == updates  # the old picture stays
    monkeypatch.setattr("teachkit.ui.panel.run_deployment", real)
    lab.panel.rows["model"].value = "boosting"
    assert lab.banner.message == ""
    assert lab.banner.layout.display == "none"
    assert lab.dashboard.updates == updates + 1


def test_a_teachkit_error_is_shown_in_its_own_words():
    from teachkit import TeachkitError

    banner = Banner()

    @guarded(banner)
    def fails():
        raise TeachkitError("Share of the group kept must be between 0 % and 100 %.")

    assert fails() is None
    assert banner.message == "Share of the group kept must be between 0 % and 100 %."


def test_the_banner_makes_its_details_area_only_when_there_are_details():
    banner = Banner()
    assert len(banner.children) == 1  # a page that never fails sends no details widgets
    banner.show("Plain words.")
    assert len(banner.children) == 1 and banner.layout.display == ""
    banner.show("Plain words.", details="Traceback: boom")
    assert len(banner.children) == 2 and banner._accordion.layout.display == ""
    assert "boom" in banner._details.outputs[0]["text"]
    banner.show("Other words.")
    assert banner._accordion.layout.display == "none" and banner._details.outputs == ()
    banner.clear()
    assert banner.layout.display == "none" and banner.message == ""


def test_dashboard_shows_the_result_and_exposes_its_state():
    dashboard = Dashboard(attribute="language")
    result = simulate(Settings(model="logistic"))
    dashboard.show(result)
    assert dashboard.png[:4] == b"\x89PNG"
    assert dashboard.sentence == result.sentence()
    assert 'data-updates="1"' in dashboard._state.value
    flagged = result.consequences.overall["flagged"].iloc[0]
    assert f'data-flagged="{flagged:.3f}"' in dashboard._state.value
    assert "Limited English" in str(result.consequences.by_group.loc["language"].index.tolist())
    before = dashboard.png
    dashboard._group.value = "insurance"
    assert dashboard.updates == 2 and dashboard.png != before
    assert 'data-attribute="insurance"' in dashboard._state.value


def test_headline_cards_show_the_numbers_and_the_baseline():
    from teachkit.text import per_1000, whole_counts
    from teachkit.ui.dashboard import headline_html

    result = simulate(Settings(model="logistic", threshold=0.1))
    page = headline_html(result)
    # whole people that add up, as the sentence and the picture round them
    now = whole_counts(result.consequences.overall.iloc[0])
    base = whole_counts(result.baseline.overall.iloc[0])
    for key in ("flagged", "caught", "missed", "needless"):
        value = f'data-key="{key}" style="font-size:26px;font-weight:600">{per_1000(now[key])}'
        assert value in page
        assert f"usual rule: <b>{per_1000(base[key])}</b>" in page


def test_tour_steps_stay_in_range():
    tour = Tour()
    assert tour.step == 0 and tour._back.disabled
    tour._next.click()
    assert tour.step == 1 and 'data-step="1"' in tour._step_html.value
    for _ in range(20):
        tour._next.click()
    assert tour._next.disabled and tour.step == 5
    before = tour.dashboard.updates
    tour.panel.rows["capacity"].value = 0.2
    assert tour.dashboard.updates == before + 1


def test_reflection_survives_a_new_box_under_the_same_name(tmp_path):
    store = ReflectionStore(tmp_path)
    box = ReflectionBox("01", "Which error hurts whom?", store=store)
    box.name = "Dr Ana"
    box.text = "A missed crisis can cost a life."
    saved = json.loads(store.path("01", "Dr Ana").read_text())
    assert saved["text"] == "A missed crisis can cost a life." and saved["lesson"] == "01"
    again = ReflectionBox("01", "Which error hurts whom?", store=store)
    assert again.text == ""
    again.name = "dr ana"  # the same trainee, typed differently
    assert again.text == "A missed crisis can cost a life."


def test_text_typed_before_the_name_is_kept_and_merged(tmp_path):
    store = ReflectionStore(tmp_path)
    store.save("00", "Sam", "first thoughts")
    box = ReflectionBox("00", "q", store=store)
    box.text = "typed before my name"
    assert "Not saved yet" in box._status.value
    box.name = "Sam"
    assert box.text == "first thoughts\n\ntyped before my name"
    assert store.load("00", "Sam") == box.text


def test_a_name_without_letters_is_refused_kindly(tmp_path):
    box = ReflectionBox("00", "q", store=ReflectionStore(tmp_path))
    box.name = "!!!"
    box.text = "hello"
    assert "letter or digit" in box._status.value or "Not saved" in box._status.value
    assert not list(tmp_path.rglob("*.json"))


def test_trainee_name_from_the_query_string(tmp_path, monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.setenv("QUERY_STRING", "trainee=Seat+7")
    ReflectionStore(tmp_path).save("01", "Seat 7", "kept")
    box = ReflectionBox("01", "q", store=ReflectionStore(tmp_path))
    assert box.name == "Seat 7" and box.text == "kept"


def test_lever_explanations_open_by_keyboard_and_touch_not_hover_only():
    from teachkit.levers import get_spec
    from teachkit.ui.rows import LeverRow

    spec = get_spec("threshold")
    row = LeverRow(spec)
    help_ = row._label.value[row._label.value.index("<details"):]
    assert help_.startswith('<details class="tk-help">')
    assert f'<summary aria-label="About {spec.label}">?</summary>' in help_
    assert html.escape(spec.tooltip) in help_ and "title=" not in help_
    assert f"<b>{spec.label}</b>" in row._label.value  # the name, in the same widget
    assert "tk-row-help" in row._label._dom_classes


def test_rows_share_their_layouts_and_styles():
    """A row is four widget models (the page's first render waits for every model):
    the name with its explanation, the control and Reset in a box; rows laid out alike
    share their layout and style models."""
    from teachkit.levers import get_spec
    from teachkit.ui.rows import LeverRow

    a, b = LeverRow(get_spec("threshold")), LeverRow(get_spec("capacity"))
    assert len(a.children) == 3
    for x, y in zip(a.children, b.children):
        assert x.layout is y.layout and x.style is y.style
    assert a.layout is b.layout
    assert a.control.layout.width == "360px"
    a.value = 0.2  # sharing never couples their values
    assert b.value == get_spec("capacity").rest


def test_panel_sections_are_headings_and_the_glossary_is_there():
    from teachkit.glossary import GLOSSARY

    panel = LeverPanel(("model", "threshold"), headings={"threshold": "Protections"},
                       glossary=True)
    values = [child.value for child in panel.children if hasattr(child, "value")
              and isinstance(child.value, str)]
    assert values[0].startswith('<h3 class="tk-heading"') and "What you can change" in values[0]
    assert '<h4 class="tk-heading"' in "".join(values) and ">Protections</h4>" in "".join(values)
    glossary = values[0][values[0].index("<details"):]
    assert glossary.startswith('<details class="tk-glossary"')
    assert all(html.escape(term) in glossary for term in GLOSSARY)


def test_a_page_of_two_panels_shows_the_glossary_once(monkeypatch):
    from teachkit.ui import panel as panel_module

    monkeypatch.setattr(panel_module, "_glossary_shown", False)  # a new kernel
    first, second = LeverPanel(("model",)), LeverPanel(("threshold",))
    assert "tk-glossary" in first.children[1].value
    assert "tk-glossary" not in second.children[1].value
    assert "What you can change" in second.children[1].value
    assert "tk-glossary" in LeverPanel(("model",), glossary=True).children[1].value


def test_glossary_entries_are_short_and_plain():
    from teachkit.glossary import GLOSSARY

    long = {term: len(text.split()) for term, text in GLOSSARY.items() if len(text.split()) > 25}
    assert not long, f"glossary entries over 25 words: {long}"
    for term in ("AUC", "PPV", "sensitivity", "prevalence", "logits", "proxy", "fairlearn",
                 "reduction", "epsilon (ε)", "FTC", "CTL", "ZIP3", "cohort"):
        assert term in GLOSSARY  # the terms issue 14 found unexplained


def test_reflection_prompt_is_a_heading_and_notes_meet_contrast(tmp_path):
    box = ReflectionBox("00", "What worries you?", store=ReflectionStore(tmp_path))
    assert box._prompt.value.startswith('<h3 class="tk-heading"')
    box.name = "Ada"
    box.text = "A first thought."
    assert "Saved for Ada" in box._status.value and "#00704A" in box._status.value


@pytest.mark.parametrize("lab", [TriageLab, Tour])
def test_a_lab_sends_no_class_or_layout_after_its_widgets_opened(lab, monkeypatch):
    """Every update message a kernel sends while a lesson runs is one more for Voila to
    decode and the page to apply: CSS classes and layouts go out with each widget's
    first message (benchmarks/bench_messages.py counts them per lesson)."""
    import comm
    from comm.base_comm import BaseComm

    sent = []

    class Recorded(BaseComm):
        """A comm that sends, whatever was imported before: with ipykernel imported and
        no kernel running (an earlier test's warm-up), ipykernel's comm has no kernel and
        a widget sends no update at all."""

        def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
            pass

    monkeypatch.setattr(comm, "create_comm", lambda *a, **k: Recorded(*a, **k))
    send_state = widgets.Widget.send_state
    monkeypatch.setattr(widgets.Widget, "send_state", lambda self, key=None: (
        sent.append((type(self).__name__, key)), send_state(self, key))[1])
    built = lab()
    assert not sent, "every widget opens with its first run's state: no update follows"
    lever = next(iter(built.panel.rows.values()))
    lever.value = lever.control.options[-1][1] if hasattr(lever.control, "options") \
        else lever.control.max
    assert sent, "a lever moved updates the widgets that opened"
    assert not [(kind, key) for kind, key in sent
                if kind == "Layout" or key in ("_dom_classes", "layout")]
    shown = _descendants(built)
    layouts = {id(w.layout) for w in shown}
    assert len(layouts) <= len(shown) // 2, "widgets laid out alike share one Layout"


def _descendants(box) -> list:
    out = [box]
    for child in getattr(box, "children", ()):
        out += _descendants(child)
    return out
