"""Decisions as messages: a key and its values that render in English and Chinese, the Chinese
catalogue that translates every key and term the library registers (its committed ``.mo`` the
``.po`` compiled), and decisions of the shipped policies rendering in both languages."""

from __future__ import annotations

import ast
import datetime as dt
import gettext
import io
import pickle
import re
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relapse_guard import Engine, load_policy
from relapse_guard import message_keys as keys
from relapse_guard.decisions import Decision, DecisionKind, Declined, Grant, Risk, Severity
from relapse_guard.i18n import catalogue_path
from relapse_guard.messages import (
    UNTRANSLATED,
    Join,
    Message,
    Term,
    as_message,
    label,
    message_from_dict,
    placeholders,
    registered_keys,
    registered_terms,
    render,
    render_stored,
)
from relapse_guard.testing.strategies import histories

from .factories import yubei_household as _household

SOURCE = Path(__file__).resolve().parents[1] / "src" / "relapse_guard"
ZH = "zh-CN"
POLICIES = ["yubei_2016", "dazu_2016", "bishan_2016", "chongqing_2016"]


def _catalogue() -> dict[str, str]:
    """The Chinese catalogue of decisions as the library loads it: msgid -> msgstr."""
    with catalogue_path("decisions", ZH).open("rb") as file:
        translations = gettext.GNUTranslations(file)
    return {str(msgid): str(msgstr) for msgid, msgstr in translations._catalog.items() if msgid}  # type: ignore[attr-defined]


CATALOGUE = _catalogue()


def _sample(name: str) -> Message | str:
    """A value for placeholder ``name``: a number, a date, or a nested message."""
    if name in ("reason", "why", "basis", "what", "text", "owed", "term", "about", "sized", "sizing", "span"):
        return Message(keys.NO_INCOME_YET)
    if name in ("date", "day", "starts", "ends", "since", "due", "start", "end", "first", "last"):
        return "2016-01-04"
    return "42"


# --- the catalogue ------------------------------------------------------------------------


def test_every_registered_key_and_term_is_translated() -> None:
    missing = [key for key in [*registered_keys(), *registered_terms()] if not CATALOGUE.get(key)]
    assert missing == [], "run python docs/tools/decisions_catalogue.py and translate the new entries"


def test_the_catalogue_has_nothing_the_library_does_not_register() -> None:
    registered = set(registered_keys()) | set(registered_terms())
    assert sorted(set(CATALOGUE) - registered) == []


def test_the_committed_mo_is_the_po_compiled() -> None:
    babel = pytest.importorskip("babel.messages.pofile", reason="compiling the catalogue needs babel")
    from babel.messages.mofile import write_mo

    with catalogue_path("decisions", ZH, ".po").open("rb") as file:
        catalog = babel.read_po(file, locale="zh_CN", domain="decisions")
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    committed = catalogue_path("decisions", ZH, ".mo").read_bytes()
    assert compiled.getvalue() == committed, "decisions.mo is stale: run python docs/tools/decisions_catalogue.py"


@pytest.mark.parametrize("key", sorted(registered_keys()))
def test_every_key_renders_in_both_languages_with_its_placeholders(key: str) -> None:
    translation = CATALOGUE[key]
    assert set(placeholders(translation)) == set(placeholders(key)), "a placeholder lost or added in translation"
    message = Message.named(key, **{name: _sample(name) for name in placeholders(key)})
    english, chinese = message.render("en"), message.render(ZH)
    assert english == message.english() == str(message)
    assert chinese != english
    assert "{" not in chinese.replace("{{", "")


@pytest.mark.parametrize("term", sorted(registered_terms()))
def test_every_term_has_a_chinese_label(term: str) -> None:
    assert label(term) == term
    assert label(term, ZH) not in ("", term)


def test_every_key_the_code_names_is_registered() -> None:
    """Each ``Message(...)`` of the library names its key by a registered constant, never by a
    literal: the registry (what the catalogue must translate) cannot miss a key."""
    defined = {name for name, value in vars(keys).items() if isinstance(value, str) and value in registered_keys()}
    wrong = []
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Message"):
                continue
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant | ast.JoinedStr):
                wrong.append(f"{path.name}:{node.lineno}: a literal key")
            elif isinstance(first, ast.Attribute) and first.attr not in defined:
                wrong.append(f"{path.name}:{node.lineno}: keys.{first.attr} is not a registered key")
    assert wrong == []


def test_the_translator_of_each_language() -> None:
    assert render(Message(keys.INCOME_BELOW_LINE, Decimal(2000), Decimal(3000)), ZH) == "人均收入 2000 低于贫困线 3000"
    assert label("safety_net", ZH) == "低保"
    assert label("temporary_relief", ZH) == "临时救助"
    assert label("monitoring threshold", ZH) == "监测标准"
    assert label("relapsed", "zh_CN.UTF-8") == "返贫"


