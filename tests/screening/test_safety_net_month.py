"""The single-period safety-net screen in columns gives the engine's amount, household by household."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from relapse_guard import load_policy  # noqa: E402
from relapse_guard.context import Context  # noqa: E402
from relapse_guard.decisions import Risk, Severity  # noqa: E402
from relapse_guard.facts import Fact, HouseAppraised, HousingGrade, IncomeAssessed, MemberDied  # noqa: E402
from relapse_guard.household import Household, Member, Place  # noqa: E402
from relapse_guard.interventions import SafetyNetTopUp  # noqa: E402
from relapse_guard.lifecycle import State  # noqa: E402
from relapse_guard.parameters import ParameterTree  # noqa: E402
from relapse_guard.policy import Policy  # noqa: E402
from relapse_guard.population import PopulationError, generate_population, read_population, write_population  # noqa: E402
from relapse_guard.screening.columnar import SCALE  # noqa: E402
from relapse_guard.screening.columnar.safety_net_month import (  # noqa: E402
    _Households,
    safety_net_standard,
    screen_safety_net_month,
    top_up,
    top_up_fen,
)

D = dt.date
AS_OF = D(2016, 12, 31)
NO_COST = Risk(kind="screen", household_id="h", date=AS_OF, severity=Severity.LOW, trigger="t", fact_id="f", key="k")


def _household(members: int, hid: str = "h", district: str = "Yubei") -> Household:
    return Household(
        id=hid,
        place=Place(district, "Town", "Village"),
        members=tuple(Member(id=f"{hid}-m{i}", birth_date=D(1970 + i, 1, 1)) for i in range(members)),
    )


def _engine_amount(income: Decimal | None, members: int, parameters: ParameterTree, on: dt.date) -> Decimal | None:
    """``SafetyNetTopUp.amount`` with no risk cost, on a context as the engine makes one."""
    ctx = Context(
        household=_household(members),
        date=on,
        state=State.IDENTIFIED,
        parameters=parameters,
        income_per_capita=income,
    )
    return SafetyNetTopUp().amount(NO_COST, ctx)


def _fen(amount: Decimal | None) -> int:
    return 0 if amount is None else int(amount.scaleb(2))


def _tree(standards: list[tuple[dt.date, Decimal]]) -> ParameterTree:
    values = ", ".join(f"{day.isoformat()} = {value}" for day, value in standards)
    return ParameterTree.from_toml(f"[safety_net.standard]\nvalues = {{ {values} }}\n", source="test")


_incomes = st.one_of(
    st.integers(0, 60 * 12 * SCALE),  # around and under 12 x the standard, in ten-thousandths
    st.integers(0, 10**8 * SCALE),  # anything within the bound
    st.sampled_from([0, 1, 599, 600, 601, 1199, 1200, 36_000_000, 35_999_400, 35_999_399]),  # half-fen edges
)
_standards = st.one_of(
    st.integers(0, 1000).map(Decimal),
    st.decimals(min_value=0, max_value=1000, places=2),
    st.decimals(min_value=Decimal("-5"), max_value=1000, places=4),
    st.decimals(min_value=0, max_value=10, places=6),  # finer than the kernel's unit: the Decimal path
)


@given(
    rows=st.lists(st.tuples(st.one_of(st.none(), _incomes), st.integers(1, 12)), min_size=1, max_size=40),
    standards=st.lists(_standards, min_size=1, max_size=3),
    day=st.integers(0, 3 * 366),
)
def test_kernel_is_the_engine_amount(rows: list[tuple[int | None, int]], standards: list[Decimal], day: int) -> None:
    timeline = [(D(2015 + i, 1, 1), value) for i, value in enumerate(standards)]
    parameters = _tree(timeline)
    on = D(2015, 1, 1) + dt.timedelta(days=day)
    standard = safety_net_standard(parameters, on)
    incomes = np.array([0 if income is None else income for income, _ in rows], dtype=np.int64)
    assessed = np.array([income is not None for income, _ in rows])
    members = np.array([count for _, count in rows], dtype=np.int64)
    got = top_up_fen(incomes, assessed, members, standard)
    assert got.dtype == np.int64
    for row, (income, count) in enumerate(rows):
        value = None if income is None else Decimal(income).scaleb(-4)
        expected = _engine_amount(value, count, parameters, on)
        assert top_up(value, count, standard) == expected
        assert int(got[row]) == _fen(expected), (income, count, standard)


@given(income=st.decimals(min_value=0, max_value=10**6, places=7), members=st.integers(1, 12))
def test_scalar_formula_is_the_engine_amount(income: Decimal, members: int) -> None:
    parameters = _tree([(D(2015, 1, 1), Decimal(230)), (D(2016, 1, 1), Decimal(300))])
    assert top_up(income, members, Decimal(300)) == _engine_amount(income, members, parameters, AS_OF)


def test_kernel_edges() -> None:
    # 2,500 yuan a year is 208.3333 a month: 208.33 left, (300 - 208.33) x 3 = 275.01 (the basis's example)
    fen = top_up_fen(
        np.array([2500 * SCALE, 0, 3600 * SCALE, 3599_9400, 3599_9399, 2**60], dtype=np.int64),
        np.array([True, False, True, True, True, True]),
        np.array([3, 2, 1, 1, 1, 1], dtype=np.int64),
        Decimal(300),
    )
    assert fen.tolist() == [27501, 0, 0, 0, 1, 0]
    with pytest.raises(ValueError, match="same length"):
        top_up_fen(np.zeros(2, np.int64), np.zeros(1, bool), np.zeros(2, np.int64), Decimal(300))


# --- from Parquet ------------------------------------------------------------------------------


def _scalar_screen(directory: Path, policy: Policy, as_of: dt.date) -> dict[str, tuple[str, int]]:
    """Each household's district and top-up in fen, from the population reader's records and the
    engine's ``SafetyNetTopUp.amount``."""
    found: dict[str, tuple[str, int]] = {}
    for record in read_population(directory).iter_records():
        assert record.household is not None
        assert not record.bad_rows
        incomes = sorted(
            (fact for fact in record.facts if isinstance(fact, IncomeAssessed) and fact.date <= as_of),
            key=Fact.sort_key,
        )
        income = incomes[-1].income_per_capita if incomes else None
        ctx = Context(
            household=record.household,
            date=as_of,
            state=State.IDENTIFIED,
            parameters=policy.parameters,
            income_per_capita=income,
        )
        amount = SafetyNetTopUp().amount(NO_COST, ctx)
        found[record.household.id] = (record.household.place.district, _fen(amount))
    return found


