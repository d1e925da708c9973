"""Errors inside callbacks become a plain banner, never a traceback.

Voila hides tracebacks, so a callback that raises would otherwise fail silently and
leave a trainee staring at a frozen dashboard. :func:`guarded` wraps a callback: an
error shows a short plain message in a :class:`Banner`, the full traceback goes to a
collapsed "details for the instructor" area, and the app keeps working.
"""

from __future__ import annotations

import functools
import html
import logging
import traceback

import ipywidgets as widgets

from .._validation import TeachkitError
from ._layouts import plain_html

__all__ = ["Banner", "guarded"]

log = logging.getLogger("teachkit.ui")

GENERIC_MESSAGE = (
    "Something went wrong while updating this page. Your choices and your notes are "
    "safe: try the lever again, or press Reset."
)


class Banner(widgets.VBox):
    """A message strip: hidden until there is something to say.

    ``show(message)`` displays a plain message (and optional details for the instructor,
    collapsed); ``clear()`` hides it again. The collapsed details area is made the
    first time it is needed: a page that never fails never sends its widgets.
    """

    def __init__(self):
        self._message = plain_html()
        self._details: widgets.Output | None = None
        self._accordion: widgets.Accordion | None = None
        super().__init__([self._message], _dom_classes=("tk-banner",),
                         layout=widgets.Layout(display="none"))
        self.message = ""

    def _details_area(self) -> widgets.Output:
        if self._details is None:
            self._details = widgets.Output()
            self._accordion = widgets.Accordion(children=[self._details])
            self._accordion.set_title(0, "Details for the instructor")
            self._accordion.selected_index = None
            self.children = [self._message, self._accordion]
        return self._details

    def show(self, message: str, *, details: str = "") -> None:
        self.message = message
        self._message.value = (
            '<div role="alert" style="background:#FFF4E0;border-left:4px solid #E69F00;'
            f'padding:8px 12px;font-size:14px">{html.escape(message)}</div>'
        )
        if details:
            area = self._details_area()
            area.outputs = ()
            area.append_stdout(details)
            self._accordion.layout.display = ""
        elif self._accordion is not None:
            self._details.outputs = ()
            self._accordion.layout.display = "none"
        self.layout.display = ""

    def clear(self) -> None:
        if self.message:
            self.message = ""
            self._message.value = ""
            self.layout.display = "none"


def guarded(banner: Banner):
    """Decorate a callback so that any error is shown in ``banner`` instead of raised.

    A :class:`~teachkit.TeachkitError` carries a message meant for people and is shown
    as it is; any other error shows :data:`GENERIC_MESSAGE` with the traceback collapsed
    beneath. A successful call clears the banner.
    """

    def decorate(callback):
        @functools.wraps(callback)
        def wrapper(*args, **kwargs):
            try:
                result = callback(*args, **kwargs)
            except TeachkitError as exc:
                banner.show(str(exc))
                return None
            except Exception as exc:  # noqa: BLE001 - the app must keep running
                log.exception("callback %s failed", getattr(callback, "__name__", callback))
                banner.show(GENERIC_MESSAGE, details="".join(
                    traceback.format_exception(type(exc), exc, exc.__traceback__)))
                return None
            banner.clear()
            return result

        return wrapper

    return decorate
