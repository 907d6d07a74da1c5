"""A single-period safety-net screen in columns: every household's monthly top-up, straight from Parquet.

The amount is :meth:`~relapse_guard.interventions.safety_net.SafetyNetTopUp.amount` with no
risk cost, for each household of a population on one date (``as_of``)::

    income        = the household's latest assessed per-capita income (yuan per year) on or before as_of
    monthly left  = max(income, 0) / 12, rounded half-up to the fen
    gap           = standard - monthly left         (safety_net.standard in force on as_of)
    top-up        = gap x members, rounded half-up to the fen, when gap > 0 (else none)

A household whose income was never assessed, or whose top-up is not above zero, has none
(0 here). :func:`top_up_fen` is the kernel, on arrays of incomes in 1/:data:`~.frame.SCALE`
yuan; :func:`screen_safety_net_month` reads a Parquet population's columns with pyarrow into
those arrays (no household or fact object is made) and sums the top-ups by district.

Every step is exact integer arithmetic, equal to the engine's ``Decimal`` arithmetic (the
tests prove it): the monthly income left in fen is ``(2 x income + 1200) // 2400`` (half-up
of ``income / 1200`` for an income in ten-thousandths of a yuan), and the top-up in fen is
``(2 x gap x members + 100) // 200`` for a gap in ten-thousandths. An income or a standard
that is not a whole number of ten-thousandths, or numbers too large for 64 bits, are
computed with ``Decimal`` instead (:func:`top_up`).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from ...bounds import amount_bound
from ...errors import InvalidPolicy
from ...fact_fields import amount_parser
from ...facts import IncomeAssessed
from ...interventions.safety_net import monthly_top_up
from ...parameters import ParameterTree
from ...policy import Policy
from ...population.directory import Partition, Population, read_population
from ...population.parquet import read_errors
from ...population.parquet_columns import arrow, compute, pyarrow_modules
from ...population.records import PopulationError
from .frame import SCALE, scaled

__all__ = [
    "DistrictMonth",
    "HouseholdColumns",
    "SafetyNetMonth",
    "safety_net_standard",
    "screen_safety_net_month",
    "top_up",
    "top_up_fen",
]

Int64s = npt.NDArray[np.int64]
#: Integers of any width (Arrow's dictionary codes are 32-bit).
Ints = npt.NDArray[np.integer[Any]]
Bools = npt.NDArray[np.bool_]

_ZERO = Decimal(0)
#: Bounds under which the integer kernel cannot overflow int64 (2 x gap x members < 2**62).
_INCOME_LIMIT = 2**56
_STANDARD_LIMIT = 2**40
_MEMBERS_LIMIT = 2**20
#: Facts the single-period screen does not apply: they change an income already assessed, the
#: members or the place. Dated on or before ``as_of``, they make the screen refuse the file.
UNAPPLIED_KINDS = frozenset(
    {"fact_corrected", "fact_retracted", "member_joined", "member_left", "member_died", "household_moved"}
)
_INCOME_KIND = IncomeAssessed.kind
_INCOME_COLUMN = "income_per_capita"
_FAST_INCOME = r"^(?P<whole>[0-9]{1,9})(?:\.(?P<part>[0-9]{1,4}))?$"
_BLANK = r"^[\t-\r\x1c-\x20]*$"  # what str.strip() removes, among ASCII characters
_parse_income = amount_parser(amount_bound(_INCOME_COLUMN))
_LONGEST_SHOWN = 60
_ID = "a fact id, never blank"
_NONE: Int64s = np.empty(0, dtype=np.int64)


# --- the formula ------------------------------------------------------------------------------


def top_up(income: Decimal | None, members: int, standard: Decimal) -> Decimal | None:
    """The monthly top-up of a household in ``Decimal`` yuan, as ``SafetyNetTopUp.amount`` gives it
    with no risk cost: None when ``income`` (per capita, per year) is None or there is no gap."""
    return None if income is None else monthly_top_up(income, _ZERO, members, standard)


def top_up_fen(incomes: Int64s, assessed: Bools, members: Int64s, standard: Decimal) -> Int64s:
    """The monthly top-up of each household in fen (0: none), for ``incomes`` in 1/SCALE yuan per
    person per year (read only where ``assessed``), ``members`` and the monthly ``standard`` (yuan).

    Equal to :func:`top_up` on every row; rows the integer kernel cannot hold (a standard finer
    than a ten-thousandth, numbers too large) are computed with :func:`top_up`.
    """
    incomes = np.asarray(incomes, dtype=np.int64)
    assessed = np.asarray(assessed, dtype=np.bool_)
    members = np.asarray(members, dtype=np.int64)
    if not incomes.shape == assessed.shape == members.shape:
        raise ValueError("incomes, assessed and members must have the same length")
    standard_scaled = scaled(standard)
    if standard_scaled is None or abs(standard_scaled) >= _STANDARD_LIMIT:
        return _top_up_fen_slowly(incomes, assessed, members, standard, np.ones(len(incomes), dtype=np.bool_))
    left = np.maximum(incomes, 0)
    slow = assessed & ((left >= _INCOME_LIMIT) | (members >= _MEMBERS_LIMIT) | (members < 0))
    left = np.where(slow, 0, left)
    left_fen = (2 * left + 1200) // 2400  # half-up of left / 12 to the fen, exactly
    gap = np.maximum(standard_scaled - 100 * left_fen, 0)  # ten-thousandths of a yuan, per person
    amounts = (2 * gap * np.where(slow, 0, members) + 100) // 200  # half-up to the fen of gap x members
    amounts = np.where(assessed & (gap > 0), amounts, 0)
    if slow.any():
        amounts[slow] = _top_up_fen_slowly(incomes, assessed, members, standard, slow)[slow]
    return amounts.astype(np.int64)


def _top_up_fen_slowly(incomes: Int64s, assessed: Bools, members: Int64s, standard: Decimal, rows: Bools) -> Int64s:
    """:func:`top_up` in fen on ``rows`` (0 elsewhere), with ``Decimal``."""
    out = np.zeros(len(incomes), dtype=np.int64)
    for row in np.flatnonzero(rows & assessed).tolist():
        income = Decimal(int(incomes[row])).scaleb(-4)
        out[row] = _fen(top_up(income, int(members[row]), standard))
    return out


def _fen(amount: Decimal | None) -> int:
    """A top-up in fen (0 for none)."""
    return 0 if amount is None else int(amount.scaleb(2))


def safety_net_standard(policy: Policy | ParameterTree, as_of: dt.date, prefix: str = "safety_net") -> Decimal:
    """The parameter ``{prefix}.standard`` of ``policy`` (or of a parameter tree) in force on
    ``as_of`` (yuan per person per month); the parameters' errors when it is unknown or not in
    force, :class:`InvalidPolicy` when it is not a number."""
    name = f"{prefix}.standard"
    parameters = policy.parameters if isinstance(policy, Policy) else policy
    value = parameters.lookup(name, as_of).value
    if not isinstance(value, Decimal):
        raise InvalidPolicy(f"parameter {name!r} must be a number, found {value!r}")
    return value


# --- the result -------------------------------------------------------------------------------


def _yuan(fen: int) -> Decimal:
    """``fen`` as Decimal yuan, to the fen."""
    return Decimal(fen).scaleb(-2)


@attrs.frozen
class DistrictMonth:
    """The households of one district, how many have a top-up, and their top-ups in fen."""

    households: int
    topped_up: int
    total_fen: int

    @property
    def total(self) -> Decimal:
        """The district's monthly top-ups in yuan."""
        return _yuan(self.total_fen)