def _check(directory: Path, policy: Policy, as_of: dt.date) -> None:
    expected = _scalar_screen(directory, policy, as_of)
    result = screen_safety_net_month(directory, policy, as_of, keep_columns=True)
    assert result.columns is not None
    got = dict(zip(result.columns.household_id.tolist(), result.columns.top_up_fen.tolist(), strict=True))
    assert got == {hid: fen for hid, (_, fen) in expected.items()}
    districts = dict(zip(result.columns.household_id.tolist(), result.columns.district.tolist(), strict=True))
    assert districts == {hid: district for hid, (district, _) in expected.items()}
    assert result.households == len(expected)
    assert result.topped_up == sum(1 for _, fen in expected.values() if fen)
    assert result.total_fen == sum(fen for _, fen in expected.values())
    assert result.total == Decimal(result.total_fen).scaleb(-2)
    for name, district in result.districts.items():
        assert district.total_fen == sum(fen for d, fen in expected.values() if d == name)
        assert district.households == sum(1 for d, _ in expected.values() if d == name)
    assert result.standard == safety_net_standard(policy, as_of)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("generated")
    generate_population(directory, households=300, seed=7, format="parquet", processes=1, overwrite=True)
    return directory


@pytest.mark.parametrize("as_of", [D(2015, 12, 31), D(2016, 3, 10), D(2016, 6, 30), AS_OF])
def test_generated_population_as_the_engine(generated: Path, as_of: dt.date) -> None:
    _check(generated, load_policy("yubei_2016"), as_of)


def test_a_standard_finer_than_the_fen(generated: Path) -> None:
    policy = load_policy("yubei_2016").derive(
        name="finer", parameters={"safety_net.standard": {D(2016, 7, 1): Decimal("412.345678")}}
    )
    _check(generated, policy, AS_OF)
    assert screen_safety_net_month(generated, policy, AS_OF).topped_up > 0


