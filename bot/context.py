"""What every `newsbot` command gets from the top-level group (click's `obj`)."""

from __future__ import annotations

from dataclasses import dataclass

from config.settings import Settings


@dataclass
class CliContext:
    """The settings, built once from the environment, and whether to show tracebacks."""

    settings: Settings
    debug: bool