@attrs.frozen(eq=False)
class HouseholdColumns:
    """One row per household, in file order: its id, district, members, latest income in 1/SCALE
    yuan (where ``assessed``; where ``exact`` is False it had finer digits and its top-up was
    computed from the ``Decimal``) and its top-up in fen (0: none)."""

    household_id: npt.NDArray[np.object_]
    district: npt.NDArray[np.object_]
    members: Int64s
    income: Int64s
    assessed: Bools
    exact: Bools
    top_up_fen: Int64s


@attrs.frozen
class SafetyNetMonth:
    """What :func:`screen_safety_net_month` found: the month's top-ups, in all and by district."""

    as_of: dt.date
    standard: Decimal
    households: int
    topped_up: int
    total_fen: int
    districts: Mapping[str, DistrictMonth]
    columns: HouseholdColumns | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def total(self) -> Decimal:
        """The month's top-ups in yuan."""
        return _yuan(self.total_fen)


# --- reading Parquet --------------------------------------------------------------------------


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _LONGEST_SHOWN else text[: _LONGEST_SHOWN - 3] + "..."


def _bad_cell(path: Path, column: str, row: int, value: object, expected: str) -> PopulationError:
    """The error for the cell of ``column`` in ``row`` (0-based) of ``path``."""
    return PopulationError(f"{path}: row {row + 1}: column {column!r} has value {_shown(value)}; expected {expected}")