def _income(hid: str, fid: str, day: dt.date, income: str) -> IncomeAssessed:
    return IncomeAssessed(id=fid, household_id=hid, date=day, income_per_capita=Decimal(income))


def _written(directory: Path, *, partitions: int = 2) -> Path:
    """Households with ties, fine incomes, late assessments and none, in ``partitions`` partitions."""
    items = [
        (_household(3, "a"), [_income("a", "a-2", D(2016, 5, 1), "100"), _income("a", "a-1", D(2016, 5, 1), "2500")]),
        (_household(1, "b", "Dazu"), [_income("b", "b-1", D(2016, 2, 1), "1234.56789")]),
        (_household(2, "c"), [_income("c", "c-1", D(2016, 2, 1), "10"), _income("c", "c-2", D(2017, 2, 1), "0")]),
        (_household(4, "d", "Dazu"), []),
        (_household(12, "e"), [_income("e", "e-1", D(2016, 1, 1), "3599.9399")]),
        (_household(2, "f"), [_income("f", "f-1", D(2016, 3, 1), "0.0001")]),
    ]
    write_population(directory, items, format="parquet", households_per_partition=6 // partitions, overwrite=True)
    return directory


@pytest.mark.parametrize("partitions", [1, 2, 3])
def test_ties_fine_incomes_and_partitions(tmp_path: Path, partitions: int) -> None:
    directory = _written(tmp_path / "p", partitions=partitions)
    policy = load_policy("yubei_2016")
    _check(directory, policy, AS_OF)
    result = screen_safety_net_month(directory, policy, AS_OF, keep_columns=True)
    assert result.columns is not None
    by_id = dict(zip(result.columns.household_id.tolist(), result.columns.top_up_fen.tolist(), strict=True))
    assert by_id["a"] == (30000 - 833) * 3  # a-2 (100 yuan) is the later of the two on 2016-05-01
    assert by_id["d"] == 0
    assert result.columns.exact.tolist().count(False) == 1  # b's 1234.56789


_days = st.sampled_from([D(2015, 12, 31), D(2016, 1, 1), D(2016, 6, 30), AS_OF, D(2017, 1, 1)])
_income_texts = st.one_of(
    st.integers(0, 8000).map(str),
    st.decimals(min_value=0, max_value=8000, places=2).map(str),
    st.decimals(min_value=0, max_value=8000, places=6).map(str),  # finer than the kernel's unit
)


@st.composite
def _populations(draw: st.DrawFn) -> list[tuple[Household, list[Fact]]]:
    """Households of 1-5 members in two districts, with assessments on a few dates (ties on a
    date, some after the screen's date, the same income text in several rows) and houses."""
    items = []
    for number in range(draw(st.integers(1, 8))):
        hid = f"h{number}"
        facts: list[Fact] = []
        for fact in range(draw(st.integers(0, 5))):
            fid = f"{hid}-{draw(st.integers(0, 99)):02d}-{fact}"  # ids in no particular order
            if draw(st.booleans()) or not facts:
                facts.append(_income(hid, fid, draw(_days), draw(_income_texts)))
            else:
                facts.append(HouseAppraised(id=fid, household_id=hid, date=draw(_days), grade=HousingGrade.C))
        district = draw(st.sampled_from(["Yubei", "Dazu"]))
        items.append((_household(draw(st.integers(1, 5)), hid, district), sorted(facts, key=Fact.sort_key)))
    return items


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=_populations(), facts_group=st.integers(1, 7), households_group=st.integers(1, 7))
def test_any_population_in_any_row_groups_as_the_engine(
    tmp_path: Path, items: list[tuple[Household, list[Fact]]], facts_group: int, households_group: int
) -> None:
    # Each row group has its own dictionaries of ids and incomes: the screen reads across them.
    directory = tmp_path / f"p{facts_group}-{households_group}-{len(items)}"
    write_population(directory, items, format="parquet", overwrite=True)
    for name, rows in (("facts-00000.parquet", facts_group), ("households-00000.parquet", households_group)):
        pq.write_table(pq.read_table(directory / name), directory / name, row_group_size=rows)
    _check(directory, load_policy("yubei_2016"), AS_OF)


