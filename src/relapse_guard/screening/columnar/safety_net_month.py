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
from collections.abc import Mapping
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


def _joined(parts: list[npt.NDArray[Any]], dtype: type[np.generic]) -> npt.NDArray[Any]:
    """``parts`` end to end (an empty array of ``dtype`` for none)."""
    if len(parts) == 1:
        return parts[0].astype(dtype, copy=False)
    return np.concatenate([*parts, np.empty(0, dtype)]).astype(dtype, copy=False)


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
    """A households file's households: ids, districts and member counts, in file order."""

    def __init__(self, path: Path) -> None:
        pa = arrow()
        pc = compute()
        parquet = _open(path, ["household_id", "district"], ["district"])
        table = parquet.read(columns=["household_id", "district"])
        table = table.unify_dictionaries().combine_chunks()
        runs = pc.run_end_encode(table.column("household_id").chunk(0) if table.num_rows else pa.array([], pa.string()))
        ends = np.asarray(runs.run_ends.to_numpy(), dtype=np.int64)
        starts = np.concatenate([[0], ends[:-1]]).astype(np.int64)
        self.ids = runs.values
        self.members: Int64s = ends - starts
        blank = np.flatnonzero(_blank(self.ids))  # every row's id is the id of its run
        if len(blank):
            row = int(starts[blank[0]])
            raise _bad_cell(path, "household_id", row, self.ids[int(blank[0])].as_py(), "a household id, never blank")
        self._unique(path, starts)
        districts = (
            table.column("district").chunk(0) if table.num_rows else pa.array([], pa.string()).dictionary_encode()
        )
        codes = np.asarray(pc.fill_null(districts.indices, -1).to_numpy(), dtype=np.int64)
        blank = np.append(_blank(districts.dictionary), True)[codes]
        if blank.any():
            row = int(np.flatnonzero(blank)[0])
            raise _bad_cell(path, "district", row, districts[row].as_py(), "a district, never blank")
        differ = np.flatnonzero(codes != np.repeat(codes[starts], self.members))
        if len(differ):
            row = int(differ[0])
            raise _bad_cell(path, "district", row, districts[row].as_py(), "the district of the household's first row")
        self.districts = districts.take(pa.array(starts))

    def _unique(self, path: Path, starts: Int64s) -> None:
        """Refuse a household whose rows are not together, or that appears twice."""
        pc = compute()
        if len(pc.unique(self.ids)) != len(self.ids):
            counts = pc.value_counts(self.ids)
            twice = counts.field("values").filter(pc.greater(counts.field("counts"), 1))[0].as_py()
            second = int(np.flatnonzero(_numpy(pc.equal(self.ids, twice)))[1])
            raise _bad_cell(
                path, "household_id", int(starts[second]), twice, "the rows of a household together, once in the file"
            )


class _Incomes:
    """The distinct income cells of a batch: each in 1/SCALE yuan (``exact``), or as a ``Decimal``, or refused."""

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


def _open(path: Path, columns: list[str], dictionary: list[str]) -> Any:
    """The Parquet file at ``path``, its ``dictionary`` columns read as dictionaries;
    :class:`PopulationError` when it lacks one of ``columns``."""
    pq = pyarrow_modules()[1]
    try:
        parquet = pq.ParquetFile(path, read_dictionary=dictionary)
    except KeyError:  # a dictionary column is missing
        parquet = pq.ParquetFile(path)
    missing = [name for name in columns if name not in parquet.metadata.schema.names]
    if missing:
        raise PopulationError(f"{path}: the file lacks the column(s) {', '.join(map(repr, missing))}")
    return parquet


def _ids_not_blank(metadata: Any) -> bool:
    """True when the statistics of a facts file's ``id`` column show that no id is null or blank:
    every id starts with a character between its smallest and largest ids' first ones, and
    those are printable ASCII (never white space)."""
    column = metadata.schema.names.index("id")
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


