"""What the command lines share: argparse ``type=`` functions, and the options that several
commands (or both command lines, ``relapse-guard`` and ``python -m relapse_guard.population``)
declare alike, each declared once here with its help.

Kept light: the top-level command line builds its parser from these without importing the
packages behind its commands (a test checks the defaults written here against theirs).
"""

from __future__ import annotations

import argparse
import calendar
import contextlib
import datetime as dt
import re
import sys
from collections.abc import Callable, Iterator

from .bounds import LAST_DATE
from .interface import is_english, tr

__all__ = [
    "DEFAULT_HOUSEHOLDS",
    "FILE_FORMAT_CHOICES",
    "LATE_SHARE",
    "MAP_HELP",
    "POLICY_HELP",
    "add_engine_argument",
    "add_generate_arguments",
    "add_language_argument",
    "add_month_arguments",
    "add_policy_argument",
    "add_policy_options",
    "add_progress_argument",
    "add_side_options",
    "add_version_argument",
    "argparse_speaks",
    "iso_date",
    "iso_instant",
    "message_language",
    "month",
    "non_negative",
    "positive",
    "set_message_language",
    "share",
    "version",
    "workers",
]

#: Households ``generate`` writes unless told.
DEFAULT_HOUSEHOLDS = 10_000
#: The file formats of a population directory or a facts file (``relapse_guard.population.layout.FILE_FORMATS``).
FILE_FORMAT_CHOICES = ("jsonl", "csv", "parquet")
#: The share of a month's events reported late unless told (``MonthlyShares().late_share``).
LATE_SHARE = 0.02

#: The help of every ``--policy`` (and of ``check POLICY``): what it takes, and that a file is run.
POLICY_HELP = (
    "a registered policy name (e.g. yubei_2016; relapse-guard policies lists them), or a policy of your own: "
    "path/to/file.py:NAME or package.module:NAME (runs the file: only use files you trust)"
)
#: The help of ``--policy-map`` unless a command says more.
MAP_HELP = (
    "each household under the policy of its place (district, town) on the as-of date: a built-in map "
    "(chongqing) or a TOML file of places and policies (see docs/policies.md); a place it does not cover is "
    "a problem household"
)
_PROGRESS_HELP = (
    "draw progress on stderr (done, planned, rate and time left) even when stderr is not a terminal: "
    "a line every few seconds, for logs; on a terminal it is drawn anyway"
)


_message_language: str | None = None


def set_message_language(lang: str | None) -> None:
    """Say the messages of these ``type=`` functions in ``lang`` (None: as :func:`message_language` finds).

    The command line sets it from ``--lang`` before parsing, since a value is checked while
    the options are still being read.
    """
    global _message_language
    _message_language = lang


def message_language() -> str:
    """The language of the messages of these ``type=`` functions: the one set, else
    ``RELAPSE_GUARD_LANG`` or the locale's, else English (a language not spoken is English here:
    the ``--lang`` option itself says what is wrong with it)."""
    if _message_language is not None:
        return _message_language
    from .errors import InvalidArgument
    from .i18n import resolve_language

    try:
        return resolve_language(None)
    except InvalidArgument:
        return "en"


