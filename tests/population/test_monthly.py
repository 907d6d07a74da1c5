"""The next month of facts for a population: seeded to the byte, realistic shares, late reports, ids unique."""

from __future__ import annotations

import collections
import datetime as dt
import statistics
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relapse_guard import Engine, IncomeAssessed, load_policy
from relapse_guard.facts import Fact, IllnessReported, JobLost, SchoolEnrolled, parse_fact
from relapse_guard.household import Household
from relapse_guard.population import (
    BLOCK_SIZE,
    MonthlyShares,
    Population,
    PopulationError,
    fact_records,
    generate_population,
    month_facts,
    monthly,
    next_month,
    parse_month,
    read_partition,
    read_population,
    write_population,
)
from relapse_guard.population.fact_files import open_fact_writer

from .helpers import SEED

HOUSEHOLDS = 3 * BLOCK_SIZE
START = dt.date(2016, 1, 1)
#: The first month after the county's (2016): the first a month's file may be drawn for.
AFTER = dt.date(2017, 1, 1)


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Population:
    """300 households of 2016, in one partition."""
    return generate_population(
        tmp_path_factory.mktemp("month") / "county", households=HOUSEHOLDS, seed=SEED, processes=1
    )


@pytest.fixture(scope="module")
def history(county: Population) -> dict[str, tuple[Household, list[Fact]]]:
    """The county's households with their facts, by id."""
    return {r.household.id: (r.household, list(r.facts)) for r in county.iter_records() if r.household is not None}


def _facts(population: Population, month: str, **arguments: object) -> list[Fact]:
    return [fact for record in month_facts(population, month, **arguments) for fact in record.facts]  # type: ignore[arg-type]


def _months_back(month: dt.date, day: dt.date) -> int:
    return (month.year - day.year) * 12 + month.month - day.month


def test_same_arguments_same_bytes_other_seed_or_month_other_bytes(county: Population, tmp_path: Path) -> None:
    first = next_month(county, "2017-02", tmp_path / "a.jsonl", seed=3)
    again = next_month(county.directory or "", "2017-02-15", tmp_path / "b.jsonl", seed=3)
    other_seed = next_month(county, "2017-02", tmp_path / "c.jsonl", seed=4)
    other_month = next_month(county, "2017-03", tmp_path / "d.jsonl", seed=3)
    assert first.path.read_bytes() == again.path.read_bytes()
    assert first.path.read_bytes() != other_seed.path.read_bytes()
    assert first.path.read_bytes() != other_month.path.read_bytes()
    assert first.month == dt.date(2017, 2, 1)
    assert first.households == HOUSEHOLDS
    assert first.facts == sum(first.by_kind.values()) == len(first.path.read_text(encoding="utf-8").splitlines())
    assert not list(tmp_path.glob("*.tmp"))


def test_partitions_and_processes_do_not_change_the_bytes(county: Population, tmp_path: Path) -> None:
    three = generate_population(tmp_path / "three", households=HOUSEHOLDS, seed=SEED, partitions=3, processes=1)
    one = next_month(county, "2017-01", tmp_path / "one.csv", seed=1, processes=1)
    serial = next_month(three, "2017-01", tmp_path / "serial.csv", seed=1, processes=1)
    parallel = next_month(three, "2017-01", tmp_path / "parallel.csv", seed=1, processes=2)
    assert one.path.read_bytes() == serial.path.read_bytes() == parallel.path.read_bytes()