# --- messages -----------------------------------------------------------------------------


def test_values_by_position_or_by_name_are_one_message() -> None:
    by_position = Message(keys.INCOME_BELOW_LINE, Decimal("3790.50"), Decimal(4000))
    by_name = Message.named(keys.INCOME_BELOW_LINE, line=Decimal(4000), income=Decimal("3790.50"))
    assert by_position == by_name
    assert hash(by_position) == hash(by_name)
    assert by_position.values == (("income", "3790.50"), ("line", "4000"))
    assert by_position.get("line") == Decimal(4000)
    assert by_position.get("nothing") is None
    assert by_position.english() == "income per capita 3790.50 < poverty line 4000"


def test_nested_values_render_first_in_the_language() -> None:
    reason = Message(keys.INCOME_BELOW_LINE, Decimal(2000), Decimal(3000))
    refused = Message(keys.EXIT_REFUSED, reason)
    assert refused.english() == "exit refused: income per capita 2000 < poverty line 3000"
    assert refused.render(ZH) == "不予脱贫退出：人均收入 2000 低于贫困线 3000"
    needs = Message(keys.NEEDS_NOT_SECURED, Join([Term("safe_water"), Term("medical_cover")], ", "))
    assert needs.english() == "basic needs not secured: safe_water, medical_cover"
    assert needs.render(ZH) == "基本需求未保障：饮水安全、基本医疗"


def test_plain_text_is_an_untranslated_message() -> None:
    said = as_message("my own rule: income {under} the dibao edge")
    assert said.key == UNTRANSLATED
    assert said.render("en") == said.render(ZH) == "my own rule: income {under} the dibao edge"
    assert as_message(said) is said


def test_a_key_the_catalogue_lacks_renders_in_english() -> None:
    own = Message.named("income {income} vs the dibao edge {edge}", income="3000", edge="3200")
    assert own.render(ZH) == own.english() == "income 3000 vs the dibao edge 3200"
    assert Term("my_own_scheme").render(ZH) == "my_own_scheme"


def test_a_message_and_its_json_form_go_both_ways() -> None:
    message = Message(
        keys.RISK_FOUND,
        Term("illness"),
        Term("high"),
        Join([Message(keys.EVIDENCE_ITEM, Term("hospitalised"), Term("yes"))], "; "),
    )
    data = message.to_dict()
    assert data["values"]["kind"] == {"term": "illness"}
    assert data["values"]["evidence"]["join"] == "; "
    again = message_from_dict(data)
    assert again == message
    assert again.render(ZH) == message.render(ZH) == "因病（高）：住院：是"


def test_messages_pickle() -> None:
    message = Message(keys.EXIT_REFUSED, Message(keys.NEED_BROKEN, Join([Term("safe_water")], ", ")))
    again = pickle.loads(pickle.dumps(message))
    assert again == message
    assert again.render(ZH) == message.render(ZH)
    assert type(pickle.loads(pickle.dumps(Term("illness")))) is Term


def test_counts_say_their_noun_as_english_does() -> None:
    assert keys.count(1, "member").english() == "1 member"
    assert keys.count(3, "member").english() == "3 members"
    assert keys.count(1200, "month", grouped=True).english() == "1,200 months"
    assert keys.count(3, "member").render(ZH) == "3 人"


# --- decisions, grants, risks, declines -----------------------------------------------------


def _decision(**changes: object) -> Decision:
    fields: dict[str, object] = {
        "sequence": 0,
        "household_id": "H1",
        "date": dt.date(2016, 1, 4),
        "kind": DecisionKind.TRANSITION,
        "rule": "identification.income_below_line",
        "message": Message(keys.INCOME_BELOW_LINE, Decimal(3900), Decimal(4000)),
        "facts": ("f1",),
    }
    fields.update(changes)
    return Decision(**fields)  # type: ignore[arg-type]


def test_a_decision_says_its_message_in_either_language() -> None:
    decision = _decision()
    assert decision.explanation == "income per capita 3900 < poverty line 4000"
    assert decision.render() == decision.explanation
    assert decision.render(ZH) == "人均收入 3900 低于贫困线 4000"
    assert decision.explain() == (
        "2016-01-04 transition [identification.income_below_line] income per capita 3900 < poverty line 4000"
        " | facts: f1"
    )
    assert (
        decision.explain(ZH)
        == "2016-01-04 状态转换【identification.income_below_line】人均收入 3900 低于贫困线 4000 | 依据事实：f1"
    )
    data = decision.to_dict()
    assert data["explanation"] == decision.explanation
    assert data["message"] == {"key": keys.INCOME_BELOW_LINE, "values": {"income": "3900", "line": "4000"}}
    assert data["margins"] == []
    assert render_stored(data, ZH) == decision.render(ZH)


