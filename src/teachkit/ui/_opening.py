"""Widget models sent once, as they stand when an app is built, not as they were made.

An ipywidgets widget opens its model in the page (a ``comm_open`` message carrying its
whole state) the moment it is made; every trait set after that is one more message
(``comm_msg``). An app is made in pieces and then shows its first run: lesson 01's lab
sent 42 models, then 13 updates of them (the figure, the cards, the sentence, the
greyed-out levers ...), each one a message the kernel signs and Voila's server decodes,
for every trainee of a room. Inside :func:`opened_when_built` a new widget's model is
not opened yet: every widget made in the block is opened when the block ends, each
with its final state, children before their parents, and nothing is sent twice.

Widgets made in the block and dropped before it ends are never sent (they are only
weakly held here). A widget made in the block must not be shown, linked
(``jslink``) or closed before the block ends.

Examples
--------
>>> import ipywidgets as widgets
>>> with opened_when_built():
...     label = widgets.HTML("made")
...     held = label.comm is None
...     label.value = "shown"
>>> held, label.comm is not None, label.value
(True, True, 'shown')
"""

from __future__ import annotations

import functools
import weakref
from contextlib import contextmanager

import ipywidgets as widgets

__all__ = ["held", "opened_when_built", "opens_when_built"]

#: The widgets made in the outermost open block, in the order they were made.
_HELD: list[weakref.ref] | None = None
_OPEN = widgets.Widget.open


def _hold(widget: widgets.Widget) -> None:
    """``Widget.open`` while a block is open: remember the widget, open nothing."""
    if widget.comm is None and _HELD is not None:
        _HELD.append(weakref.ref(widget))
        widget._tk_held = True


def held(widget) -> bool:
    """Whether ``widget`` was made in a block that has not ended (its model is not
    open yet, but will be)."""
    return getattr(widget, "_tk_held", False) and widget.comm is None


def _open(widget: widgets.Widget) -> None:
    """Open ``widget``'s model after those of the held widgets its state names."""
    if widget.comm is not None:
        return
    widget._tk_held = False
    for name in widget.keys:
        value = getattr(widget, name, None)
        items = value if isinstance(value, (list, tuple)) else (value,)
        for item in items:
            if isinstance(item, widgets.Widget) and held(item):
                _open(item)
    _OPEN(widget)


@contextmanager
def opened_when_built():
    """Hold the models of the widgets made in this block; open each at the end, with
    its final state. Blocks nest: the outermost one opens them."""
    global _HELD
    if _HELD is not None:
        yield
        return
    _HELD = []
    widgets.Widget.open = _hold
    try:
        yield
    finally:
        widgets.Widget.open = _OPEN
        made, _HELD = _HELD, None
        for ref in made:
            widget = ref()
            if widget is not None:
                _open(widget)


def opens_when_built(init):
    """Decorate a widget class's ``__init__``: the widgets it makes, itself included,
    open when it returns (:func:`opened_when_built`)."""

    @functools.wraps(init)
    def wrapper(self, *args, **kwargs):
        with opened_when_built():
            init(self, *args, **kwargs)

    return wrapper
