"""What every `newsbot` command gets from the top-level group (click's `obj`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import click

from config.settings import Settings


@dataclass
class CliContext:
    """The settings, built once from the environment, and whether to show tracebacks."""

    settings: Settings
    debug: bool


def iso_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    """A click callback: an option's YYYY-MM-DD value as a date (every command's dates)."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2019-05-20") from None