def _numpy(values: Any) -> npt.NDArray[Any]:
    """An Arrow array as a numpy array (a copy where Arrow's memory cannot be shared)."""
    return np.asarray(values)


def _blank(values: Any) -> Bools:
    """Which of ``values`` (Arrow strings) are null or blank as ``str.strip`` sees them."""
    pc = compute()
    blank = _numpy(pc.fill_null(pc.match_substring_regex(values, _BLANK), True))
    other = np.flatnonzero(~_numpy(pc.fill_null(pc.string_is_ascii(values), True)))
    if len(other):
        texts = values.take(arrow().array(other)).to_pylist()
        blank[other] = [not text.strip() for text in texts]
    return blank


class _Households:
    """A households file's households: ids, districts (codes into :attr:`district_names`) and
    member counts, in file order.

    The ids are read as codes: a household's rows are a run of one code, and a code in two runs
    is a household whose rows are not together, or that appears twice.
    """

    def __init__(self, path: Path) -> None:
        pa = arrow()
        columns = ["household_id", "district"]
        metadata = _metadata(path, columns)
        table = _one_dictionary(_one_dictionary(_read(path, columns, columns), "household_id"), "district")
        ids, codes = _dictionary(table.column("household_id")), _codes(table.column("household_id"), -1)
        starts = np.flatnonzero(np.append(True, codes[1:] != codes[:-1])) if len(codes) else _NONE
        self.members: Int64s = np.diff(np.append(starts, len(codes)))
        runs = codes[starts]
        if (runs < 0).any() or not _not_blank(metadata, "household_id"):
            blank = np.flatnonzero(np.append(_blank(ids), True)[runs])  # -1: a null cell, the last
            if len(blank):
                row = int(starts[blank[0]])
                raise _bad_cell(path, "household_id", row, _cell(ids, codes[row]), "a household id, never blank")
        first = np.zeros(len(ids), dtype=np.int64)
        first[runs[::-1]] = np.arange(len(runs) - 1, -1, -1)  # the first run of each code
        again = np.flatnonzero(first[runs] != np.arange(len(runs)))
        if len(again):
            row = int(starts[again[0]])
            raise _bad_cell(
                path, "household_id", row, _cell(ids, codes[row]), "the rows of a household together, once in the file"
            )
        self.ids = ids.take(pa.array(runs))
        self.district_names = _dictionary(table.column("district"))
        districts = _codes(table.column("district"), -1)
        blank = np.append(_blank(self.district_names), True)[districts]
        if blank.any():
            row = int(np.flatnonzero(blank)[0])
            raise _bad_cell(
                path, "district", row, _cell(self.district_names, districts[row]), "a district, never blank"
            )
        self.districts: Ints = districts[starts]
        differ = np.flatnonzero(districts != np.repeat(self.districts, self.members))
        if len(differ):
            row = int(differ[0])
            value = _cell(self.district_names, districts[row])
            raise _bad_cell(path, "district", row, value, "the district of the household's first row")

    def find(self, dictionaries: Sequence[Any]) -> list[Ints | int]:
        """The households of the ids of each of ``dictionaries`` (a row group's household ids): the
        household (its row in this file; -1 for none) of each id, or, where every dictionary is a
        run of this file's ids in their order, the row of its first id (:meth:`_runs`)."""
        pa, pc = arrow(), compute()
        ids = [dictionary.cast(self.ids.type) for dictionary in dictionaries]
        runs = self._runs(ids)
        if runs is not None:
            found: list[Ints | int] = list(runs)
            return found
        if not ids:
            return []
        found = pc.index_in(ids[0] if len(ids) == 1 else pa.concat_arrays(ids), value_set=self.ids)
        of_ids = np.asarray(pc.fill_null(found, -1).to_numpy(), dtype=np.int32)
        return list(np.split(of_ids, np.cumsum([len(values) for values in ids[:-1]], dtype=np.int64)))

    def _runs(self, ids: Sequence[Any]) -> list[int] | None:
        """Where each of ``ids`` equals this file's ids from some row on, those rows; None otherwise.

        A facts file written in the households' order has a row group's ids in that order (a
        Parquet dictionary lists values as they first appear), each group starting at the next
        household or at the previous group's last one. Comparing the ids then costs a fraction of
        hashing them; since this file's ids are distinct, equal ids are the same households.
        """
        rows: list[int] = []
        at = 0
        for values in ids:
            for start in (at, at - 1) if at else (at,):
                if start + len(values) <= len(self.ids) and values.equals(self.ids.slice(start, len(values))):
                    rows.append(start)
                    at = start + len(values)
                    break
            else:
                return None
        return rows


