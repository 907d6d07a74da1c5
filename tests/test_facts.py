from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapse_guard import Fact, HouseAppraised, IllnessReported, IncomeAssessed, SchoolEnrolled
from relapse_guard.errors import InvalidFact, InvalidPlugin, InvalidPolicy, WrongType
from relapse_guard.facts import (
    DEFAULT_FACT_KINDS,
    BasicNeed,
    BasicNeedsChecked,
    FactKinds,
    HousingGrade,
    Source,
    parse_fact,
)
from relapse_guard.household import Schooling


def income(**kw: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": "income_assessed",
        "id": "f1",
        "household_id": "h1",
        "date": "2016-03-01",
        "income_per_capita": "3500.50",
    }
    data.update(kw)
    return data


def test_parse_income() -> None:
    fact = parse_fact(income(source="department"))
    assert isinstance(fact, IncomeAssessed)
    assert fact.income_per_capita == Decimal("3500.50")
    assert fact.date == dt.date(2016, 3, 1)
    assert fact.source is Source.DEPARTMENT


def test_negative_income_names_household_field_value() -> None:
    with pytest.raises(InvalidFact) as info:
        parse_fact(income(income_per_capita=-1))
    error = info.value
    assert (error.household_id, error.field, error.value, error.fact_id) == ("h1", "income_per_capita", -1, "f1")
    assert "household 'h1'" in str(error)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "nope"}, "kind"),
        ({"date": "2016-13-01"}, "date"),
        ({"income_per_capita": 1.5}, "income_per_capita"),
        ({"income_per_capita": "abc"}, "income_per_capita"),
        ({"income_per_capita": True}, "income_per_capita"),
        ({"source": "rumour"}, "source"),
        ({"extra": 1}, "extra"),
        ({"id": ""}, "id"),
        ({"household_id": 7}, "household_id"),
    ],
)
def test_bad_values_raise_typed_error_naming_field(change: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidFact) as info:
        parse_fact(income(**change))
    assert info.value.field == field


def test_an_unknown_kind_suggests_the_closest_known_one() -> None:
    with pytest.raises(InvalidFact, match=r"school_enrolled \(did you mean income_assessed\?\)$") as info:
        parse_fact(income(kind="income_asessed"))
    assert (info.value.field, info.value.value) == ("kind", "income_asessed")
    with pytest.raises(InvalidFact) as far:
        parse_fact(income(kind="drought"))
    assert "did you mean" not in str(far.value)


def test_missing_field() -> None:
    data = income()
    del data["income_per_capita"]
    with pytest.raises(InvalidFact, match="is missing") as info:
        parse_fact(data)
    assert info.value.field == "income_per_capita"


def test_constructing_in_python_validates_and_normalises() -> None:
    fact = IncomeAssessed(id="a", household_id="h", date=dt.date(2016, 1, 1), income_per_capita=3000)  # type: ignore[arg-type]
    assert isinstance(fact.income_per_capita, Decimal)
    with pytest.raises(InvalidFact, match="income_per_capita"):
        IncomeAssessed(id="a", household_id="h", date=dt.date(2016, 1, 1), income_per_capita=Decimal(-1))
    with pytest.raises(InvalidFact, match="date"):
        IncomeAssessed(id="a", household_id="h", date=dt.datetime(2016, 1, 1), income_per_capita=Decimal(1))


def test_member_id_is_redacted_in_errors() -> None:
    with pytest.raises(InvalidFact) as info:
        parse_fact(
            {
                "kind": "illness_reported",
                "id": "f",
                "household_id": "h",
                "date": "2016-01-01",
                "member_id": "500112198001011234",
                "self_paid_cost": "-3",
            }
        )
    assert "500112198001011234" not in str(info.value)
    with pytest.raises(InvalidFact) as info:
        IllnessReported(
            id="f",
            household_id="h",
            date=dt.date(2016, 1, 1),
            member_id=500112198001011234,  # type: ignore[arg-type]
            self_paid_cost=Decimal(1),
        )
    assert "500112198001011234" not in str(info.value)


def test_facts_are_immutable() -> None:
    fact = parse_fact(income())
    with pytest.raises(AttributeError):
        fact.date = dt.date(2020, 1, 1)  # type: ignore[misc]


def test_same_day_order_observes_before_deciding() -> None:
    day = dt.date(2016, 1, 1)
    orders = {cls.kind: cls.order for cls in DEFAULT_FACT_KINDS.by_kind.values()}
    assert orders["house_appraised"] < orders["income_assessed"] < orders["illness_reported"]
    assert orders["illness_reported"] < orders["assistance_granted"] < orders["exit_verified"]
    a = HouseAppraised(id="z", household_id="h", date=day, grade=HousingGrade.C)
    b = IncomeAssessed(id="a", household_id="h", date=day, income_per_capita=Decimal(1))
    assert sorted([b, a], key=Fact.sort_key) == [a, b]