def test_every_format_reads_back_through_the_population_readers(
    county: Population, tmp_path: Path, file_format: str
) -> None:
    shares = MonthlyShares(late_share=0.3)
    expected = _facts(county, "2017-09", seed=2, shares=shares)
    written = next_month(county, "2017-09", tmp_path / f"sep.{file_format}", seed=2, shares=shares)
    assert written.format == file_format
    assert written.by_kind.keys() == {f.kind for f in expected}  # every kind, school enrolments included
    records = fact_records(written.path)
    assert list(records) == [fact.to_dict() for fact in expected]
    assert records.bad_rows == []
    assert [parse_fact(record) for record in fact_records(written.path)] == expected
    # With the population's households file, the month's facts are a partition of their own.
    households = tmp_path / f"households.{file_format}"
    generate_population(tmp_path / "same", households=HOUSEHOLDS, seed=SEED, format=file_format, processes=1)
    (tmp_path / "same" / f"households-00000.{file_format}").rename(households)
    merged = list(read_partition(households, written.path))
    assert [fact for record in merged for fact in record.facts] == expected
    assert not [row for record in merged for row in record.bad_rows]


def test_fact_records_reports_a_bad_row_and_reads_on(county: Population, tmp_path: Path) -> None:
    path = next_month(county, "2017-01", tmp_path / "jan.jsonl").path
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace('"date":"2017-01-', '"date":"2017-13-')
    lines.insert(3, "not json")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    records = fact_records(path)
    assert len(list(records)) == len(lines) - 2
    assert [(row.line, row.field) for row in records.bad_rows] == [(2, "date"), (4, "json")]
    with pytest.raises(PopulationError, match="no such file"):
        fact_records(tmp_path / "missing.jsonl")
    with pytest.raises(PopulationError, match="suffix"):
        fact_records(tmp_path / "facts.txt")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(0, 2**32),
    first=st.dates(AFTER, dt.date(2018, 12, 31)),
    later=st.integers(1, 14),
    late_share=st.sampled_from([0.0, 0.02, 0.3, 1.0]),
)
def test_any_seed_and_months(
    county: Population,
    history: dict[str, tuple[Household, list[Fact]]],
    seed: int,
    first: dt.date,
    later: int,
    late_share: float,
) -> None:
    """Ids unique within and across months and apart from the population's; facts that parse, of the
    population's households and members; dates in the month, or 1-3 months before for late reports,
    never in the population's months."""
    shares = MonthlyShares(late_share=late_share)
    population_ids = {fact.id for _, facts in history.values() for fact in facts}
    seen: set[str] = set()
    for month in (parse_month(first), parse_month(first + dt.timedelta(days=31 * later))):
        facts = _facts(county, f"{month:%Y-%m}", seed=seed, shares=shares)
        ids = [fact.id for fact in facts]
        assert len(ids) == len(set(ids))
        assert not set(ids) & population_ids
        assert not set(ids) & seen
        seen.update(ids)
        for fact in facts:
            assert parse_fact(fact.to_dict()) == fact
            household, _ = history[fact.household_id]
            if hasattr(fact, "member_id"):
                assert household.has_member(fact.member_id)
            back = _months_back(month, fact.date)
            assert 0 <= back <= 3
            assert fact.date >= AFTER
            assert fact.id.startswith(f"m{fact.date:%Y-%m}-{fact.household_id}-")
            if late_share == 0:
                assert back == 0
        if late_share == 1:
            assert all(fact.date < month for fact in facts)
            assert facts or month == AFTER  # January's events are late, and December's the population's


def test_each_event_is_delivered_once_in_a_run_of_months(county: Population) -> None:
    """The events of a month are in its own file or, late, in one of the next three: never twice."""
    shares = MonthlyShares(late_share=0.25)
    delivered: dict[str, str] = {}
    for number in range(1, 9):
        month = f"2017-{number:02d}"
        for fact in _facts(county, month, seed=5, shares=shares):
            assert fact.id not in delivered
            delivered[fact.id] = month
    by_delay = collections.Counter(
        _months_back(parse_month(month), parse_month(fid[1:8])) for fid, month in delivered.items()
    )
    assert set(by_delay) == {0, 1, 2, 3}
    assert by_delay[1] > by_delay[3]