class _Incomes:
    """The distinct income cells of a file: each in 1/SCALE yuan (``exact``), or as a ``Decimal``, or refused."""

    def __init__(self, values: Any) -> None:
        pa, pc = arrow(), compute()
        count = len(values)
        parts = pc.extract_regex(values, _FAST_INCOME)
        fast = _numpy(parts.is_valid())
        whole = pc.cast(pc.if_else(parts.is_valid(), parts.field("whole"), "0"), pa.int64()).to_numpy()
        fraction = pc.utf8_rpad(pc.if_else(parts.is_valid(), parts.field("part"), ""), width=4, padding="0")
        self.scaled: Int64s = np.where(fast, whole * SCALE + pc.cast(fraction, pa.int64()).to_numpy(), 0)
        bound = int(amount_bound(_INCOME_COLUMN)) * SCALE
        fast &= self.scaled <= bound
        self.exact: Bools = fast.copy()
        self.valid: Bools = fast.copy()
        self.decimals: dict[int, Decimal] = {}
        self.errors: dict[int, tuple[object, str]] = {}
        for code in np.flatnonzero(~fast).tolist():
            self._slowly(code, values[code].as_py())
        self.count = count

    def _slowly(self, code: int, value: object) -> None:
        """The library's parse of one distinct cell."""
        if value is None or value == "":
            self.errors[code] = (value, "an income (required)")
            return
        try:
            income = _parse_income(value)
        except ValueError as error:
            self.errors[code] = (value, f"a non-negative amount of at most {amount_bound(_INCOME_COLUMN):,} ({error})")
            return
        self.valid[code] = True
        found = scaled(income)
        if found is None:
            self.decimals[code] = income
        else:
            self.scaled[code], self.exact[code] = found, True