def share(text: str) -> float:
    """A share between 0 and 1, e.g. ``0.02``."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(tr(message_language(), "{text} is not a number", text=repr(text))) from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(
            tr(message_language(), "must be a share between 0 and 1, not {value}", value=value)
        )
    return value


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def iso_date(text: str) -> dt.date:
    """An ISO date, ``YYYY-MM-DD`` (not the other forms ``date.fromisoformat`` takes, ``20161231``...)."""
    if not _DATE.fullmatch(text):
        raise argparse.ArgumentTypeError(
            tr(message_language(), "{text} is not an ISO date (YYYY-MM-DD)", text=repr(text))
        )
    try:
        day = dt.date.fromisoformat(text)
    except ValueError as error:  # a day that does not exist: Python's words say why ("day is out of range for month")
        lang = message_language()
        reason = str(error) if is_english(lang) else _no_such_day(text, lang)
        raise argparse.ArgumentTypeError(
            tr(lang, "{text} is not a date: {reason}", text=repr(text), reason=reason)
        ) from None
    if day > LAST_DATE:  # a typo (2107 for 2017): the engine counts years on from it
        raise argparse.ArgumentTypeError(
            tr(
                message_language(),
                "{text} is after {last}, the last day the library takes",
                text=repr(text),
                last=LAST_DATE,
            )
        )
    return day


def _no_such_day(text: str, lang: str) -> str:
    """Why ``YYYY-MM-DD`` is no day, in ``lang`` (in English Python's words say it)."""
    year, month, day = (int(part) for part in text.split("-"))
    if not 1 <= year <= 9999:
        return tr(lang, "the year must be in 1..9999")
    if not 1 <= month <= 12:
        return tr(lang, "the month must be in 1..12")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        return tr(
            lang,
            "{year}-{month} has no day {day} (days 1..{last})",
            year=year,
            month=f"{month:02d}",
            day=day,
            last=last,
        )
    return tr(lang, "not a day of the calendar")


def iso_instant(text: str) -> dt.datetime:
    """A knowledge date (``--known-on``): an ISO date and time, in UTC unless it names its time
    zone; a date alone is the end of that day in UTC (everything recorded that day counts)."""
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            return dt.datetime.combine(day, dt.time.max, tzinfo=dt.UTC)
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            tr(
                message_language(),
                "{text} is not an ISO date or date and time (2016-03-10 or 2016-03-10T17:00:00+08:00)",
                text=repr(text),
            )
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


_MONTH = re.compile(r"\d{4}-\d{2}(-\d{2})?")


def month(text: str) -> dt.date:
    """A month, ``YYYY-MM`` (or an ISO date in it), as its first day."""
    if _MONTH.fullmatch(text):
        try:
            return dt.date.fromisoformat(text if len(text) > 7 else text + "-01").replace(day=1)
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(tr(message_language(), "{text} is not a month (YYYY-MM)", text=repr(text)))


def _whole_number(text: str, least: int, processes: bool = False) -> int:
    lang = message_language()
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(tr(lang, "{text} is not a whole number", text=repr(text))) from None
    if value < least:
        if processes:
            raise argparse.ArgumentTypeError(
                tr(lang, "must be at least {least} (one process), not {value}", least=least, value=value)
            )
        raise argparse.ArgumentTypeError(tr(lang, "must be at least {least}, not {value}", least=least, value=value))
    return value


def positive(text: str) -> int:
    """A whole number of at least 1 (processes, partitions, months)."""
    return _whole_number(text, 1)


def non_negative(text: str) -> int:
    """A whole number of at least 0 (a count)."""
    return _whole_number(text, 0)


def workers(text: str) -> int:
    """A number of worker processes: a whole number of at least 1."""
    return _whole_number(text, 1, processes=True)


def _argparse_words(lang: str) -> dict[str, str]:
    """What argparse itself says (its usage line, its errors, its help's headings), in ``lang``:
    each of its messages (as Python 3.11 writes them) and its translation. A message argparse
    says that is not here (another Python's wording) stays as argparse says it."""
    return {
        "usage: ": tr(lang, "usage: "),
        "%(prog)s: error: %(message)s\n": tr(lang, "%(prog)s: error: %(message)s\n"),
        "argument %(argument_name)s: %(message)s": tr(lang, "argument %(argument_name)s: %(message)s"),
        "the following arguments are required: %s": tr(lang, "the following arguments are required: %s"),
        "unrecognized arguments: %s": tr(lang, "unrecognized arguments: %s"),
        "one of the arguments %s is required": tr(lang, "one of the arguments %s is required"),
        "not allowed with argument %s": tr(lang, "not allowed with argument %s"),
        "invalid choice: %(value)r (choose from %(choices)s)": tr(
            lang, "invalid choice: %(value)r (choose from %(choices)s)"
        ),
        "invalid %(type)s value: %(value)r": tr(lang, "invalid %(type)s value: %(value)r"),
        "ambiguous option: %(option)s could match %(matches)s": tr(
            lang, "ambiguous option: %(option)s could match %(matches)s"
        ),
        "expected one argument": tr(lang, "expected one argument"),
        "expected at least one argument": tr(lang, "expected at least one argument"),
        "expected at most one argument": tr(lang, "expected at most one argument"),
        "expected %s argument": tr(lang, "expected %s argument"),
        "expected %s arguments": tr(lang, "expected %s arguments"),
        "ignored explicit argument %r": tr(lang, "ignored explicit argument %r"),
        "can't open '%(filename)s': %(error)s": tr(lang, "can't open '%(filename)s': %(error)s"),
        "positional arguments": tr(lang, "positional arguments"),
        "options": tr(lang, "options"),
        "show this help message and exit": tr(lang, "show this help message and exit"),
    }


@contextlib.contextmanager
def argparse_speaks(lang: str) -> Iterator[None]:
    """While in the block, argparse says its own words (``usage:``, ``error:``, ``the following
    arguments are required``...) in ``lang``; the messages of these ``type=`` functions and the
    options' help are said as they are. English changes nothing.

    >>> parser = argparse.ArgumentParser(prog="relapse-guard")
    >>> with argparse_speaks("zh-CN"):
    ...     parser.format_usage()
    '用法：relapse-guard [-h]\\n'
    """
    if is_english(lang):
        yield
        return
    words = _argparse_words(lang)
    said: Callable[[str], str] = getattr(argparse, "_")  # noqa: B009  (not in argparse's stubs)
    said_n: Callable[[str, str, int], str] = getattr(argparse, "ngettext")  # noqa: B009

    def gettext(message: str) -> str:
        return words.get(message) or said(message)

    def ngettext(singular: str, plural: str, count: int) -> str:
        message = singular if count == 1 else plural
        return words.get(message) or said_n(singular, plural, count)

    setattr(argparse, "_", gettext)  # noqa: B010  (argparse looks its words up through these globals)
    setattr(argparse, "ngettext", ngettext)  # noqa: B010
    try:
        yield
    finally:
        setattr(argparse, "_", said)  # noqa: B010
        setattr(argparse, "ngettext", said_n)  # noqa: B010


def version() -> str:
    """The installed relapse_guard's version (package metadata), else the package's ``__version__``
    (``"unknown"`` without either)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("relapse-guard")
    except PackageNotFoundError:  # run from a source tree that is not installed
        # the package is loaded before any of its modules: read its __version__ without importing its face
        package = sys.modules.get(__package__ or "relapse_guard")
        return str(getattr(package, "__version__", "unknown"))


class _Version(argparse.Action):
    """``--version``: print the program's name and version and exit; the version is looked up
    only then, so that other commands do not pay for reading the package metadata."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="print the version and exit")

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        print(f"{parser.prog} {version()}")
        parser.exit()


def add_version_argument(parser: argparse.ArgumentParser) -> None:
    """``--version``, printing ``PROG VERSION`` (see :func:`version`)."""
    parser.add_argument("--version", action=_Version)


def add_policy_argument(parser: argparse.ArgumentParser, *, default: str | None = None) -> None:
    """``--policy SPEC`` alone (a command without a policy map), with the one help text."""
    tail = " (default: %(default)s)" if default is not None else ""
    parser.add_argument("--policy", metavar="SPEC", default=default, help=POLICY_HELP + tail)


def add_policy_options(parser: argparse.ArgumentParser, *, map_help: str = MAP_HELP) -> None:
    """``--policy SPEC`` or ``--policy-map FILE|chongqing``: one of them, not both."""
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--policy", metavar="SPEC", help=POLICY_HELP)
    group.add_argument("--policy-map", metavar="FILE|chongqing", help=map_help)


class _Side(argparse.Action):
    """``--policy`` or ``--policy-map`` of ``whatif``: each appends ``(option, value)`` to one
    list, in the order given, so that the first of either is ``a`` and the second ``b``."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        sides = list(getattr(namespace, self.dest, None) or [])
        sides.append((self.const, values))
        setattr(namespace, self.dest, sides)


def add_side_options(parser: argparse.ArgumentParser) -> None:
    """``--policy SPEC`` and ``--policy-map FILE|chongqing`` of ``whatif``, two in all (a, then b),
    gathered in order as ``sides``: ``("policy", SPEC)`` or ``("policy_map", FILE)``."""
    parser.set_defaults(sides=[])
    parser.add_argument(
        "--policy",
        metavar="SPEC",
        dest="sides",
        action=_Side,
        const="policy",
        help=POLICY_HELP + "; give two of --policy and --policy-map in all: a, then b",
    )
    parser.add_argument(
        "--policy-map",
        metavar="FILE|chongqing",
        dest="sides",
        action=_Side,
        const="policy_map",
        help="a side under a policy map: each household under the policy of its place (district, town) on the "
        "as-of date, a built-in map (chongqing) or a TOML file (see docs/policies.md); a place it does not cover "
        "is a problem household. --policy-map twice compares two maps place by place; one --policy and one "
        "--policy-map a single policy against a map",
    )


def add_engine_argument(parser: argparse.ArgumentParser) -> None:
    """``--engine auto|columnar|scalar`` (docs/columnar.md)."""
    parser.add_argument(
        "--engine",
        choices=("auto", "columnar", "scalar"),
        default="scalar",
        help="columnar: decide the households it can in columns, the others on the engine, with the same "
        "figures (needs numpy: the fast extra); scalar (default): the engine for every household; auto: "
        "columnar when numpy is installed",
    )


def add_progress_argument(parser: argparse.ArgumentParser) -> None:
    """``--progress``: draw progress on stderr when it is not a terminal too."""
    parser.add_argument("--progress", action="store_true", help=_PROGRESS_HELP)


def add_generate_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``generate``, in both command lines."""
    parser.add_argument("directory", help="the directory to write the population to (empty, or --overwrite)")
    parser.add_argument(
        "--households",
        type=non_negative,
        default=DEFAULT_HOUSEHOLDS,
        help=f"number of households (default {DEFAULT_HOUSEHOLDS:,})",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--format",
        choices=FILE_FORMAT_CHOICES,
        default="jsonl",
        help="file format (default jsonl; parquet needs the parquet extra)",
    )
    parser.add_argument("--months", type=positive, default=12, help="months of facts (default 12)")
    parser.add_argument("--start", type=iso_date, default=None, help="first day of facts (default 2016-01-01)")
    parser.add_argument(
        "--partitions", type=positive, default=None, help="partitions to write (default: one per 50,000 households)"
    )
    parser.add_argument("--processes", type=positive, default=None, help="worker processes (default: cores)")
    parser.add_argument("--overwrite", action="store_true", help="replace the population files in DIRECTORY")
    add_progress_argument(parser)
    add_language_argument(parser)


def add_month_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``generate-month`` (``month`` in ``python -m relapse_guard.population``)."""
    parser.add_argument("population", help="a population directory, as generate writes it")
    parser.add_argument(
        "--month", type=month, required=True, help="the month to draw, YYYY-MM (e.g. 2017-01 after a 2016 population)"
    )
    parser.add_argument("--out", required=True, help="the facts file to write: FILE.jsonl, FILE.csv or FILE.parquet")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the month's draws (default 0)")
    parser.add_argument(
        "--format",
        choices=FILE_FORMAT_CHOICES,
        default=None,
        help="file format (default: from the suffix of --out; parquet needs the parquet extra)",
    )
    parser.add_argument(
        "--late-share",
        type=share,
        default=LATE_SHARE,
        help=f"share of events reported 1-3 months late (default {LATE_SHARE})",
    )
    parser.add_argument("--processes", type=positive, default=None, help="worker processes (default: cores)")
    parser.add_argument("--overwrite", action="store_true", help="replace the file --out if it exists")
    add_progress_argument(parser)
    add_language_argument(parser)


def add_language_argument(parser: argparse.ArgumentParser) -> None:
    """``--lang``: the language of the output (en, zh-CN); default RELAPSE_GUARD_LANG or the locale."""
    parser.add_argument(
        "--lang",
        default=None,
        metavar="LANG",
        help="language of the output: en or zh-CN (default: $RELAPSE_GUARD_LANG, else the locale, else en)",
    )