def test_custom_fact_kind_registers_without_touching_defaults() -> None:
    import attrs

    @attrs.frozen(kw_only=True)
    class CropFailure(Fact):
        kind = "crop_failure"
        loss: Decimal

    kinds = DEFAULT_FACT_KINDS.with_kind(CropFailure)
    fact = kinds.parse({"kind": "crop_failure", "id": "c", "household_id": "h", "date": "2016-08-01", "loss": "800"})
    assert isinstance(fact, CropFailure)
    assert "crop_failure" not in DEFAULT_FACT_KINDS
    with pytest.raises(ValueError, match="already"):
        kinds.with_kind(CropFailure)
    assert isinstance(FactKinds().by_kind, dict)


@attrs.frozen(kw_only=True)
class Harvest(Fact):
    """A fact class that forgets its own kind: it inherits Fact's."""

    tonnes: Decimal


@attrs.frozen(kw_only=True)
class Measured(Fact):
    kind: ClassVar[str] = "measured"
    share: float


def test_a_fact_class_without_a_kind_of_its_own_is_refused_saying_what_to_add() -> None:
    # It was registered under "fact": check passed, and every "harvest" row was refused.
    with pytest.raises(InvalidPlugin) as refused:
        DEFAULT_FACT_KINDS.with_kind(Harvest)
    assert str(refused.value) == (
        "fact class Harvest has no kind of its own (it inherits 'fact'): add kind: ClassVar[str] = 'harvest', "
        "the name its records give as kind"
    )
    assert isinstance(refused.value, InvalidPolicy)

    @attrs.frozen(kw_only=True)
    class LateIncome(IncomeAssessed):  # a subclass of a registered kind, its kind not changed
        pass

    with pytest.raises(InvalidPlugin, match=r"^fact class .*LateIncome has no kind of its own \(it inherits "):
        DEFAULT_FACT_KINDS.with_kind(LateIncome)


@pytest.mark.parametrize("given", [dict, "crop_failure", Decimal], ids=repr)
def test_with_kind_refuses_what_is_not_a_fact_class(given: Any) -> None:
    with pytest.raises(WrongType, match=r"^with_kind needs a fact class \(a subclass of relapse_guard.facts.Fact\), "):
        DEFAULT_FACT_KINDS.with_kind(given)


def test_a_fact_field_of_a_type_facts_cannot_hold_names_the_class_and_field_and_what_to_use() -> None:
    # It was "TypeError: fact field type <class 'float'> is not supported".
    message = (
        "fact class Measured: field 'share' is of type float, which a fact cannot hold; use Decimal: amounts "
        "and shares are exact (Decimal('0.5'), not 0.5)"
    )
    with pytest.raises(WrongType) as made:
        Measured(id="m", household_id="h", date=dt.date(2016, 1, 1), share=0.5)
    assert str(made.value) == message
    assert isinstance(made.value, TypeError)
    with pytest.raises(WrongType) as registered:
        DEFAULT_FACT_KINDS.with_kind(Measured)
    assert str(registered.value) == message

    @attrs.frozen(kw_only=True)
    class Tagged(Fact):
        kind: ClassVar[str] = "tagged"
        tags: list[str] | None = None

    with pytest.raises(
        WrongType, match=r"field 'tags' is of type list\[str\] \| None, which a fact cannot hold; use str, "
    ):
        DEFAULT_FACT_KINDS.with_kind(Tagged)


_amounts = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False)
_dates = st.dates(min_value=dt.date(2010, 1, 1), max_value=dt.date(2030, 12, 31))
_ids = st.text(alphabet="abcdefgh0123456789-", min_size=1, max_size=12)


@st.composite
def any_fact(draw: st.DrawFn) -> Fact:
    base = {"id": draw(_ids), "household_id": draw(_ids), "date": draw(_dates), "source": draw(st.sampled_from(Source))}
    return draw(
        st.one_of(
            st.builds(IncomeAssessed, income_per_capita=_amounts, **{k: st.just(v) for k, v in base.items()}),
            st.builds(
                IllnessReported,
                member_id=_ids,
                self_paid_cost=_amounts,
                hospitalised=st.booleans(),
                **{k: st.just(v) for k, v in base.items()},
            ),
            st.builds(
                SchoolEnrolled,
                member_id=_ids,
                level=st.sampled_from(Schooling),
                annual_cost=_amounts,
                **{k: st.just(v) for k, v in base.items()},
            ),
            st.builds(
                BasicNeedsChecked,
                unmet=st.frozensets(st.sampled_from(BasicNeed)),
                **{k: st.just(v) for k, v in base.items()},
            ),
            st.builds(HouseAppraised, grade=st.sampled_from(HousingGrade), **{k: st.just(v) for k, v in base.items()}),
        )
    )


@given(any_fact())
def test_to_dict_parse_roundtrip(fact: Fact) -> None:
    import json

    data = json.loads(json.dumps(fact.to_dict()))
    assert parse_fact(data) == fact