def _metadata(path: Path, columns: list[str]) -> Any:
    """The metadata of the Parquet file at ``path``; :class:`PopulationError` when it lacks one of
    ``columns``, or when pyarrow cannot read it (truncated, corrupt)."""
    with read_errors(path):
        metadata = pyarrow_modules()[1].read_metadata(path)
    missing = [name for name in columns if name not in metadata.schema.names]
    if missing:
        raise PopulationError(f"{path}: the file lacks the column(s) {', '.join(map(repr, missing))}")
    return metadata


def _read(path: Path, columns: list[str], dictionary: Sequence[str] = ()) -> Any:
    """``columns`` of the Parquet file at ``path`` (:func:`_metadata` has checked it has them),
    the ``dictionary`` columns read as dictionaries; :class:`PopulationError` when pyarrow
    cannot read them.

    ``read_table`` reads the row groups in parallel, about twice as fast as ``ParquetFile.read``;
    without ``pre_buffer`` (coalescing reads, which pays on remote storage) it takes about a tenth
    less CPU from a local disk.
    """
    with read_errors(path):
        return pyarrow_modules()[1].read_table(
            path, columns=columns, read_dictionary=list(dictionary), pre_buffer=False
        )


def _not_blank(metadata: Any, name: str) -> bool:
    """True when the statistics of a file's column ``name`` show that no cell is null or blank:
    every cell starts with a character between its smallest and largest cells' first ones, and
    those are printable ASCII (never white space)."""
    column = metadata.schema.names.index(name)
    for group in range(metadata.num_row_groups):
        statistics = metadata.row_group(group).column(column).statistics
        if statistics is None or not statistics.has_min_max or statistics.null_count != 0:
            return False
        low, high = statistics.min, statistics.max
        if not (isinstance(low, str) and isinstance(high, str) and low and high):
            return False
        if not (low[0] > " " and high[0] < "\x7f"):
            return False
    return True


def _codes(column: Any, null: int) -> Ints:
    """The dictionary codes of ``column`` (a chunked dictionary array whose chunks share one
    dictionary), end to end; ``null`` for a null cell."""
    indices = arrow().chunked_array([chunk.indices for chunk in column.chunks], column.type.index_type)
    if indices.null_count:
        indices = compute().fill_null(indices, null)
    return np.asarray(indices.to_numpy())


def _dictionary(column: Any) -> Any:
    """The one dictionary of ``column``'s chunks (an empty one for no chunk)."""
    return column.chunk(0).dictionary if column.num_chunks else arrow().array([], column.type.value_type)


def _cell(dictionary: Any, code: int) -> object:
    """The value of ``code`` in ``dictionary``: None for a code out of it (a null cell)."""
    return dictionary[int(code)].as_py() if 0 <= code < len(dictionary) else None


def _one_dictionary(table: Any, name: str) -> Any:
    """``table`` with its column ``name`` dictionary-encoded, one dictionary for every row group."""
    pc = compute()
    at = table.schema.get_field_index(name)
    column = table.column(at)
    if not arrow().types.is_dictionary(column.type):  # not stored as strings
        column = pc.dictionary_encode(column)
    return table.set_column(at, name, column.unify_dictionaries())


