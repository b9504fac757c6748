"""The one base of every error whose message is meant for the person using Quire.

A ``QuireError``'s ``str()`` is a complete sentence that names the file or setting and
says what to do, so the CLI prints it on one line and the app shows it as is. Any other
exception is a bug: front ends log its traceback and show a short generic line. Where
callers already catch a built-in type (``ValueError`` for bad input, ``RuntimeError`` for
something missing), the error mixes it in, so both ways of catching keep working.
"""

from __future__ import annotations


class QuireError(Exception):
    """An error worded for the user; ``user_message`` is what a front end shows."""

    @property
    def user_message(self) -> str:
        return str(self) or type(self).__name__


def user_message(exc: BaseException) -> str | None:
    """The message meant for the user, or None when ``exc`` is a bug to be logged."""
    return exc.user_message if isinstance(exc, QuireError) else None
