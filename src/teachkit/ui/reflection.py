"""A reflection box whose text survives a reload or a kernel restart.

The trainee types their name (or seat number) once per lesson; every keystroke after
that is saved to the :class:`~teachkit.reflections.ReflectionStore`. Coming back under
the same name brings the text back. Text typed before the name is kept and saved as soon
as a name is given, after any text already saved under that name: nothing is lost.
"""

from __future__ import annotations

import html
import os
from datetime import datetime
from urllib.parse import parse_qs

import ipywidgets as widgets

from .._validation import TeachkitError
from ..reflections import ReflectionStore, default_store, trainee_slug
from ._safety import Banner, guarded

__all__ = ["ReflectionBox", "trainee_from_environment"]


def trainee_from_environment() -> str:
    """A trainee name the server already knows: JupyterHub's user, or ``?trainee=``."""
    user = os.environ.get("JUPYTERHUB_USER", "")
    if user:
        return user
    query = parse_qs(os.environ.get("QUERY_STRING", ""))
    return query.get("trainee", [""])[0]


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

    def __init__(self, lesson: str, prompt: str, *, store: ReflectionStore | None = None,
                 trainee: str | None = None):
        self.lesson = lesson
        self.store = store or default_store()
        self.banner = Banner()
        self._prompt = widgets.HTML(
            f'<div style="font-size:15px;font-weight:600;margin-top:8px">'
            f"{html.escape(prompt)}</div>"
        )
        self._name = widgets.Text(
            placeholder="Your name or seat number",
            description="Your name",
            continuous_update=False,
            style={"description_width": "initial"},
        )
        self._name.add_class("tk-reflection-name")
        self._text = widgets.Textarea(
            placeholder="Write your thoughts here. They are saved as you type.",
            continuous_update=True,
            layout=widgets.Layout(width="100%", max_width="60em", height="140px"),
        )
        self._text.add_class("tk-reflection-text")
        self._status = widgets.HTML()
        self._status.add_class("tk-reflection-status")
        self._name.observe(guarded(self.banner)(self._name_changed), names="value")
        self._text.observe(guarded(self.banner)(self._text_changed), names="value")
        super().__init__([self._prompt, self._name, self._text, self._status, self.banner])
        self.add_class("tk-reflection")
        self.trainee = ""
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

    def _name_changed(self, change):
        name = change["new"].strip()
        if not name:
            self.trainee = ""
            self._set_status("Type your name above so your notes are kept after a reload.")
            return
        try:
            trainee_slug(name)
        except TeachkitError:
            self.trainee = ""
            self._set_status("Your name needs at least one letter or digit.", "#D55E00")
            return
        self.trainee = name
        saved = self.store.load(self.lesson, name)
        draft = self._text.value
        if saved and draft and draft.strip() != saved.strip():
            merged = saved.rstrip() + "\n\n" + draft
        else:
            merged = saved or draft
        if merged != draft:
            self._text.value = merged  # triggers a save through _text_changed
        elif merged:
            self._save(merged)
        else:
            self._set_status(f"Hello {name}: start writing, your notes are saved as you type.")

    def _text_changed(self, change):
        if not self.trainee:
            self._set_status("Not saved yet: type your name above so your notes are kept.",
                             "#D55E00")
            return
        self._save(change["new"])

    def _save(self, text: str) -> None:
        self.store.save(self.lesson, self.trainee, text)
        self._set_status(f"Saved for {self.trainee} at {datetime.now():%H:%M:%S}.", "#009E73")