class _Assessments:
    """The income assessments of a facts file on or before ``as_of``, of the households of its partition.

    The file's columns are looked at end to end, as codes: kinds and incomes each have one
    dictionary for the file (each distinct income is parsed once), household ids keep each row
    group's (their households are found at once, :meth:`_Households.find`). Each household's
    latest assessment is found with one pass over the rows.
    """

    def __init__(self, path: Path, households: _Households, as_of: dt.date) -> None:
        pa, pc = arrow(), compute()
        self.path = path
        self.households = households
        as_of_days = (as_of - dt.date(1970, 1, 1)).days
        columns = ["household_id", "kind", "date", _INCOME_COLUMN]
        metadata = _metadata(path, [*columns, "id"])
        #: The fact ids, read only when needed: to check them (unless the file's statistics show
        #: that none is blank), or to order assessments of one date.
        self._ids = None if _not_blank(metadata, "id") else self._read_ids()
        table = _read(path, columns, ["household_id", "kind", _INCOME_COLUMN])
        table = _one_dictionary(_one_dictionary(table, "kind"), _INCOME_COLUMN)
        self._incomes: _Incomes | None = None  # none: no income assessment on or before as_of
        kinds = table.column("kind")
        if kinds.null_count:
            row = int(np.flatnonzero(_numpy(kinds.is_null()))[0])
            raise _bad_cell(path, "kind", row, None, "a fact kind")
        names = kinds.chunk(0).dictionary.to_pylist() if kinds.num_chunks else []
        codes = _codes(kinds, 0)
        dates = table.column("date")
        self.day: Ints = _numpy(pc.fill_null(pc.cast(dates, pa.int32()), np.iinfo(np.int32).min))  # since 1970
        dated = self.day <= as_of_days
        refused = [code for code, name in enumerate(names) if name in UNAPPLIED_KINDS]
        found = np.flatnonzero(np.isin(codes, refused) & dated) if refused else _NONE
        if len(found):
            row = int(found[0])
            raise PopulationError(
                f"{path}: row {row + 1}: a fact of kind {names[codes[row]]!r} dated on or before the "
                "screen's date; the single-period screen does not apply corrections, retractions or household "
                "changes (screen the population with the engine)"
            )
        if _INCOME_KIND not in names:
            return
        income_rows = codes == names.index(_INCOME_KIND)
        undated = np.flatnonzero(income_rows & _numpy(dates.is_null())) if dates.null_count else _NONE
        if len(undated):
            raise _bad_cell(path, "date", int(undated[0]), None, "an ISO date such as '2016-03-01'")
        ids = table.column("household_id")
        household = []
        for chunk, of_ids in zip(ids.chunks, households.find([chunk.dictionary for chunk in ids.chunks]), strict=True):
            size = len(chunk.dictionary)  # each row group's codes, into households
            if isinstance(of_ids, int):  # a run of households from row of_ids on
                if not chunk.null_count:
                    household.append(_numpy(chunk.indices).astype(np.int32) + np.int32(of_ids))
                    continue
                of_ids = np.arange(of_ids, of_ids + size, dtype=np.int32)
            indices = pc.fill_null(chunk.indices, size) if chunk.null_count else chunk.indices
            household.append(np.append(of_ids, np.int32(-1))[_numpy(indices)])  # -1: a null id
        #: The household (row in the households file) of each row; -1 for none.
        self.household: Ints = np.concatenate([*household, np.empty(0, np.int32)])
        #: Whether each row is an income assessment of a household of the file on or before as_of
        #: (a fact of no household screens nobody).
        self.kept: Bools = income_rows & dated & (self.household >= 0)
        if not self.kept.any():
            return
        incomes = self._incomes = _Incomes(table.column(_INCOME_COLUMN).chunk(0).dictionary)
        #: The code of each row's income among the file's distinct incomes (their count: a null cell).
        self.income_codes = _codes(table.column(_INCOME_COLUMN), incomes.count)
        if incomes.valid.all():  # only a null cell can be bad: no need to look each code up
            bad = np.flatnonzero(self.kept & (self.income_codes == incomes.count))
        else:
            bad = np.flatnonzero(self.kept & ~np.append(incomes.valid, False)[self.income_codes])
        if len(bad):
            row = int(bad[0])
            value, expected = incomes.errors.get(int(self.income_codes[row]), (None, "an income (required)"))
            raise _bad_cell(path, _INCOME_COLUMN, row, value, expected)
        if self._ids is not None:
            rows = np.flatnonzero(self.kept)
            kept = self._ids.take(pa.array(rows))
            blank = np.flatnonzero(_blank(kept))
            if len(blank):
                raise _bad_cell(path, "id", int(rows[blank[0]]), kept[int(blank[0])].as_py(), _ID)

    def _read_ids(self) -> Any:
        """The file's ``id`` column."""
        return _read(self.path, ["id"]).column("id").combine_chunks()

    def latest(self) -> tuple[Int64s, Bools, Bools, dict[int, Decimal]]:
        """Each household's latest income (in the engine's order: date, then fact id) as
        ``(income, assessed, exact, decimals)``: ``decimals`` holds, by household, the incomes not
        exact in 1/SCALE yuan."""
        count = len(self.households.ids)
        income = np.zeros(count, dtype=np.int64)
        exact = np.ones(count, dtype=np.bool_)
        decimals: dict[int, Decimal] = {}
        incomes = self._incomes
        if incomes is None:  # no assessment on or before as_of
            return income, np.zeros(count, dtype=np.bool_), exact, decimals
        # A row not kept counts for a slot after the last household, whose day no row has.
        slot = np.where(self.kept, self.household, count)
        last = np.full(count + 1, np.iinfo(np.int32).min, dtype=np.int32)
        np.maximum.at(last, slot, self.day)
        last[count] = np.iinfo(np.int32).max
        candidates = np.flatnonzero(self.day == last[slot])
        owners = slot[candidates]
        chosen = np.full(count, -1, dtype=np.int64)
        chosen[owners] = candidates
        ties = np.bincount(owners, minlength=count) > 1
        if ties.any():
            self._break_ties(candidates[ties[owners]], owners[ties[owners]], chosen)
        assessed = chosen >= 0
        codes = np.full(count, incomes.count, dtype=np.int64)  # the code of each household's income
        codes[assessed] = self.income_codes[chosen[assessed]]
        income[assessed] = incomes.scaled[codes[assessed]]
        exact[assessed] = incomes.exact[codes[assessed]]
        for household in np.flatnonzero(~exact).tolist():
            decimals[household] = incomes.decimals[int(codes[household])]
        return income, assessed, exact, decimals

    def _break_ties(self, candidates: Int64s, owners: Ints, chosen: Int64s) -> None:
        """For households with several assessments on their latest date (``candidates``, rows of
        the file, of households ``owners``), the one of the greatest fact id."""
        best: dict[int, tuple[str, int]] = {}
        if self._ids is None:
            self._ids = self._read_ids()
        for row, where in zip(candidates.tolist(), owners.tolist(), strict=True):
            fact_id = self._ids[row].as_py()
            if fact_id is None or not fact_id.strip():
                raise _bad_cell(self.path, "id", row, fact_id, _ID)
            if where in best and best[where][0] == fact_id:
                raise _bad_cell(self.path, "id", row, fact_id, "a fact id used once by its household")
            if where not in best or fact_id > best[where][0]:
                best[where] = (fact_id, row)
        for where, (_, row) in best.items():
            chosen[where] = row