def test_a_decision_given_plain_text_reads_the_same_in_every_language() -> None:
    decision = _decision(message=None, explanation="our own rule held")
    assert decision.explanation == decision.render(ZH) == "our own rule held"
    assert decision.message == as_message("our own rule held")
    assert decision.to_dict()["message"] == {"key": UNTRANSLATED, "values": {"text": "our own rule held"}}


def test_a_decision_stored_before_messages_renders_its_explanation() -> None:
    stored = {k: v for k, v in _decision().to_dict().items() if k not in ("message", "margins")}
    stored["explanation"] = "as the older version wrote it"
    assert render_stored(stored, ZH) == render_stored(stored) == "as the older version wrote it"


def test_a_grant_keeps_its_basis_as_a_message() -> None:
    basis = Message(keys.FUNDS_PER_HOUSEHOLD, "2000.00", "2000.00")
    grant = Grant(intervention="industry_funds", household_id="H1", date=dt.date(2016, 1, 4), risk_key="k", basis=basis)
    assert grant.basis == "2000.00 per household = 2000.00 one-off"
    assert grant.basis_message.render(ZH) == "每户 2000.00 = 一次性 2000.00"
    same_in_english = Grant(
        intervention="industry_funds", household_id="H1", date=dt.date(2016, 1, 4), risk_key="k", basis=grant.basis
    )
    assert grant == same_in_english  # as a checkpoint gives it back
    assert hash(grant) == hash(same_in_english)
    assert grant.with_term(starts=None, ends=None, prorated=False).basis_message == basis
    assert grant.to_dict()["basis"] == grant.basis


def test_a_risk_reads_its_reason_in_english_and_keeps_the_message() -> None:
    reason = Message(keys.COST_OVER_ALERT, Decimal(9000), Decimal(6000), Term("households on file"))
    risk = Risk(
        kind="illness",
        household_id="H1",
        date=dt.date(2017, 4, 3),
        severity=Severity.HIGH,
        trigger="illness",
        fact_id="f1",
        key="k",
        evidence=(("hospitalised", "yes"), ("reason", reason)),
    )
    assert risk.get("reason") == "self-paid cost 9000 > alert amount 6000 for households on file"
    assert risk.evidence == (("hospitalised", "yes"), ("reason", risk.get("reason")))
    assert risk == attrs.evolve(risk, evidence=risk.evidence)  # as a checkpoint gives it back
    assert risk.message().render(ZH) == ("因病（高）：住院：是；理由：个人自付费用 9000 超过已建档户预警金额 6000")
    assert risk.to_dict()["evidence"] == [["hospitalised", "yes"], ["reason", risk.get("reason")]]


def test_a_decline_reads_its_reason_in_english() -> None:
    declined = Declined(Message(keys.HOUSE_SUBSIDISED, dt.date(2016, 7, 10)))
    assert declined.reason == "already granted on 2016-07-10: no house is subsidised twice"
    assert declined == Declined(declined.reason)
    assert declined.message.render(ZH) == "已于 2016-07-10 给予：同一房屋不重复补助"
    assert Declined("plain").message == as_message("plain")


# --- the shipped policies -------------------------------------------------------------------


def _keys_in(value: object) -> list[str]:
    if isinstance(value, Message):
        return [value.key, *(key for nested in value.args for key in _keys_in(nested))]
    if isinstance(value, Join):
        return [key for item in value.items for key in _keys_in(item)]
    return []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), name=st.sampled_from(POLICIES), size=st.integers(1, 5), workers=st.integers(0, 2))
def test_every_decision_of_the_shipped_policies_renders_in_both_languages(
    data: st.DataObject, name: str, size: int, workers: int
) -> None:
    """Over generated histories: each decision's English rendering is its explanation, its
    Chinese one renders without a placeholder left, and every key it uses is registered."""
    policy = load_policy(name)
    household = _household(size, min(workers, size))
    facts = data.draw(histories(household, dt.date(2015, 1, 1), dt.date(2018, 12, 31), policy=policy))
    result = Engine(policy).run(household, facts, as_of=dt.date(2018, 12, 31))
    registered = registered_keys()
    for decision in result.decisions:
        message = decision.message
        assert message.render("en") == decision.explanation
        chinese = decision.render(ZH)
        assert chinese
        assert not re.search(r"\{[a-z_]+\}", chinese), chinese
        assert decision.explain(ZH).startswith(decision.date.isoformat())
        assert [key for key in _keys_in(message) if key not in registered] == []
        assert message.key != UNTRANSLATED  # the shipped policies' decisions are all translated
        assert chinese != decision.explanation
