"""Languages: which one to speak, and the gettext catalogues that speak it.

relapse_guard speaks English (the source language of every message) and Simplified
Chinese (``zh-CN``). Messages live in two gettext *domains*, each a catalogue of its own
under ``relapse_guard/locale/<lang>/LC_MESSAGES/``:

- ``decisions``: what the engine writes into a decision (its explanation, a verdict's
  reason, a route skipped), stored as a key and its values so that a stored decision
  renders in either language;
- ``interface``: what the command line, the demo and the reports say around them.

The language is chosen, first match wins, by an explicit argument (``--lang``), the
``RELAPSE_GUARD_LANG`` environment variable, the POSIX locale variables (``LC_ALL``,
``LC_MESSAGES``, ``LANG``), else English.

>>> normalise_language("zh_CN.UTF-8")
'zh-CN'
>>> normalise_language("C")
'en'
"""

from __future__ import annotations

import functools
import gettext
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final, Literal

from .errors import InvalidArgument

__all__ = [
    "CHINESE",
    "DOMAINS",
    "ENGLISH",
    "LANGUAGES",
    "LANGUAGE_ENV",
    "Domain",
    "catalogue_path",
    "gettext_for",
    "ngettext_for",
    "normalise_language",
    "resolve_language",
    "translator",
]

ENGLISH: Final = "en"
CHINESE: Final = "zh-CN"
#: The languages relapse_guard speaks, by their BCP 47 tags.
LANGUAGES: Final = (ENGLISH, CHINESE)
#: The environment variable that picks the language when ``--lang`` is not given.
LANGUAGE_ENV: Final = "RELAPSE_GUARD_LANG"

Domain = Literal["decisions", "interface"]
DOMAINS: Final[tuple[Domain, ...]] = ("decisions", "interface")

_LOCALE_DIR: Final = Path(__file__).parent / "locale"
# gettext's directory name for each language (POSIX locale form).
_GETTEXT_NAME: Final[Mapping[str, str]] = {CHINESE: "zh_CN"}


def normalise_language(value: str) -> str:
    """The language tag (``en`` or ``zh-CN``) a user's or a locale's spelling names.

    Accepts ``zh-CN``, ``zh_CN``, ``zh_CN.UTF-8``, ``zh``, ``zh-Hans``, ``en_US.UTF-8``,
    ``C`` and ``POSIX`` (English). Raises :class:`~relapse_guard.errors.InvalidArgument` naming the
    value and the languages spoken otherwise.
    """
    tag = value.strip().split(".", 1)[0].split("@", 1)[0].replace("_", "-").lower()
    if tag in ("", "c", "posix") or tag == "en" or tag.startswith("en-"):
        return ENGLISH
    if tag in ("zh", "zh-cn", "zh-hans", "zh-hans-cn", "zh-sg"):
        return CHINESE
    raise InvalidArgument(f"language {value!r} is not spoken: use one of {', '.join(LANGUAGES)}")


def resolve_language(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The language to speak: ``explicit``, else ``RELAPSE_GUARD_LANG``, else the locale's.

    A locale the library does not speak (``fr_FR.UTF-8``) gives English; an explicit or
    ``RELAPSE_GUARD_LANG`` value it does not speak is an :class:`~relapse_guard.errors.InvalidArgument`.
    """
    env = os.environ if environ is None else environ
    if explicit:
        return normalise_language(explicit)
    chosen = env.get(LANGUAGE_ENV)
    if chosen:
        return normalise_language(chosen)
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            try:
                return normalise_language(value)
            except InvalidArgument:
                return ENGLISH
    return ENGLISH


def catalogue_path(domain: Domain, language: str, suffix: Literal[".po", ".mo"] = ".mo") -> Path:
    """Where the catalogue of ``domain`` in ``language`` lives in the package."""
    name = _GETTEXT_NAME[normalise_language(language)]
    return _LOCALE_DIR / name / "LC_MESSAGES" / f"{domain}{suffix}"


@functools.cache
def translator(domain: Domain, language: str) -> gettext.NullTranslations:
    """The translations of ``domain`` into ``language`` (English: messages as written)."""
    tag = normalise_language(language)
    if tag == ENGLISH:
        return gettext.NullTranslations()
    with catalogue_path(domain, tag).open("rb") as file:
        return gettext.GNUTranslations(file)


def gettext_for(domain: Domain, language: str) -> Callable[[str], str]:
    """``gettext`` of ``domain`` in ``language``: a message's text in that language."""
    return translator(domain, language).gettext


def ngettext_for(domain: Domain, language: str) -> Callable[[str, str, int], str]:
    """``ngettext`` of ``domain`` in ``language``: singular or plural by the count."""
    return translator(domain, language).ngettext