def _partition(
    partition: Partition, as_of: dt.date, standard: Decimal
) -> tuple[_Households, Int64s, Int64s, Bools, Bools]:
    """A partition's households, with each one's top-up in fen, latest income, assessed and exact flags."""
    households = _Households(partition.households_path)
    income, assessed, exact, decimals = _Assessments(partition.facts_path, households, as_of).latest()
    fen = top_up_fen(income, assessed & exact, households.members, standard)
    for where, value in decimals.items():
        fen[where] = _fen(top_up(value, int(households.members[where]), standard))
    return households, fen, income, assessed, exact


def screen_safety_net_month(
    population: str | Path | Population,
    policy: Policy,
    as_of: dt.date,
    *,
    prefix: str = "safety_net",
    keep_columns: bool = False,
    threads: int | None = None,
) -> SafetyNetMonth:
    """The monthly safety-net top-up of every household of a Parquet population on ``as_of``
    (see the module's docstring), read in columns: in all, and by district.

    Reads ``household_id`` and ``district`` of the households files (a household's members are
    its rows) and ``household_id``, ``id``, ``kind``, ``date`` and ``income_per_capita`` of the
    facts files; no other column. Raises :class:`PopulationError`, naming the file, row, column
    and value, for a cell it reads that the population reader would refuse (a blank household
    id or district, an income that is not a non-negative amount within bounds, a missing date
    or kind), a household whose rows are not together or appear twice, two income assessments
    of one household with the same date and id, and a correction, retraction or household
    change dated on or before ``as_of`` (which this screen does not apply). The other columns
    are not read, nor checked (a bad birth date or fact source goes unnoticed). Each partition is
    read on its own, as the population reader reads it (a household id in two partitions is
    two households), by ``threads`` threads (default: one per core); ``keep_columns`` keeps the
    per-household arrays (:class:`HouseholdColumns`).
    """
    if not isinstance(population, Population):
        population = read_population(population)
    standard = safety_net_standard(policy, as_of, prefix)
    kept: list[tuple[_Households, Int64s, Int64s, Bools, Bools]] = []
    districts: dict[str, list[int]] = {}
    for partition in population.partitions:
        if partition.format != "parquet":
            raise PopulationError(f"{partition.households_path}: the columnar screen reads Parquet files only")
    screen = functools.partial(_partition, as_of=as_of, standard=standard)
    threads = min(threads or os.cpu_count() or 1, len(population.partitions))
    if threads > 1:
        with ThreadPoolExecutor(threads) as pool:  # pyarrow and numpy let go of the GIL while they work
            results = list(pool.map(screen, population.partitions))
    else:
        results = [screen(partition) for partition in population.partitions]
    for found in results:
        households, fen = found[0], found[1]
        _add_districts(districts, households, fen)
        if keep_columns:
            kept.append(found)
    totals = {name: DistrictMonth(*counts) for name, counts in sorted(districts.items())}
    return SafetyNetMonth(
        as_of=as_of,
        standard=standard,
        households=sum(d.households for d in totals.values()),
        topped_up=sum(d.topped_up for d in totals.values()),
        total_fen=sum(d.total_fen for d in totals.values()),
        districts=totals,
        columns=_columns(kept) if keep_columns else None,
    )