@pytest.mark.parametrize(
    ("facts", "group", "runs"),
    [
        ((2, 3, 1), 2, [0, 1, 1]),  # row groups [a a] [b b] [b c]: the third starts at the second's last
        ((1, 1, 1), 3, [0]),
        ((1, 2, 1), 1, [0, 1, 1, 2]),
        ((2, 0, 1), 2, None),  # b has no facts: [a a] [c], hashed
    ],
)
def test_row_groups_in_the_households_order_are_compared_not_hashed(
    tmp_path: Path, facts: tuple[int, ...], group: int, runs: list[int] | None
) -> None:
    items = [
        (_household(2, hid), [_income(hid, f"{hid}-{n}", D(2016, n + 1, 1), str(1000 * n)) for n in range(count)])
        for hid, count in zip("abc", facts, strict=True)
    ]
    directory = tmp_path / "p"
    write_population(directory, items, format="parquet", overwrite=True)
    path = directory / "facts-00000.parquet"
    pq.write_table(pq.read_table(path), path, row_group_size=group)
    column = pq.read_table(path, columns=["household_id"], read_dictionary=["household_id"]).column(0)
    households = _Households(directory / "households-00000.parquet")
    assert households._runs([chunk.dictionary for chunk in column.chunks]) == runs
    _check(directory, load_policy("yubei_2016"), AS_OF)


# --- what the screen refuses -------------------------------------------------------------------


def _rewrite(path: Path, column: str, row: int, value: object) -> None:
    table = pq.read_table(path)
    cells = table.column(column).to_pylist()
    cells[row] = value
    index = table.schema.get_field_index(column)
    table = table.set_column(index, table.schema.field(index), pa.array(cells, table.schema.field(index).type))
    pq.write_table(table, path)


@pytest.mark.parametrize(
    ("value", "shown"), [("abc", "'abc'"), ("-5", "'-5'"), ("100000001", "'100000001'"), (None, "None")]
)
def test_a_bad_income_cell_is_named(tmp_path: Path, value: object, shown: str) -> None:
    directory = _written(tmp_path / "p", partitions=1)
    facts = directory / "facts-00000.parquet"
    _rewrite(facts, "income_per_capita", 2, value)  # b's assessment: the third row
    with pytest.raises(PopulationError, match="income_per_capita") as raised:
        screen_safety_net_month(directory, load_policy("yubei_2016"), AS_OF)
    assert str(facts) in str(raised.value)
    assert "row 3" in str(raised.value)
    assert shown in str(raised.value)


def test_a_missing_date_is_named(tmp_path: Path) -> None:
    directory = _written(tmp_path / "p", partitions=1)
    _rewrite(directory / "facts-00000.parquet", "date", 2, None)  # b's assessment
    with pytest.raises(PopulationError, match="row 3: column 'date' has value None"):
        screen_safety_net_month(directory, load_policy("yubei_2016"), AS_OF)


def test_a_fact_of_no_household_screens_nobody(tmp_path: Path) -> None:
    directory = _written(tmp_path / "p", partitions=1)
    _rewrite(directory / "facts-00000.parquet", "household_id", 2, None)  # b's assessment, of no household
    _rewrite(directory / "facts-00000.parquet", "household_id", 3, "zz")  # c's 2016 one, of one not in the file
    result = screen_safety_net_month(directory, load_policy("yubei_2016"), AS_OF, keep_columns=True)
    assert result.columns is not None
    assert result.columns.assessed.tolist() == [True, False, False, False, True, True]


def test_a_bad_cell_after_the_date_is_not_read(tmp_path: Path) -> None:
    directory = _written(tmp_path / "p", partitions=1)
    _rewrite(directory / "facts-00000.parquet", "income_per_capita", 4, "abc")  # c's 2017 assessment
    _check_result = screen_safety_net_month(directory, load_policy("yubei_2016"), AS_OF)
    assert _check_result.households == 6


