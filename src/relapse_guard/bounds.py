"""What the library accepts: bounds on amounts, text and counts, checked where fields are parsed.

The field parsers of facts (:mod:`relapse_guard.fact_fields`) and the checks of households
(:mod:`relapse_guard.household`) use these, so that the population readers, ``parse_fact``,
facts and households built in Python and the store all refuse the same values. The bounds
are far beyond any real household and far below what would break the engine (its
``Decimal`` arithmetic has 28 significant digits: an amount of 1e26 yuan rounded to the fen
does not fit) or a report (a million-character id).

A leaf module: it imports nothing of the library.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal

__all__ = [
    "AMOUNT_BOUNDS",
    "LAST_DATE",
    "MAX_AMOUNT",
    "MAX_ID_LENGTH",
    "MAX_INCOME_PER_CAPITA",
    "MAX_MEMBERS",
    "MAX_TEXT_LENGTH",
    "STORED",
    "amount_bound",
    "is_id_field",
    "text_limit",
    "valid_text",
]

#: Any amount of money (a self-paid cost, a loss, a school's yearly cost, a grant): at most a
#: billion yuan. A rural household's catastrophic medical bill is counted in tens of thousands.
MAX_AMOUNT = Decimal(10**9)
#: An annual per-capita net income: at most a hundred million yuan (the poverty line is a few
#: thousand; China's richest county averages under two hundred thousand).
MAX_INCOME_PER_CAPITA = Decimal(10**8)
#: The bound of each amount field that has its own (the others have :data:`MAX_AMOUNT`).
AMOUNT_BOUNDS: Mapping[str, Decimal] = {"income_per_capita": MAX_INCOME_PER_CAPITA}

#: The last day a fact may be dated and a run may be as of. The engine counts years and months
#: on from its dates (a transition period, reviews, an entitlement's months), and Python's dates
#: end with 9999: a day near the end would overflow them part way through a run.
LAST_DATE = dt.date(9000, 12, 31)

#: True while records a store holds are read back (:func:`~relapse_guard.store.codec.decode_fact`,
#: ``decode_household``): what an earlier version accepted and stored is read as it was stored,
#: though refused as input now (an id with spaces around it, an amount of ``-0``). Looked at only
#: on those values' refusal path.
STORED: contextvars.ContextVar[bool] = contextvars.ContextVar("relapse_guard_reading_stored", default=False)

#: Ids (a fact's, a household's, a member's, a case's: fields named ``id`` or ``*_id``) and a
#: household's place names: at most 256 characters (an 18-digit national id number, a uuid, a
#: path of codes all fit).
MAX_ID_LENGTH = 256
#: Any other text (a measure, a hazard, a reason): at most 4,096 characters.
MAX_TEXT_LENGTH = 4096
#: Members of a household: at most 100 (a rural household has a handful; a collective household
#: of an institution a few dozen).
MAX_MEMBERS = 100

_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_text(value: str, limit: int) -> bool:
    """True when ``value`` has at most ``limit`` characters, each a Unicode scalar value (no lone surrogate).

    A lone surrogate comes from JSON such as ``"a\\ud800"`` or from bytes that are not UTF-8; it
    cannot be written as UTF-8, so a file, a report or the store could not hold it.
    """
    return len(value) <= limit and (value.isascii() or _SURROGATE.search(value) is None)


def is_id_field(name: str) -> bool:
    """True for a field holding an id: ``id`` or a name ending in ``_id``."""
    return name == "id" or name.endswith("_id")


def text_limit(name: str) -> int:
    """The most characters text field ``name`` may hold: :data:`MAX_ID_LENGTH` for ids, else :data:`MAX_TEXT_LENGTH`."""
    return MAX_ID_LENGTH if is_id_field(name) else MAX_TEXT_LENGTH


def amount_bound(name: str) -> Decimal:
    """The largest amount field ``name`` may hold."""
    return AMOUNT_BOUNDS.get(name, MAX_AMOUNT)
