"""A fact's stored form: the generated encoders write exactly ``canonical_json(fact.to_dict())``."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relapse_guard.fact_plans import NOT_FAST
from relapse_guard.facts import (
    DEFAULT_FACT_KINDS,
    CaseDecided,
    CaseOpened,
    CaseStepRecorded,
    Fact,
    FactCorrected,
    IncomeAssessed,
    Source,
)
from relapse_guard.store.codec import canonical_json, encode_fact, fact_encoder, record_reader

from .strategies import histories, households

D = dt.date(2016, 3, 1)


def via_dict(fact: Fact) -> str:
    return canonical_json(fact.to_dict())


@settings(max_examples=150)
@given(data=st.data())
def test_every_fact_kind_is_encoded_as_its_dict_would_be(data: st.DataObject) -> None:
    household = data.draw(households())
    for fact in data.draw(histories(household)):
        assert encode_fact(fact) == via_dict(fact)


@given(
    text=st.text(max_size=20).filter(lambda t: t.strip() == t != ""),  # an id: no spaces around it
    optional=st.none() | st.text(max_size=10),
)
def test_case_facts_and_any_text_are_encoded_as_their_dict_would_be(text: str, optional: str | None) -> None:
    common: dict[str, Any] = {"id": text, "household_id": text, "date": D}
    for fact in (
        CaseOpened(**common, case_id=text, procedure="identification", reason=text, risk_key=optional),
        CaseStepRecorded(**common, case_id="c", step=text, outcome="approve", actor=text),
        CaseDecided(**common, case_id="c", procedure=text, outcome="approved", risk_key=optional),
    ):
        assert encode_fact(fact) == via_dict(fact)


class Colour(enum.Enum):
    RED = 1
    BLUE = 2


class Tag(enum.StrEnum):
    A = "a%"
    B = 'b"{}'


@attrs.frozen(kw_only=True)
class Odd(Fact):
    """A fact kind with fields of every shape the encoder meets, and a kind name to escape."""

    kind: ClassVar[str] = 'odd "100%" {kind}\n'
    note: str | None = None
    colour: Colour = Colour.RED
    tags: frozenset[Tag] = frozenset()
    amount: Decimal | None = None
    flag: bool = False


class Shouting(str):
    pass


class LaterDate(dt.date):
    def isoformat(self) -> str:
        return "later"


def test_other_fact_kinds_and_values_set_around_the_validators_are_encoded_as_their_dict_would_be() -> None:
    odd = Odd(
        id="o1",
        household_id="H1",
        date=D,
        note='quote " backslash \\ tab \t ünïcode 中文 %s {x}',
        colour=Colour.BLUE,
        tags=frozenset({Tag.B, Tag.A}),
        amount=Decimal("12.50"),
        flag=True,
    )
    plain = IncomeAssessed(id="f1", household_id="H1", date=D, income_per_capita=Decimal("3000.00"))
    facts: list[Fact] = [odd, Odd(id="o2", household_id="H1", date=D), plain]
    for field, value in [
        ("id", Shouting("f1")),
        ("date", LaterDate(2016, 3, 1)),
        ("date", dt.datetime(2016, 3, 1, 12, 30)),
        ("income_per_capita", 3000),
        ("source", "visit"),
    ]:
        changed = attrs.evolve(plain)
        object.__setattr__(changed, field, value)
        facts.append(changed)
    odd_tags = attrs.evolve(odd)
    object.__setattr__(odd_tags, "tags", frozenset({"a%", Tag.B}))
    facts.append(odd_tags)
    for fact in facts:
        assert encode_fact(fact) == via_dict(fact), fact


def test_a_class_with_its_own_to_dict_is_encoded_through_it() -> None:
    @attrs.frozen(kw_only=True)
    class Own(Fact):
        kind: ClassVar[str] = "own"

        def to_dict(self) -> dict[str, Any]:
            return {"kind": "own", "id": self.id, "extra": [1, 2]}

    fact = Own(id="x", household_id="H", date=D)
    assert encode_fact(fact) == '{"extra":[1,2],"id":"x","kind":"own"}'


@pytest.mark.parametrize(
    "cls",
    [*(cls for cls in DEFAULT_FACT_KINDS.by_kind.values() if cls is not FactCorrected), Odd],
    ids=lambda cls: cls.__name__,
)
def test_every_shipped_kind_and_the_odd_one_have_generated_encoders(cls: type[Fact]) -> None:
    # the tests above compare the generated code, not the fallback through to_dict
    assert fact_encoder(cls).__name__ == "encode"


def test_a_correction_holding_a_whole_fact_is_encoded_through_to_dict() -> None:
    first = IncomeAssessed(id="f1", household_id="H1", date=D, income_per_capita=Decimal(1))
    fixed = FactCorrected(id="c1", household_id="H1", date=D, corrects="f1", replacement=first)
    assert fact_encoder(FactCorrected).__name__ == "_encode_via_dict"
    assert encode_fact(fixed) == canonical_json(fixed.to_dict())


def test_the_source_enum_is_written_by_its_value() -> None:
    fact = IncomeAssessed(id="f1", household_id="H1", date=D, income_per_capita=Decimal(1), source=Source.SELF_DECLARED)
    assert '"source":"self_declared"' in encode_fact(fact)


# --- reading a record straight to what is stored ----------------------------------------------

perturbed = st.sampled_from([None, "", " ", -1, 1.5, "2016-02-30", ["nope"], "A", True, "3456.78", 3000, "x" * 300])


@settings(max_examples=200)
@given(data=st.data())
def test_a_record_reader_gives_what_parsing_and_encoding_give_or_leaves_the_record_to_them(
    data: st.DataObject,
) -> None:
    household = data.draw(households())
    for fact in data.draw(histories(household)):
        record = fact.to_dict()
        if data.draw(st.booleans(), label="perturb"):
            field = data.draw(st.sampled_from([*record, "extra"]), label="field")
            record[field] = data.draw(perturbed, label="value")
        kind = record.get("kind")
        cls = DEFAULT_FACT_KINDS.by_kind.get(kind) if isinstance(kind, str) else None
        if cls is None:
            continue  # the store reads a record with the reader of its kind, and only then
        reader = record_reader(cls)
        assert reader is not None
        try:
            read = reader(record)
        except NOT_FAST:
            continue  # parsed the usual way
        parsed = DEFAULT_FACT_KINDS.parse(record)
        assert read == (parsed.id, parsed.household_id, parsed.date.isoformat(), encode_fact(parsed))


def test_a_record_reader_leaves_values_it_would_not_write_itself_to_the_usual_way() -> None:
    reader = record_reader(IncomeAssessed)
    assert reader is not None
    record = IncomeAssessed(id="f1", household_id="H1", date=D, income_per_capita=Decimal(1)).to_dict()
    assert reader(record)[3] == encode_fact(DEFAULT_FACT_KINDS.parse(record))
    for value in (LaterDate(2016, 3, 1), dt.datetime(2016, 3, 1)):
        with pytest.raises(NOT_FAST):
            reader(record | {"date": value})
    with pytest.raises(NOT_FAST):
        reader(record | {"extra": 1})


def test_kinds_without_a_fast_builder_have_no_record_reader() -> None:
    @attrs.frozen(kw_only=True)
    class Checked(Fact):
        kind: ClassVar[str] = "checked_kind"

        def __attrs_post_init__(self) -> None:
            super().__attrs_post_init__()

    assert record_reader(Checked) is None
    assert record_reader(Odd) is not None


def test_what_an_earlier_version_stored_is_read_as_stored() -> None:
    # An id with spaces around it and an amount of "-0" were accepted and stored before input
    # refused them: a store holding them must still be read (a cycle, an explanation).
    import datetime as dt

    from relapse_guard.bounds import STORED
    from relapse_guard.errors import InvalidFact, InvalidHousehold
    from relapse_guard.facts import parse_fact
    from relapse_guard.household import Household
    from relapse_guard.monitoring import Monitor
    from relapse_guard.store import MemoryStore

    home = {"id": " PAD1", "place": {"district": "Yubei"}, "members": [{"id": "m1", "birth_date": "1970-01-01"}]}
    record = {
        "kind": "income_assessed",
        "id": "x1",
        "household_id": " PAD1",
        "date": "2016-03-01",
        "income_per_capita": "-0",
    }
    with pytest.raises(InvalidHousehold):
        Household.from_dict(home)
    with pytest.raises(InvalidFact):
        parse_fact(record)
    store = MemoryStore()
    token = STORED.set(True)  # as an earlier version stored them
    try:
        store.put_household(Household.from_dict(home))
        assert store.ingest([record]).stored == 1
    finally:
        STORED.reset(token)
    assert [fact.id for fact in store.facts(" PAD1")] == ["x1"]
    report = Monitor(store, "yubei_2016").cycle([], as_of=dt.date(2016, 3, 31))
    assert (report.rescreened, report.problems) == (1, ())
