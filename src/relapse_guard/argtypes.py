"""Argument types shared by the command lines (argparse ``type=`` functions), kept light:
the top-level command line imports them without the packages behind its commands."""

from __future__ import annotations

import argparse

__all__ = ["share"]


def share(text: str) -> float:
    """A share between 0 and 1, e.g. ``0.02``."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be a share between 0 and 1, not {value}")
    return value
