"""A reflection box whose text survives a reload or a kernel restart.

The trainee types their name (or seat number) once per lesson; every keystroke after
that is saved to the :class:`~teachkit.reflections.ReflectionStore`. Coming back under
the same name brings the text back. Text typed before the name is kept and saved as soon
as a name is given, after any text already saved under that name: nothing is lost.

Changing the name shows the new name's own notes: nothing is written under another
name. Two tabs under one name merge their paragraphs and say so. A save that fails (a
full disk, a text over the size cap) says so in red, and the text stays in the box.
"""

from __future__ import annotations

import html
import os
from datetime import datetime
from urllib.parse import parse_qs

import ipywidgets as widgets

from .._validation import TeachkitError
from ..reflections import ReflectionStore, default_store, trainee_identity
from ._layouts import plain_html, shared_layout, shared_style
from ._opening import opens_when_built
from ._safety import Banner, guarded

__all__ = ["ReflectionBox", "trainee_from_environment"]


def trainee_from_environment() -> str:
    """A trainee name the server already knows: JupyterHub's user, or ``?trainee=``."""
    user = os.environ.get("JUPYTERHUB_USER", "")
    if user:
        return user
    query = parse_qs(os.environ.get("QUERY_STRING", ""))
    return query.get("trainee", [""])[0]


#: Colours of the status note, 4.5:1 or more on white (WCAG 2.1 AA text; the Okabe-Ito
#: orange and green are 3.0-3.4:1): the words say it too ("Saved", "NOT saved").
_WARNING = "#A3401D"
_SAVED = "#00704A"


class ReflectionBox(widgets.VBox):
    """A question, a name field and a text box that saves as the trainee types.

    Parameters
    ----------
    lesson : str
        The lesson's number ("01"): reflections are kept per lesson.
    prompt : str
        The question, in plain language.
    store : ReflectionStore, default=default_store()
    trainee : str, default=trainee_from_environment()
    """

    @opens_when_built  # its models sent once, with the first status and saved notes
    def __init__(self, lesson: str, prompt: str, *, store: ReflectionStore | None = None,
                 trainee: str | None = None):
        self.lesson = lesson
        self.store = store or default_store()
        self.banner = Banner()
        self._prompt = plain_html(
            '<h3 class="tk-heading" style="font-size:15px;font-weight:600;margin:8px 0 4px">'
            f"{html.escape(prompt)}</h3>"
        )
        self._name = widgets.Text(
            placeholder="Your name or seat number",
            description="Your name",
            continuous_update=False,
            style=shared_style(widgets.Text, description_width="initial"),
            _dom_classes=("tk-reflection-name",),
            layout=shared_layout())
        self._text = widgets.Textarea(
            placeholder="Write your thoughts here. They are saved as you type.",
            continuous_update=True,
            layout=shared_layout(width="100%", max_width="60em", height="140px"),
            style=shared_style(widgets.Textarea, description_width="initial"),
            _dom_classes=("tk-reflection-text",))
        self._status = plain_html("", "tk-reflection-status")
        self._name.observe(guarded(self.banner)(self._name_changed), names="value")
        self._text.observe(guarded(self.banner)(self._text_changed), names="value")
        super().__init__([self._prompt, self._name, self._text, self._status, self.banner],
                         _dom_classes=("tk-reflection",), layout=shared_layout())
        self.trainee = ""
        self.saved = True  # False while the box holds text not on disk
        self._revision: int | None = None
        self._quiet = False  # set while the box itself changes a field
        self._set_status("Type your name above so your notes are kept after a reload.")
        start = trainee if trainee is not None else trainee_from_environment()
        if start:
            self._name.value = start

    # -- public, for tests and notebooks ---------------------------------------------
    @property
    def text(self) -> str:
        return self._text.value

    @text.setter
    def text(self, value: str) -> None:
        self._text.value = value

    @property
    def name(self) -> str:
        return self._name.value

    @name.setter
    def name(self, value: str) -> None:
        self._name.value = value

    # -- callbacks -------------------------------------------------------------------
    def _set_status(self, message: str, colour: str = "#555") -> None:
        self._status.value = (
            f'<span style="color:{colour};font-size:12px">{html.escape(message)}</span>'
        )

    def _set_quietly(self, field, value: str) -> None:
        self._quiet = True
        try:
            field.value = value
        finally:
            self._quiet = False

    def _name_changed(self, change):
        if self._quiet:
            return
        name = change["new"].strip()
        previous = self.trainee
        if previous and not self.saved and not self._save(self._text.value):
            # The notes of the previous name are not on disk: keep them, and the name.
            self._set_quietly(self._name, previous)
            self._set_status(f"Your notes for {previous} are NOT saved yet, so the name was "
                             "not changed. Copy your text somewhere safe.", _WARNING)
            return
        if not name:
            self.trainee, self._revision = "", None
            if previous:  # saved under the previous name: never carried to another
                self._set_quietly(self._text, "")
            self._set_status("Type your name above so your notes are kept after a reload.")
            return
        try:
            trainee_identity(name)
        except TeachkitError as exc:
            self.trainee, self._revision = "", None
            if previous:
                self._set_quietly(self._text, "")
            message = "Your name needs at least one letter or digit." \
                if "letter or digit" in str(exc) else str(exc)
            self._set_status(message, _WARNING)
            return
        self.trainee = name
        try:
            saved, self._revision = self.store.load_record(self.lesson, name)
        except OSError as exc:
            self.trainee, self._revision = "", None
            self._set_status(f"Your notes could not be read ({exc.strerror or exc}); "
                             "nothing was saved. Try again in a moment.", _WARNING)
            return
        draft = "" if previous else self._text.value  # only text typed before any name
        if saved and draft and draft.strip() != saved.strip():
            merged = saved.rstrip() + "\n\n" + draft
        else:
            merged = saved or draft
        self._set_quietly(self._text, merged)
        if merged != saved:
            self._save(merged)
        elif merged:
            self.saved = True
            self._set_status(f"Saved for {name}: your notes are below.", _SAVED)
        else:
            self.saved = True
            self._set_status(f"Hello {name}: start writing, your notes are saved as you type.")

    def _text_changed(self, change):
        if self._quiet:
            return
        self.saved = False
        if not self.trainee:
            self._set_status("Not saved yet: type your name above so your notes are kept.",
                             _WARNING)
            return
        self._save(change["new"])

    def _save(self, text: str) -> bool:
        """Save; say plainly whether it worked. Returns True when the text is on disk."""
        try:
            result = self.store.save(self.lesson, self.trainee, text,
                                     base_revision=self._revision)
        except TeachkitError as exc:  # over the size cap
            self.saved = False
            self._set_status(str(exc), _WARNING)
            return False
        except OSError as exc:
            self.saved = False
            self._set_status(f"NOT saved: the notes folder cannot be written "
                             f"({exc.strerror or exc}). Your text is still here; copy it "
                             "somewhere safe.", _WARNING)
            return False
        self._revision, self.saved = result.revision, True
        if result.merged:
            self._set_quietly(self._text, result.text)
            self._set_status(f"Notes under {self.trainee} were also changed in another tab "
                             f"or window; both are kept here (saved at "
                             f"{datetime.now():%H:%M:%S}). Check the text.", "#E69F00")
        else:
            self._set_status(f"Saved for {self.trainee} at {datetime.now():%H:%M:%S}.",
                             _SAVED)
        return True