class _Assessments:
    """The income assessments of a facts file on or before ``as_of``, of the households of its partition."""

    def __init__(self, path: Path, households: _Households, as_of: dt.date) -> None:
        self.path = path
        self.households = households
        self.as_of_days = (as_of - dt.date(1970, 1, 1)).days
        columns = ["household_id", "kind", "date", _INCOME_COLUMN]
        parquet = _open(path, [*columns, "id"], ["household_id", "kind", _INCOME_COLUMN])
        metadata = parquet.metadata
        #: The fact ids, read only when needed: to check them (unless the file's statistics show
        #: that none is blank), or to order assessments of one date.
        self._ids = None if _ids_not_blank(metadata) else self._read_ids()
        table = parquet.read(columns=columns)
        table = table.unify_dictionaries().combine_chunks()  # one batch: each distinct value looked at once
        self.household: list[Int64s] = []  # per batch: the household (row in the households file) of each row kept
        self.day: list[Int64s] = []
        self.income: list[Int64s] = []  # per batch: the income code of each row kept
        self.rows: list[Int64s] = []  # per batch: the batch's row of each row kept
        self.batches: list[tuple[int, _Incomes]] = []  # per batch: its first row in the file, its incomes
        offset = 0
        for batch in table.to_batches():
            self._batch(batch, offset)
            offset += batch.num_rows

    def _read_ids(self) -> Any:
        """The file's ``id`` column."""
        return pyarrow_modules()[1].read_table(self.path, columns=["id"]).column("id").combine_chunks()

    def _batch(self, batch: Any, offset: int) -> None:
        pa, pc = arrow(), compute()
        kinds = batch.column("kind")
        if kinds.null_count:
            row = int(np.flatnonzero(_numpy(kinds.is_null()))[0])
            raise _bad_cell(self.path, "kind", offset + row, None, "a fact kind")
        names = kinds.dictionary.to_pylist()
        codes = _numpy(kinds.indices)
        dates = batch.column("date")
        days = pc.cast(dates, pa.int32())  # date32: days since 1970
        days = _numpy(pc.fill_null(days, np.iinfo(np.int32).min) if dates.null_count else days)
        dated = days <= self.as_of_days
        refused = [code for code, name in enumerate(names) if name in UNAPPLIED_KINDS]
        found = np.flatnonzero(np.isin(codes, refused) & dated) if refused else _NONE
        if len(found):
            row = int(found[0])
            raise PopulationError(
                f"{self.path}: row {offset + row + 1}: a fact of kind {names[codes[row]]!r} dated on or before the "
                "screen's date; the single-period screen does not apply corrections, retractions or household "
                "changes (screen the population with the engine)"
            )
        if _INCOME_KIND not in names:
            return
        income_rows = codes == names.index(_INCOME_KIND)
        undated = np.flatnonzero(income_rows & _numpy(dates.is_null())) if dates.null_count else _NONE
        if len(undated):
            raise _bad_cell(self.path, "date", offset + int(undated[0]), None, "an ISO date such as '2016-03-01'")
        self._keep(batch, offset, np.flatnonzero(income_rows & dated), days)

    def _keep(self, batch: Any, offset: int, rows: Int64s, days: npt.NDArray[Any]) -> None:
        """Keep ``rows`` of ``batch`` (income assessments on or before as_of) of the partition's households."""
        pc = compute()
        hids = batch.column("household_id")
        where = np.asarray(pc.fill_null(pc.index_in(hids.dictionary, value_set=self.households.ids), -1).to_numpy())
        indices = hids.indices if not hids.null_count else pc.fill_null(hids.indices, len(where))
        household = np.append(where, -1)[_numpy(indices)[rows]]  # -1: a null cell, or no household of the file
        rows, household = rows[household >= 0], household[household >= 0]  # such a fact screens nobody
        encoded = pc.dictionary_encode(batch.column(_INCOME_COLUMN))
        incomes = _Incomes(encoded.dictionary)
        income = _numpy(pc.fill_null(encoded.indices, incomes.count)).astype(np.int64)[rows]
        bad = np.flatnonzero(~np.append(incomes.valid, False)[income])
        if len(bad):
            value, expected = incomes.errors.get(int(income[bad[0]]), (None, "an income (required)"))
            raise _bad_cell(self.path, _INCOME_COLUMN, offset + int(rows[bad[0]]), value, expected)
        if self._ids is not None:
            kept = self._ids.take(arrow().array(offset + rows))
            blank = np.flatnonzero(_blank(kept))
            if len(blank):
                raise _bad_cell(self.path, "id", offset + int(rows[blank[0]]), kept[int(blank[0])].as_py(), _ID)
        self.batches.append((offset, incomes))
        self.household.append(household.astype(np.int64))
        self.day.append(days[rows].astype(np.int64))
        self.income.append(income)
        self.rows.append(rows)

    def latest(self) -> tuple[Int64s, Bools, Bools, dict[int, Decimal]]:
        """Each household's latest income (in the engine's order: date, then fact id) as
        ``(income, assessed, exact, decimals)``: ``decimals`` holds, by household, the incomes not
        exact in 1/SCALE yuan."""
        count = len(self.households.ids)
        household, day = _joined(self.household, np.int64), _joined(self.day, np.int64)
        batch = _joined([np.full(len(rows), b, np.int64) for b, rows in enumerate(self.rows)], np.int64)
        row, code = _joined(self.rows, np.int64), _joined(self.income, np.int64)
        last = np.full(count, np.iinfo(np.int64).min, dtype=np.int64)
        np.maximum.at(last, household, day)
        candidates = np.flatnonzero(day == last[household])
        chosen = np.full(count, -1, dtype=np.int64)
        chosen[household[candidates]] = candidates
        ties = np.bincount(household[candidates], minlength=count) > 1
        if ties.any():
            self._break_ties(candidates[ties[household[candidates]]], household, batch, row, chosen)
        assessed = chosen >= 0
        picked = chosen[assessed]
        income = np.zeros(count, dtype=np.int64)
        exact = np.ones(count, dtype=np.bool_)
        decimals: dict[int, Decimal] = {}
        for b, (_, incomes) in enumerate(self.batches):
            in_batch = picked[batch[picked] == b]
            where = household[in_batch]
            codes = code[in_batch]
            income[where] = np.append(incomes.scaled, 0)[codes]
            exact[where] = np.append(incomes.exact, False)[codes]
            for at in np.flatnonzero(~exact[where]).tolist():
                decimals[int(where[at])] = incomes.decimals[int(codes[at])]
        return income, assessed, exact, decimals

    def _break_ties(self, rows: Int64s, household: Int64s, batch: Int64s, row: Int64s, chosen: Int64s) -> None:
        """For households with several assessments on their latest date, the one of the greatest fact id."""
        best: dict[int, tuple[str, int]] = {}
        if self._ids is None:
            self._ids = self._read_ids()
        for at in rows.tolist():
            position = self.batches[int(batch[at])][0] + int(row[at])
            fact_id = self._ids[position].as_py()
            where = int(household[at])
            if fact_id is None or not fact_id.strip():
                raise _bad_cell(self.path, "id", position, fact_id, _ID)
            if where in best and best[where][0] == fact_id:
                raise _bad_cell(self.path, "id", position, fact_id, "a fact id used once by its household")
            if where not in best or fact_id > best[where][0]:
                best[where] = (fact_id, at)
        for where, (_, at) in best.items():
            chosen[where] = at


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
        _add_districts(districts, households.districts, fen)
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


