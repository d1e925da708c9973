"""One widget row per lever, built from its :class:`~teachkit.levers.LeverSpec`.

The control's bounds, step and options come from the spec's constraint (never typed
twice); the label and the explanation (a "?" that opens by click, tap or keyboard) come
from the spec's plain-language text, in one HTML widget.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from .._validation import Interval, Options
from ..levers import LeverSpec
from ._layouts import plain_html, shared_layout, shared_style

__all__ = ["LeverRow", "help_html", "label_html", "on_step"]

#: Width of every lever's control, so the controls of a panel line up.
CONTROL_WIDTH = "360px"


def help_html(spec: LeverSpec) -> str:
    """The lever's explanation behind a "?" that opens by click, tap, Enter or Space.

    A ``<details>`` element, not a hover-only tooltip: keyboard, touch and screen-reader
    users reach it too. The page's template lets an opened explanation take the row's
    full width, under the lever's name (the control moves below it).

    Examples
    --------
    >>> from teachkit.levers import get_spec
    >>> html_ = help_html(get_spec("threshold"))
    >>> html_.startswith('<details class="tk-help">') and 'aria-label="About Risk' in html_
    True
    """
    return (
        '<details class="tk-help"><summary aria-label="About '
        f'{html.escape(spec.label)}">?</summary>'
        f'<div class="tk-help-text">{html.escape(spec.tooltip)}</div></details>'
    )


def label_html(spec: LeverSpec) -> str:
    """The lever's name (bold, a fixed width so the controls line up) and its
    explanation (:func:`help_html`), in one piece of HTML: one widget model, not six.

    Examples
    --------
    >>> from teachkit.levers import get_spec
    >>> label_html(get_spec("threshold")).count("<b>Risk threshold</b>")
    1
    """
    return (f'<span class="tk-lever-name" title="{html.escape(spec.tooltip)}" '
            'style="display:inline-block;width:190px;line-height:1.3;vertical-align:middle">'
            f"<b>{html.escape(spec.label)}</b></span>{help_html(spec)}")


def on_step(value: float, step: float, low: float = 0.0) -> float:
    """``value`` without the float noise a page's slider adds to a step (``0.05 + 0.001``
    is ``0.051000000000000004`` in a browser); a value off the grid is left as it is.

    So a move to a step gives the same settings however it was made, and a state kept
    for those settings (a run, a picture) is found.

    Examples
    --------
    >>> on_step(0.051000000000000004, 0.001, 0.001), on_step(0.0525, 0.001, 0.001)
    (0.051, 0.0525)
    """
    if not step:
        return value
    steps = round((value - low) / step)
    snapped = round(low + steps * step, 12)
    return snapped if abs(snapped - value) <= 1e-9 * step else value


class LeverRow(widgets.HBox):
    """A label with its explanation ("?"), a control and a reset-to-rest button for one
    lever.

    Four widget models a row: the label and the explanation are one HTML widget, and
    every row shares its layouts and styles (:mod:`teachkit.ui._layouts`), so a page of
    eleven levers asks the browser for 44 models, not 143.

    Parameters
    ----------
    spec : LeverSpec
    value : object, default=spec.rest
    on_change : callable(name, value), default=None
        Called when the trainee changes the value (not when code sets ``.value``
        with ``notify=False``).

    Attributes
    ----------
    spec : LeverSpec
    value : object
        The current value; setting it moves the control.
    """

    def __init__(self, spec: LeverSpec, *, value=None, on_change=None):
        self.spec = spec
        self._on_change = on_change
        value = spec.rest if value is None else value
        constraint = spec.constraint
        if isinstance(constraint, Options):
            self._control = widgets.Dropdown(
                options=[(spec.option_labels.get(v, str(v)), v) for v in constraint.values],
                value=value, layout=shared_layout(width=CONTROL_WIDTH),
                # no description here: the dashboard's group chooser's style, one model
                style=shared_style(widgets.Dropdown, description_width="initial"),
            )
        elif isinstance(constraint, Interval):
            is_int = constraint.kind == "int"
            cls = widgets.IntSlider if is_int else widgets.FloatSlider
            kwargs = dict(
                min=constraint.low, max=constraint.high, value=value,
                step=spec.step or (1 if is_int else (constraint.high - constraint.low) / 100),
                continuous_update=False,
                layout=shared_layout(width=CONTROL_WIDTH),
                style=shared_style(cls),
            )
            if spec.unit == "%":
                kwargs["readout_format"] = ".1%"
            self._control = cls(**kwargs)
        else:  # pragma: no cover - every constraint type is handled above
            raise TypeError(f"No widget for a constraint of type {type(constraint)!r}.")
        self._label = plain_html(label_html(spec), "tk-row-label", "tk-row-help")
        self._reset = widgets.Button(
            description="Reset", tooltip=f"Back to the starting value: {spec.display(spec.rest)}",
            layout=shared_layout(width="70px"), style=shared_style(widgets.Button),
            _dom_classes=(f"tk-reset-{spec.name}",))
        self._reset.on_click(lambda _: setattr(self, "value", spec.rest))
        self._control.observe(self._changed, names="value")
        super().__init__([self._label, self._control, self._reset],
                         layout=shared_layout(align_items="center", flex_flow="row wrap"),
                         _dom_classes=("tk-lever", f"tk-lever-{spec.name}"))

    def _changed(self, change):
        if self._on_change is not None:
            self._on_change(self.spec.name, self.value)

    @property
    def value(self):
        """The control's value; a slider's on its grid of steps (:func:`on_step`)."""
        value = self._control.value
        if isinstance(self._control, widgets.FloatSlider):
            return on_step(value, self._control.step, self._control.min)
        return value

    @value.setter
    def value(self, new):
        self._control.value = new

    @property
    def control(self) -> widgets.Widget:
        """The input widget (a Dropdown or a slider), for tests and layouts."""
        return self._control

    @property
    def disabled(self) -> bool:
        return self._control.disabled

    @disabled.setter
    def disabled(self, flag: bool) -> None:
        self._control.disabled = flag
        self._reset.disabled = flag
