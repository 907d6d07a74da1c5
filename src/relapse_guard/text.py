"""Small text helpers shared by messages and command-line output: counts with their noun, progress lines.

Kept free of the library's other modules, so that anything (the errors, the command lines)
can use them without loading more.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["duration", "noun", "plural", "progress_text"]


def noun(count: int, word: str, many: str | None = None) -> str:
    """``word`` for one, ``many`` (by default ``word + "s"``) for any other count.

    >>> noun(1, "row"), noun(0, "row"), noun(2, "policy", "policies")
    ('row', 'rows', 'policies')
    """
    if count == 1:
        return word
    return many if many is not None else word + "s"


def plural(
    count: int,
    word: str,
    many: str | None = None,
    *,
    grouped: bool = True,
    ngettext: Callable[[str, str, int], str] | None = None,
) -> str:
    """``count`` and its noun: ``"1 row"``, ``"2 rows"``, ``"10,000 households"``.

    ``many`` is the plural when it is not ``word + "s"``; ``grouped=False`` writes the count
    without thousands separators (``"40125 facts"``).

    With ``ngettext`` (a gettext catalogue's), the pair ``"{count} WORD"`` / ``"{count} MANY"``
    is looked up in it, which may say it in another language (``"10,000 户"``):
    :func:`relapse_guard.interface.plural` passes the interface catalogue's for a language.

    >>> plural(1, "row"), plural(10_000, "household"), plural(3, "policy", "policies")
    ('1 row', '10,000 households', '3 policies')
    >>> plural(40125, "fact", grouped=False)
    '40125 facts'
    """
    number = f"{count:,}" if grouped else str(count)
    if ngettext is None:
        return f"{number} {noun(count, word, many)}"
    return ngettext(f"{{count}} {word}", f"{{count}} {many or word + 's'}", count).format(count=number)


def duration(seconds: float) -> str:
    """Seconds as a short duration for a person: ``"42s"``, ``"3m 05s"``, ``"1h 02m"``.

    >>> duration(4.4), duration(185), duration(3725)
    ('4s', '3m 05s', '1h 02m')
    """
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


_BAR_WIDTH = 30


def progress_text(done: int, total: int | None, word: str, *, seconds: float, what: str = "") -> str:
    """One progress line: a bar, ``done/total`` of ``word`` (made plural), the rate and the time left.

    The time left is the time so far times the part not done over the part done (rows done
    over rows planned); without a ``total`` there is no bar and no time left. ``what`` follows
    the noun (``"written"``).

    >>> progress_text(2_500, 10_000, "household", seconds=5.0, what="written")
    '[#######                       ] 2,500/10,000 households written, 500/s, 15s left'
    >>> progress_text(1, None, "household", seconds=0.0)
    '1 household'
    """
    rate = done / seconds if seconds > 0 else 0.0
    words = noun(total if total else done, word) + (f" {what}" if what else "")
    speed = f", {rate:,.0f}/s" if seconds > 0 else ""
    if not total:
        return f"{done:,} {words}{speed}"
    filled = min(_BAR_WIDTH, done * _BAR_WIDTH // total)
    left = f", {duration(seconds * (total - done) / done)} left" if 0 < done < total else ""
    if done >= total:
        left = ", done"
    return f"[{'#' * filled:<{_BAR_WIDTH}}] {done:,}/{total:,} {words}{speed}{left}"
