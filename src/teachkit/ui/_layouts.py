"""Layout and Style models shared by every widget laid out alike.

Each ipywidgets ``DOMWidget`` makes its own ``Layout`` model and, for most kinds, its own
``Style`` model: three models for one line of HTML. The browser creates every model of a
page, one by one, before it draws the page, so a lesson of 250 models waited seconds for
ones that all said the same thing. Widgets laid out alike share one instance instead
(ipywidgets allows it: a layout or style may be assigned to many widgets). Only layouts
nobody changes after creation are shared: a widget that hides itself
(``layout.display = "none"``) keeps its own (only :class:`~teachkit.ui._safety.Banner`
does).

A widget also gets its CSS classes when it is made (``_dom_classes=(...)``, the trait
``add_class`` sets), not by ``add_class`` afterwards: each later change is one more
message for Voila to decode and the page to apply (lesson 01 sent 147 messages while it
ran, 80 with both; ``benchmarks/bench_messages.py``; 59 once its apps open each model
with its first run's state, :mod:`teachkit.ui._opening`).

Examples
--------
>>> a = shared_layout(width="360px")
>>> a is shared_layout(width="360px"), a is shared_layout(width="70px")
(True, False)
>>> plain_html("<b>hi</b>").layout is plain_html("").layout
True
"""

from __future__ import annotations

import ipywidgets as widgets

from ._opening import held

__all__ = ["plain_html", "shared_layout", "shared_style"]

_SHARED: dict[tuple, widgets.Widget] = {}


def _shared(kind: type, **traits) -> widgets.Widget:
    key = (kind, tuple(sorted(traits.items())))
    model = _SHARED.get(key)
    if model is None or (model.comm is None and not held(model)):  # new, or closed since
        model = _SHARED[key] = kind(**traits)
    return model


def shared_layout(**traits) -> widgets.Layout:
    """The one ``Layout`` with these traits, for widgets that never change it."""
    return _shared(widgets.Layout, **traits)


def shared_style(widget: type, **traits) -> widgets.Widget:
    """The one style model with these traits for widgets of class ``widget``
    (``widgets.HTML``, ``widgets.Button``, ...: each kind has its own style class)."""
    return _shared(widget.class_traits()["style"].klass, **traits)


def plain_html(value: str = "", *classes: str, **traits) -> widgets.HTML:
    """An HTML widget with the shared default layout and style (one model, not three),
    these CSS classes and other ``traits`` (all set before its model opens: no update
    message follows). Its layout must not be changed: make an ordinary ``widgets.HTML``
    for one that hides itself."""
    traits.setdefault("layout", shared_layout())
    traits.setdefault("style", shared_style(widgets.HTML))
    return widgets.HTML(value, _dom_classes=classes, **traits)