def _add_districts(districts: dict[str, list[int]], households: _Households, fen: Int64s) -> None:
    """Add a partition's households, top-ups and fen to ``districts`` by name."""
    count = len(households.district_names)
    codes = households.districts
    counted = np.bincount(codes, minlength=count)
    topped = np.bincount(codes[fen > 0], minlength=count)
    total = np.zeros(count, dtype=np.int64)
    np.add.at(total, codes, fen)
    for code, name in enumerate(households.district_names.to_pylist()):
        if counted[code]:
            found = districts.setdefault(name, [0, 0, 0])
            found[0] += int(counted[code])
            found[1] += int(topped[code])
            found[2] += int(total[code])


def _columns(kept: list[tuple[_Households, Int64s, Int64s, Bools, Bools]]) -> HouseholdColumns:
    """The per-household arrays of every partition, end to end."""
    return HouseholdColumns(
        household_id=np.array([i for h, *_ in kept for i in h.ids.to_pylist()], dtype=object),
        district=np.array([d for h, *_ in kept for d in h.district_names.take(h.districts).to_pylist()], dtype=object),
        members=np.concatenate([h.members for h, *_ in kept] + [np.empty(0, np.int64)]),
        income=np.concatenate([k[2] for k in kept] + [np.empty(0, np.int64)]),
        assessed=np.concatenate([k[3] for k in kept] + [np.empty(0, np.bool_)]),
        exact=np.concatenate([k[4] for k in kept] + [np.empty(0, np.bool_)]),
        top_up_fen=np.concatenate([k[1] for k in kept] + [np.empty(0, np.int64)]),
    )
