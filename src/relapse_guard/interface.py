"""The words of the interface: what the command line, the demo and the reports say, in English or Chinese.

Every such message is written in the code in English and marked by a call to :func:`tr`
(a message) or :func:`ntr` (a message with a count, singular and plural), with the language
first: ``tr(lang, "Money")``, ``ntr(lang, "{count} household", "{count} households", n)``;
a count and its noun by :func:`plural` (``plural(n, "household", lang=lang)``), which looks
up ``"{count} household"`` / ``"{count} households"``.
The marks are what the catalogue's tooling extracts (:mod:`relapse_guard.interface_catalogue`,
with Babel), so every message the code can say has an entry in
``locale/zh_CN/LC_MESSAGES/interface.po``; a test checks it, and that the compiled ``.mo``
shipped beside it says the same.

Values are filled in after translation with :meth:`str.format`, so a translation may move
them (``{count}``, ``{date}``) but must keep each one. English is the messages as written.

>>> tr("en", "Money"), tr("zh-CN", "Money")
('Money', '资金')
>>> ntr("en", "{count} household", "{count} households", 3), ntr("zh-CN", "{count} household", "{count} households", 3)
('3 households', '3 户')
"""

from __future__ import annotations

from typing import Final

from .i18n import ENGLISH, gettext_for, ngettext_for, normalise_language
from .text import _BAR_WIDTH
from .text import duration as _duration
from .text import plural as _plural
from .text import progress_text as _progress_text

__all__ = ["DOMAIN", "KEYWORDS", "duration", "is_english", "ntr", "plural", "progress_text", "tr", "tr_marked"]

#: The gettext domain of the interface's messages.
DOMAIN: Final = "interface"

#: How the extraction finds the messages: Babel keyword specs (1-based argument positions of
#: the message, and of its plural). ``lang`` comes first in both calls.
KEYWORDS: Final = {"tr": (2,), "ntr": (2, 3)}


def is_english(lang: str) -> bool:
    """True when ``lang`` is English: the messages as written, no catalogue read."""
    return lang == ENGLISH or normalise_language(lang) == ENGLISH


def tr(lang: str, message: str, /, **values: object) -> str:
    """``message`` in ``lang``, its ``{name}`` fields filled from ``values`` (none: the text as it is)."""
    text = message if is_english(lang) else gettext_for(DOMAIN, lang)(message)
    return text.format(**values) if values else text


def tr_marked(lang: str, message: str) -> str:
    """``message`` in ``lang``, for a message marked where it was written (``tr("en", "...")``
    keeps it in English and in the catalogue) and said later in the language asked."""
    return message if is_english(lang) else gettext_for(DOMAIN, lang)(message)


def ntr(lang: str, singular: str, plural: str, count: int, /, **values: object) -> str:
    """``singular`` or ``plural`` in ``lang`` as ``count`` says, with ``{count}`` (grouped by
    thousands: ``10,000``) and the other ``values`` filled in.

    >>> ntr("en", "{count} row", "{count} rows", 10_000)
    '10,000 rows'
    """
    text = (
        (singular if count == 1 else plural)
        if is_english(lang)
        else ngettext_for(DOMAIN, lang)(singular, plural, count)
    )
    return text.format(**{"count": f"{count:,}", **values})


def plural(count: int, word: str, many: str | None = None, *, grouped: bool = True, lang: str) -> str:
    """``count`` and its noun in ``lang``, as :func:`relapse_guard.text.plural` says it in English,
    through the catalogue's ``ngettext``: the pair ``"{count} WORD"`` / ``"{count} MANY"`` (the
    catalogue's tooling finds each call, so its word and plural must be string literals).

    >>> plural(10_000, "household", lang="en"), plural(10_000, "household", lang="zh-CN")
    ('10,000 households', '10,000 户')
    """
    if is_english(lang):
        return _plural(count, word, many, grouped=grouped)
    return _plural(count, word, many, grouped=grouped, ngettext=ngettext_for(DOMAIN, lang))


def duration(seconds: float, lang: str) -> str:
    """Seconds as a short duration in ``lang``, as :func:`relapse_guard.text.duration` says it in English.

    >>> duration(185, "en"), duration(185, "zh-CN"), duration(3725, "zh-CN")
    ('3m 05s', '3 分 05 秒', '1 小时 02 分')
    """
    if is_english(lang):
        return _duration(seconds)
    whole = max(0, round(seconds))
    if whole < 60:
        return tr(lang, "{seconds}s", seconds=whole)
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return tr(lang, "{minutes}m {seconds}s", minutes=minutes, seconds=f"{secs:02d}")
    hours, minutes = divmod(minutes, 60)
    return tr(lang, "{hours}h {minutes}m", hours=hours, minutes=f"{minutes:02d}")


def progress_text(done: int, total: int | None, word: str, *, seconds: float, what: str = "", lang: str) -> str:
    """One progress line in ``lang``, as :func:`relapse_guard.text.progress_text` draws it in English:
    a bar, ``done/total`` households and what is done to them (``written``, ``drawn``,
    ``rescreened``), the rate and the time left.

    >>> progress_text(2_500, 10_000, "household", seconds=5.0, what="written", lang="zh-CN")
    '[#######                       ] 2,500/10,000 户已写入，每秒 500 户，剩余 15 秒'
    >>> progress_text(60, 60, "household", seconds=0.1, what="rescreened", lang="zh-CN")
    '[##############################] 60/60 户已重新筛查，每秒 600 户，完成'
    """
    if is_english(lang) or word != "household" or what not in ("", "written", "drawn", "rescreened"):
        return _progress_text(done, total, word, seconds=seconds, what=what)
    rate = done / seconds if seconds > 0 else 0.0
    speed = tr(lang, ", {rate} households/s", rate=f"{rate:,.0f}") if seconds > 0 else ""
    if not total:
        return _households_done(what, lang).format(done=f"{done:,}") + speed
    counted = _households_done(what, lang, of_total=True).format(done=f"{done:,}", total=f"{total:,}")
    filled = min(_BAR_WIDTH, done * _BAR_WIDTH // total)
    left = (
        tr(lang, ", {duration} left", duration=duration(seconds * (total - done) / done, lang))
        if 0 < done < total
        else ""
    )
    if done >= total:
        left = tr(lang, ", done")
    return f"[{'#' * filled:<{_BAR_WIDTH}}] {counted}{speed}{left}"


def _households_done(what: str, lang: str, *, of_total: bool = False) -> str:
    """The count of a progress line in ``lang``, its ``{done}`` (and ``{total}``) to fill in."""
    if of_total:
        return {
            "": tr(lang, "{done}/{total} households"),
            "written": tr(lang, "{done}/{total} households written"),
            "drawn": tr(lang, "{done}/{total} households drawn"),
            "rescreened": tr(lang, "{done}/{total} households rescreened"),
        }[what]
    return {
        "": tr(lang, "{done} households"),
        "written": tr(lang, "{done} households written"),
        "drawn": tr(lang, "{done} households drawn"),
        "rescreened": tr(lang, "{done} households rescreened"),
    }[what]