def test_shares_as_documented(county: Population, history: dict[str, tuple[Household, list[Fact]]]) -> None:
    """Loosely (300 households, a year of months): assessments, shocks, school months, late reports."""
    counts: collections.Counter[str] = collections.Counter()
    late = total = 0
    ratios = []
    for number in range(1, 13):
        month = dt.date(2017, number, 1)
        for fact in _facts(county, f"{month:%Y-%m}"):
            counts[fact.kind] += 1
            total += 1
            late += fact.date < month
            household, facts = history[fact.household_id]
            if isinstance(fact, IncomeAssessed):
                last = [f for f in facts if isinstance(f, IncomeAssessed)][-1]
                ratios.append(fact.income_per_capita / last.income_per_capita)
                assert fact.date.day == last.date.day
            elif isinstance(fact, JobLost):
                member = household.member(fact.member_id)
                assert member.can_work_on(fact.date)
                assert 16 <= member.age_on(fact.date.replace(day=1)) < 60
            elif isinstance(fact, SchoolEnrolled):
                assert (fact.date.month, fact.date.day) == (9, 1)
            elif isinstance(fact, IllnessReported):
                assert fact.self_paid_cost > 0
    months = 12 * HOUSEHOLDS
    assert 0.55 < counts["income_assessed"] / months < 0.65
    assert 0.01 < counts["illness_reported"] / months < 0.05
    assert 0.003 < counts["job_lost"] / months < 0.02
    assert 0 < counts["disaster_reported"] / months < 0.015
    assert counts["school_enrolled"] > 50
    assert 0.01 < late / total < 0.03
    assert 0.93 < float(statistics.median(ratios)) < 1.07


def test_the_late_share_is_near_its_parameter(county: Population) -> None:
    """Months away from the school months, whose many enrolments make the next three months' late share
    larger, and from the population's, of which no late report comes."""
    months = ("2017-04", "2017-05", "2017-06", "2017-07")
    for share in (0.1, 0.4):
        shares = MonthlyShares(late_share=share)
        late = [fact.date < parse_month(m) for m in months for fact in _facts(county, m, shares=shares)]
        assert abs(sum(late) / len(late) - share) < 0.05


def test_history_and_month_run_through_the_engine(
    county: Population, history: dict[str, tuple[Household, list[Fact]]]
) -> None:
    by_household: dict[str, list[Fact]] = collections.defaultdict(list)
    for month in ("2017-01", "2017-02", "2017-03", "2017-09"):
        for fact in _facts(county, month, shares=MonthlyShares(late_share=0.2)):
            by_household[fact.household_id].append(fact)
    for name in ("yubei_2016", "dazu_2016", "bishan_2016"):
        engine = Engine(load_policy(name))
        for hid, new in list(by_household.items())[:120]:
            household, facts = history[hid]
            engine.run(household, [*facts, *new], as_of=dt.date(2017, 12, 31))


def test_arguments_are_checked_and_nothing_is_left_behind(county: Population, tmp_path: Path) -> None:
    with pytest.raises(PopulationError, match="before the population's first month"):
        next_month(county, "2015-12", tmp_path / "early.jsonl")
    for covered in ("2016-01", "2016-12-31"):
        with pytest.raises(
            PopulationError, match=r"2016-\d\d is one of the population's months \(2016-01 to 2016-12\)"
        ):
            next_month(county, covered, tmp_path / "covered.jsonl")
    with pytest.raises(ValueError, match="not a month"):
        next_month(county, "2017-13", tmp_path / "bad.jsonl")
    with pytest.raises(PopulationError, match="suffix says csv"):
        next_month(county, "2017-01", tmp_path / "x.csv", format="jsonl")
    with pytest.raises(PopulationError, match="cannot tell the file format"):
        next_month(county, "2017-01", tmp_path / "x.txt")
    with pytest.raises(ValueError, match="late_share"):
        MonthlyShares(late_share=1.5)
    with pytest.raises(ValueError, match="late_delays"):
        MonthlyShares(late_delays=(0.5, 0.2, 0.2, 0.1))
    with pytest.raises(ValueError, match="school_months"):
        MonthlyShares(school_months=(13,))
    written = next_month(county, "2017-01", tmp_path / "jan.jsonl", format="jsonl")
    with pytest.raises(PopulationError, match="exists"):
        next_month(county, "2017-01", tmp_path / "jan.jsonl")
    assert next_month(county, "2017-02", written.path, overwrite=True).month == dt.date(2017, 2, 1)
    assert [p.name for p in tmp_path.iterdir()] == ["jan.jsonl"]


