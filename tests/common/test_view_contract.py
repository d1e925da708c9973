"""The contract every registered view meets (the twin of the lever and stage contracts).

For every :class:`~teachkit.ui.views.View` the ``ui`` modules define (no list kept
here): it is registered under its own name; it is a widget with its CSS class; it shows
a run of its stages (its ``sample``) without an error and the same run the same way;
a :class:`~teachkit.ui.Lab` builds from it alone and lays it out in the dashboard; and
every lesson's lab lists only registered views.
"""

from __future__ import annotations

from functools import cache

import ipywidgets as widgets
import pytest

from teachkit import ui
from teachkit.stages import Deployment, get_stage
from teachkit.ui import Lab
from teachkit.ui.views import VIEWS, View, all_views

REGISTERED = all_views()
NAMES = sorted(REGISTERED)
#: A small cohort and a model that learns, so every view has something to show.
SMALL = {"n": 2_000, "seed": 7, "model": "logistic"}
#: Every lesson's lab built on Lab (the board's room app is a lab of its own kind).
LABS = [lab for lab in (getattr(ui, name) for name in ui.__all__ if name.endswith("Lab"))
        if issubclass(lab, Lab)]


@cache
def _sample(name):
    cls = REGISTERED[name]
    return cls.sample(Deployment(cls.stages, **SMALL))


def _shown(widget) -> list:
    """Everything a widget and its children show: values of HTML and images."""
    out = []
    if isinstance(widget, (widgets.HTML, widgets.Image)):
        out.append(bytes(widget.value) if isinstance(widget, widgets.Image) else widget.value)
    for child in getattr(widget, "children", ()):
        out.extend(_shown(child))
    return out


def _owner(cls) -> type:
    """The lesson lab that lists ``cls`` (its dashboard, panel and kind of deployment),
    else :class:`Lab`."""
    return next((lab for lab in LABS if cls in lab.VIEWS), Lab)


def test_views_are_found_and_every_lab_lists_registered_views():
    assert {"fairness", "consent", "audit", "patient_explanation", "monitor_series",
            "named_people", "checklist", "numbers"} <= set(NAMES)
    assert len(LABS) >= 7
    for lab in LABS:
        for cls in lab.VIEWS:
            assert VIEWS[cls.name] is cls, (lab.__name__, cls)


def test_a_view_name_is_registered_once():
    with pytest.raises(ValueError, match="The view name 'fairness' is taken: "
                                         "teachkit.ui.apps.FairnessView registered it"):
        type("FairnessView", (REGISTERED["fairness"],), {"name": "fairness",
                                                        "__module__": "elsewhere"})
    assert VIEWS["fairness"] is REGISTERED["fairness"]


@pytest.mark.parametrize("name", NAMES)
def test_a_view_is_a_widget_that_shows_its_stages_run_the_same_way_twice(name):
    cls = REGISTERED[name]
    assert issubclass(cls, View) and issubclass(cls, widgets.DOMWidget)
    assert cls.name == name and cls.css
    for stage in cls.stages:
        get_stage(stage)  # a stage that exists
    view = cls()
    assert cls.css in view._dom_classes
    empty = _shown(view)
    result = _sample(name)
    view.update(result, "ethnicity")
    once = _shown(view)
    assert once != empty and any(once), f"{name} shows nothing"
    view.update(result, "ethnicity")
    assert _shown(view) == once
    assert view.banner.message == ""


@pytest.mark.parametrize("name", NAMES)
def test_a_lab_builds_from_the_view_alone(name):
    cls = REGISTERED[name]
    owner = _owner(cls)
    levers = [lever for stage in cls.stages for lever in get_stage(stage).levers[:2]] \
        or ["model", "threshold"]
    kind = type(owner.SETTINGS) if isinstance(owner.SETTINGS, Deployment) else Deployment
    lab = Lab(levers, views=[cls], settings=kind(cls.stages, **SMALL),
              dashboard=owner.DASHBOARD, panel=owner.PANEL, run=cls.sample)
    assert lab.banner.message == ""
    assert list(lab.views) == [name] and isinstance(lab.views[name], cls)
    assert lab.views[name] in lab.dashboard.children
    assert lab.dashboard.updates == 1 and any(_shown(lab.views[name]))