@given(any_fact(), st.sampled_from(["income_per_capita", "date", "id", "grade", "unmet", "extra"]), st.data())
def test_parse_is_parse_field_by_field(fact: Fact, field: str, data: st.DataObject) -> None:
    """The fast path of FactKinds.parse gives the fact, or the error, of the field-by-field way."""
    record = fact.to_dict()
    assert DEFAULT_FACT_KINDS.parse(record) == DEFAULT_FACT_KINDS.parse_field_by_field(record) == fact
    record[field] = data.draw(st.sampled_from([None, "", " ", -1, 1.5, "2016-02-30", ["nope"], "A", True]))
    outcomes: list[tuple[str, object]] = []
    for parse in (DEFAULT_FACT_KINDS.parse, DEFAULT_FACT_KINDS.parse_field_by_field):
        try:
            outcomes.append(("fact", parse(record)))
        except InvalidFact as error:
            outcomes.append(("invalid", (error.household_id, error.fact_id, error.field, str(error))))
    assert outcomes[0] == outcomes[1]


class _Kind(str):
    pass


@given(any_fact(), st.sampled_from(["income_per_capita", "date", "id", "grade", "unmet", "extra", "kind"]), st.data())
def test_a_parser_parses_as_parse_does(fact: Fact, field: str, data: st.DataObject) -> None:
    """FactKinds.parser() gives the fact, or the error, that FactKinds.parse gives, for any record."""
    parse_many = DEFAULT_FACT_KINDS.parser()
    record = fact.to_dict()
    values = [None, "", -1, 1.5, "2016-02-30", ["nope"], "A", True, "no_such_kind", _Kind(fact.kind)]
    record[field] = data.draw(st.sampled_from(values))
    for shape in (record, tuple(record.items()), _Mapping(record)):
        outcomes: list[tuple[str, object]] = []
        for parse in (DEFAULT_FACT_KINDS.parse, parse_many):
            try:
                outcomes.append(("fact", parse(shape)))  # type: ignore[arg-type]
            except InvalidFact as error:
                outcomes.append(("invalid", (error.household_id, error.fact_id, error.field, str(error))))
        assert outcomes[0] == outcomes[1]


class _Mapping(Mapping[str, object]):
    """A mapping that is not a dict."""

    def __init__(self, data: dict[str, object]) -> None:
        self._data = data

    def __getitem__(self, key: str) -> object:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


def test_a_kind_with_its_own_checks_has_no_fast_plan() -> None:
    import attrs

    from relapse_guard.fact_plans import fact_plan

    @attrs.frozen(kw_only=True)
    class Checked(Fact):
        kind: ClassVar[str] = "checked"

        def __attrs_post_init__(self) -> None:
            super().__attrs_post_init__()

    assert fact_plan(IncomeAssessed) is not None
    assert fact_plan(Checked) is None


# --- amounts as text: plain ASCII digits only -------------------------------------------------

# (within the bound: at most 99,999.999 times 100)
_AMOUNT_GRAMMAR = r"[ ]{0,2}(?:[0-9]{1,5}(?:\.[0-9]{0,3})?|\.[0-9]{1,3})(?:[eE][+-]?[0-2])?[ ]{0,2}"


@given(st.from_regex(_AMOUNT_GRAMMAR, fullmatch=True))
def test_an_amount_in_plain_digits_reads_as_its_decimal(text: str) -> None:
    fact = parse_fact(_income_record(text))
    assert isinstance(fact, IncomeAssessed)
    assert fact.income_per_capita == Decimal(text.strip())


@given(
    st.from_regex(r"[0-9]{2,5}(?:\.[0-9]{1,2})?", fullmatch=True),
    st.sampled_from(["_", "\uff13", "\u0663", "-", "+", ",", "NaN", "\u00a0"]),
    st.data(),
)
def test_an_amount_with_anything_else_in_it_is_refused_naming_the_text(
    digits: str, odd: str, data: st.DataObject
) -> None:
    # an underscore, a full-width or Arabic-Indic digit, a sign, a thousands comma, NaN, a
    # no-break space inside
    where = data.draw(st.integers(1 if odd == "\u00a0" else 0, len(digits) - (odd == "\u00a0")))
    text = digits[:where] + odd + digits[where:]
    with pytest.raises(InvalidFact) as info:
        parse_fact(_income_record(text))
    assert info.value.field == "income_per_capita"
    assert repr(text) in str(info.value)
    assert "plain digits" in str(info.value)


def test_negative_zero_is_refused_as_text_and_as_a_decimal() -> None:
    for value in ("-0", Decimal("-0"), Decimal("-0.00")):
        with pytest.raises(InvalidFact, match="income_per_capita"):
            parse_fact(_income_record(value))


def _income_record(value: object) -> dict[str, object]:
    return {
        "kind": "income_assessed",
        "id": "f1",
        "household_id": "H1",
        "date": "2016-01-01",
        "income_per_capita": value,
    }