@pytest.mark.parametrize(
    ("column", "row", "value", "message"),
    [
        ("household_id", 0, "  ", "column 'household_id' has value '  '"),
        ("district", 1, None, "column 'district' has value None"),
        ("district", 1, "Dazu", "column 'district' has value 'Dazu'; expected the district of the household's"),
        ("household_id", 4, "a", "row 5: column 'household_id' has value 'a'"),
    ],
)
def test_a_bad_households_file_is_named(tmp_path: Path, column: str, row: int, value: object, message: str) -> None:
    directory = _written(tmp_path / "p", partitions=1)
    households = directory / "households-00000.parquet"
    _rewrite(households, column, row, value)
    with pytest.raises(PopulationError, match=message) as raised:
        screen_safety_net_month(directory, load_policy("yubei_2016"), AS_OF)
    assert str(households) in str(raised.value)


def test_partitions_are_read_each_on_its_own(tmp_path: Path) -> None:
    # As the population reader reads them: a household id in two partitions is two households.
    directory = _written(tmp_path / "p", partitions=2)
    _rewrite(directory / "households-00001.parquet", "household_id", 0, "a")  # d's member rows, alone
    for row in range(1, 4):
        _rewrite(directory / "households-00001.parquet", "household_id", row, "a")
    result = screen_safety_net_month(directory, load_policy("yubei_2016"), AS_OF)
    assert result.households == 6


def test_the_same_assessment_twice(tmp_path: Path) -> None:
    directory = _written(tmp_path / "p", partitions=1)
    _rewrite(directory / "facts-00000.parquet", "id", 1, "a-2")
    with pytest.raises(PopulationError, match="a fact id used once"):
        screen_safety_net_month(directory, load_policy("yubei_2016"), AS_OF)


@pytest.mark.parametrize("value", [None, " ", "\u3000"])
def test_a_blank_fact_id_is_named(tmp_path: Path, value: str | None) -> None:
    directory = _written(tmp_path / "p", partitions=1)
    _rewrite(directory / "facts-00000.parquet", "id", 2, value)  # b's assessment
    with pytest.raises(PopulationError, match=re.escape(f"row 3: column 'id' has value {value!r}")):
        screen_safety_net_month(directory, load_policy("yubei_2016"), AS_OF)


def test_household_changes_are_refused(tmp_path: Path) -> None:
    items = [
        (
            _household(2, "a"),
            [
                _income("a", "a-1", D(2016, 1, 1), "100"),
                MemberDied(id="a-2", household_id="a", date=D(2016, 4, 1), member_id="a-m1"),
            ],
        )
    ]
    directory = tmp_path / "p"
    write_population(directory, items, format="parquet")
    with pytest.raises(PopulationError, match="kind 'member_died'"):
        screen_safety_net_month(directory, load_policy("yubei_2016"), AS_OF)
    assert screen_safety_net_month(directory, load_policy("yubei_2016"), D(2016, 3, 31)).total_fen == (30000 - 833) * 2


@pytest.mark.parametrize(
    ("name", "column"), [("households-00000.parquet", "district"), ("facts-00000.parquet", "date")]
)
def test_a_missing_column_is_named(tmp_path: Path, name: str, column: str) -> None:
    directory = _written(tmp_path / "p", partitions=1)
    pq.write_table(pq.read_table(directory / name).drop_columns([column]), directory / name)
    with pytest.raises(PopulationError, match=f"lacks the column\\(s\\) '{column}'"):
        screen_safety_net_month(directory, load_policy("yubei_2016"), AS_OF)


@pytest.mark.parametrize("name", ["households-00000.parquet", "facts-00000.parquet"])
def test_a_file_pyarrow_cannot_read_is_named(tmp_path: Path, name: str) -> None:
    directory = _written(tmp_path / "p", partitions=1)
    path = directory / name
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])  # truncated
    with pytest.raises(PopulationError, match="cannot read the Parquet file") as raised:
        screen_safety_net_month(directory, load_policy("yubei_2016"), AS_OF)
    assert str(path) in str(raised.value)


def test_only_parquet(tmp_path: Path) -> None:
    write_population(tmp_path / "p", [(_household(1, "a"), [])], format="jsonl")
    with pytest.raises(PopulationError, match="Parquet files only"):
        screen_safety_net_month(tmp_path / "p", load_policy("yubei_2016"), AS_OF)
