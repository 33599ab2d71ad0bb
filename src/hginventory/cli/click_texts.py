"""click in the user's language: its own words, and every command's help (marked with N_),
translated when shown; its error lines shown safe like every hginv line."""

from __future__ import annotations

import inspect
import shutil
import sys
from contextlib import contextmanager

import click

from hginventory.cli.terminal import clean, wrap_text
from hginventory.core.i18n import N_, gettext
from hginventory.core.i18n import gettext as _

CLICK_TEXTS = (
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Show the version and exit."),
    N_("default: {default}"),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("Missing argument"),
    N_("Missing option"),
    N_("No such option {name!r}."),
    N_("No such command {name!r}."),
    N_("Invalid value for {param_hint}: {message}"),
    N_("{value} is not in the range {range}."),
    N_("{value!r} is not a valid {number_type}."),
    N_("Aborted!"),
)


HELP_TEXT = N_("Show this message and exit.")


def translate_click_texts() -> None:
    """click's own words (usage line, section titles, its errors) in hginv's catalog.

    click looks them up with the stdlib `gettext.gettext`, imported as `_` in each of its
    modules. It has no public hook (pallets/click#2706 is open): the stdlib's global domain
    would follow only the environment's language, not --lang, and would change the domain of
    every other library in the process. So this one function points click's `_` at hginv's
    `gettext`; CLICK_TEXTS holds the words for the catalog."""
    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.types):
        module._ = gettext


def show_click_errors_safe() -> None:
    """click's error lines through `clean`, and wrapped between words on a terminal.

    click prints a usage error with the `echo` of its exceptions module, quoting what was
    typed (a file name with an escape in it), and offers no hook for it short of replacing
    its standalone error handling: that one name is pointed at `_safe_click_echo`."""
    click.exceptions.echo = _safe_click_echo


def _safe_click_echo(message=None, file=None, nl=True, err=False, color=None):
    """click's own error messages quote what was typed (a file name with an escape in it):
    shown safe, and wrapped between words on a terminal like every hginv message."""
    if isinstance(message, str):
        message = clean(message)
        stream = file or (sys.stderr if err else sys.stdout)
        if getattr(stream, "isatty", lambda: False)():
            message = wrap_text(message, shutil.get_terminal_size().columns).plain
    click.utils.echo(message, file, nl, err, color)


@contextmanager
def translated_help(command: click.Command, ctx: click.Context):
    """The command's help texts in the current language while its help is printed (restored
    after, so that one process can show help in several languages). The --help option is
    made by click while parsing, before --lang is read: its text is set here."""
    params = [p for p in command.get_params(ctx) if getattr(p, "help", None)]
    saved = (command.help, command.short_help, [p.help for p in params])
    if command.help:
        command.help = _(inspect.cleandoc(command.help))
    if command.short_help:
        command.short_help = _(command.short_help)
    for param in params:
        param.help = _(HELP_TEXT) if param.name == "help" else _(param.help)
    try:
        yield
    finally:
        command.help, command.short_help, helps = saved
        for param, text in zip(params, helps, strict=True):
            param.help = text


class _TranslatedHelp:
    """Help (marked with N_) shown in the user's language."""

    def format_help(self, ctx, formatter) -> None:
        with translated_help(self, ctx):
            super().format_help(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        saved = self.help, self.short_help
        if self.help:
            self.help = _(inspect.cleandoc(self.help))
        if self.short_help:
            self.short_help = _(self.short_help)
        try:
            return super().get_short_help_str(limit)
        finally:
            self.help, self.short_help = saved


class TranslatedCommand(_TranslatedHelp, click.Command):
    """A command whose help (marked with N_) is shown in the user's language."""


class TranslatedGroup(_TranslatedHelp, click.Group):
    """A group of commands (`hginv factors`) whose help and whose commands' help are shown in
    the user's language."""

    command_class = TranslatedCommand