def test_a_run_that_fails_leaves_no_file(county: Population, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Full:
        def __init__(self, path: Path) -> None:
            self.real = open_fact_writer(path, format="jsonl")

        def write(self, facts: object) -> int:
            raise OSError("No space left on device")

        def close(self) -> None:
            self.real.close()

    monkeypatch.setattr(monthly, "open_fact_writer", lambda path, format: Full(path))
    with pytest.raises(OSError, match="No space"):
        next_month(county, "2017-01", tmp_path / "jan.jsonl")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("processes", [1, 2])
def test_progress_and_the_population_bad_rows(
    county: Population, history: dict[str, tuple[Household, list[Fact]]], tmp_path: Path, processes: int
) -> None:
    """A household that cannot be read gets no facts; the others get theirs, as if it were not there."""
    broken = generate_population(tmp_path / "broken", households=HOUSEHOLDS, seed=SEED, partitions=3, processes=1)
    assert broken.directory is not None
    households = broken.directory / "households-00001.jsonl"
    lines = households.read_text(encoding="utf-8").splitlines()
    lost = list(history)[BLOCK_SIZE]  # the first household of the second partition
    assert f'"id":"{lost}"' in lines[0]
    lines[0] = "not json"
    households.write_text("\n".join(lines) + "\n", encoding="utf-8")
    seen: list[tuple[int, int]] = []
    written = next_month(
        read_population(broken.directory),
        "2017-01",
        tmp_path / "jan.jsonl",
        processes=processes,
        progress=lambda *a: seen.append(a),
    )
    assert written.households == HOUSEHOLDS - 1
    assert {(Path(row.file).name, row.field) for row in written.bad_rows} == {
        ("households-00001.jsonl", "json"),
        ("facts-00001.jsonl", "household_id"),  # the facts of the household that could not be read
    }
    assert seen[-1] == (HOUSEHOLDS - 1, HOUSEHOLDS)
    expected = [fact.to_dict() for fact in _facts(county, "2017-01") if fact.household_id != lost]
    assert list(fact_records(written.path)) == expected


def _event(fact: Fact) -> tuple[object, ...]:
    """What makes an event one: its kind, household and month (and member, for one of a household's
    school enrolments)."""
    key: tuple[object, ...] = (fact.kind, fact.household_id, fact.date.year, fact.date.month)
    return (*key, fact.member_id) if isinstance(fact, SchoolEnrolled) else key


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def test_a_month_after_the_population_repeats_none_of_its_events(tmp_path: Path) -> None:
    """The counties of the pages: a year's (docs/monitoring.md) got 29 late reports in January, all of
    2016's months and 25 of them a second event of a kind, household and month the population holds;
    a one-month county got a second January income of DZ0000294 in February's file (2,578 beside 12,306)."""
    year = generate_population(tmp_path / "year", households=3000, seed=1, processes=1)
    held = {_event(fact) for record in year.iter_records() for fact in record.facts}
    january = _facts(year, "2017-01")
    assert len(january) > 1800
    assert [fact for fact in january if fact.date < AFTER] == []
    february = _facts(year, "2017-02")
    late = [fact for fact in february if fact.date < dt.date(2017, 2, 1)]
    assert late
    assert all(f"{fact.date:%Y-%m}" == "2017-01" for fact in late)
    assert not {_event(fact) for fact in [*january, *february]} & held

    one = generate_population(tmp_path / "one", households=300, seed=5, months=1, processes=1)
    for late_share in (0.02, 0.5):
        february = _facts(one, "2016-02", shares=MonthlyShares(late_share=late_share))
        assert len(february) > 50
        assert [fact for fact in february if fact.date < dt.date(2016, 2, 1)] == []
        assert not {_event(fact) for fact in february} & {_event(f) for r in one.iter_records() for f in r.facts}


def test_data_of_ones_own_is_covered_up_to_each_households_last_fact(
    history: dict[str, tuple[Household, list[Fact]]], tmp_path: Path
) -> None:
    """With no generator in the manifest, a household's months are those up to its last fact: a household
    whose facts stop in June gets its July events (late ones too), one with a year of facts none of
    2016, and one with no fact every month's."""
    july = dt.date(2016, 7, 1)
    items = []
    for number, (household, facts) in enumerate(list(history.values())[:120]):
        if number % 3 == 1:
            facts = [fact for fact in facts if fact.date < july]
        elif number % 3 == 2:
            facts = []
        items.append((household, facts))
    own = write_population(tmp_path / "own", items)
    assert own.generator is None
    last = {household.id: max((fact.date for fact in facts), default=None) for household, facts in items}
    held = {_event(fact) for _, facts in items for fact in facts}
    shares = MonthlyShares(late_share=0.5)
    delivered: set[tuple[object, ...]] = set()
    months = [dt.date(2016, 7, 1), dt.date(2016, 8, 1), dt.date(2016, 9, 1), dt.date(2017, 1, 1)]
    late: collections.Counter[str] = collections.Counter()
    for month in months:
        for fact in _facts(own, f"{month:%Y-%m}", seed=9, shares=shares):
            ended = last[fact.household_id]
            assert ended is None or _month_index(fact.date) > _month_index(ended)
            assert _event(fact) not in held
            assert _event(fact) not in delivered
            delivered.add(_event(fact))
            if fact.date < month:
                late["none" if ended is None else "june"] += 1
    assert late["june"] > 0
    assert late["none"] > 0


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    households=st.integers(1, 40),
    start=st.dates(dt.date(2015, 1, 1), dt.date(2018, 12, 28)).filter(lambda day: day.day <= 28),
    months=st.integers(1, 5),
    gap=st.integers(0, 2),
    run=st.integers(1, 5),
    late_share=st.sampled_from([0.02, 0.3, 1.0]),
)
def test_no_event_is_delivered_twice_by_a_population_and_a_run_of_months(
    seed: int, households: int, start: dt.date, months: int, gap: int, run: int, late_share: float
) -> None:
    """A generated population of ``months`` months from ``start``, then the files of ``run`` consecutive
    months from ``gap`` months after its last: no event (kind, household, month) is in two of them, and
    every late report is of a month the population does not cover."""
    first = _month_index(start)
    end = dt.date(start.year + (start.month - 1 + months) // 12, (start.month - 1 + months) % 12 + 1, start.day)
    last = _month_index(end - dt.timedelta(days=1))  # the population's last month: start.day may be past the 1st
    shares = MonthlyShares(late_share=late_share)
    with tempfile.TemporaryDirectory() as where:
        folder = Path(where)
        population = generate_population(
            folder / "county", households=households, seed=seed, start=start, months=months, processes=1
        )
        facts = [fact for record in population.iter_records() for fact in record.facts]
        assert all(first <= _month_index(fact.date) <= last for fact in facts)
        held = {_event(fact) for fact in facts}
        delivered: set[tuple[object, ...]] = set()
        for number in range(last + 1 + gap, last + 1 + gap + run):
            month = dt.date(number // 12, number % 12 + 1, 1)
            written = next_month(population, month, folder / f"{month:%Y-%m}.jsonl", seed=seed, shares=shares)
            for record in fact_records(written.path):
                fact = parse_fact(record)
                assert _event(fact) not in held, fact
                assert _event(fact) not in delivered, fact
                delivered.add(_event(fact))
                assert number - 3 <= _month_index(fact.date) <= number
                if fact.date < month:  # a late report
                    assert _month_index(fact.date) > last, fact
        with pytest.raises(PopulationError, match="one of the population's months"):
            next_month(population, dt.date(last // 12, last % 12 + 1, 1), folder / "covered.jsonl", seed=seed)