def _add_districts(districts: dict[str, list[int]], names: Any, fen: Int64s) -> None:
    """Add a partition's households, top-ups and fen to ``districts`` by name."""
    encoded = compute().dictionary_encode(names)
    codes = np.asarray(encoded.indices.to_numpy(), dtype=np.int64)
    count = len(encoded.dictionary)
    households = np.bincount(codes, minlength=count)
    topped = np.bincount(codes[fen > 0], minlength=count)
    total = np.zeros(count, dtype=np.int64)
    np.add.at(total, codes, fen)
    for code, name in enumerate(encoded.dictionary.to_pylist()):
        counts = districts.setdefault(name, [0, 0, 0])
        counts[0] += int(households[code])
        counts[1] += int(topped[code])
        counts[2] += int(total[code])


def _columns(kept: list[tuple[_Households, Int64s, Int64s, Bools, Bools]]) -> HouseholdColumns:
    """The per-household arrays of every partition, end to end."""
    return HouseholdColumns(
        household_id=np.array([i for h, *_ in kept for i in h.ids.to_pylist()], dtype=object),
        district=np.array([d for h, *_ in kept for d in h.districts.to_pylist()], dtype=object),
        members=np.concatenate([h.members for h, *_ in kept] + [np.empty(0, np.int64)]),
        income=np.concatenate([k[2] for k in kept] + [np.empty(0, np.int64)]),
        assessed=np.concatenate([k[3] for k in kept] + [np.empty(0, np.bool_)]),
        exact=np.concatenate([k[4] for k in kept] + [np.empty(0, np.bool_)]),
        top_up_fen=np.concatenate([k[1] for k in kept] + [np.empty(0, np.int64)]),
    )
