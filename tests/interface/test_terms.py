"""One Chinese term for each state, risk kind, intervention, severity, decision kind and grant
period, whichever catalogue says it: the interface's (reports, ``whatif``, the cycle's alerts,
the glossary's labels) and the decisions' (``explain``, ``Result.explain``, the ``text`` of the
JSON form, the decisions a report or ``whatif`` quotes). ``docs/glossary.md`` is the list: each
catalogue's rendering of each name is read from the catalogue itself and compared with it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from relapse_guard.i18n import CHINESE, catalogue_path
from relapse_guard.interface_catalogue import read_catalogue
from relapse_guard.labels import LABELS, label
from relapse_guard.message_keys import STATES
from relapse_guard.messages import Join, Message, Term

GLOSSARY = Path(__file__).resolve().parents[2] / "docs" / "glossary.md"

#: The kinds of name both catalogues say, and the group the decisions' catalogue files each under
#: (its translator comment ``term: GROUP``).
SHARED_KINDS: Mapping[str, str] = {
    "state": "state",
    "risk": "risk kind",
    "intervention": "intervention",
    "severity": "severity",
    "decision": "decision kind",
    "period": "grant period",
    "responsible": "responsible unit",
    "review_name": "review name",
}

#: The kinds of name only the decisions' catalogue says (an alert names them, a risk's evidence the
#: kind of its hazard), and its group of each.
DECISIONS_KINDS: Mapping[str, str] = {
    "procedure": "case procedure",
    "case_step": "case step",
    "fact": "fact kind",
    "hazard": "hazard kind",
}


def glossary_terms(text: str) -> dict[tuple[str, str], str]:
    """``{(kind, code): 中文}`` of every table row of the glossary naming a code: a table headed
    ``| code | ... | 中文 |`` under a heading that names its kind (``(`state`)``), or a table
    headed ``| kind | code | ... | 中文 |``."""
    terms: dict[tuple[str, str], str] = {}
    heading_kind: str | None = None
    columns: list[str] = []
    for line in text.splitlines():
        if line.startswith("#"):
            found = re.search(r"\(`(\w+)`\)", line)
            heading_kind = found.group(1) if found else None
            columns = []
            continue
        if not line.startswith("|"):
            columns = []
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not columns:
            columns = cells
            continue
        if set(line) <= set("|-: "):
            continue
        row = dict(zip(columns, cells, strict=False))
        if "code" not in row or "中文" not in row:
            continue
        kind = row["kind"].strip("`") if "kind" in row else heading_kind
        if kind is None:
            continue
        code = row["code"].strip("`")
        assert (kind, code) not in terms, f"the glossary lists {kind} {code} twice"
        terms[(kind, code)] = row["中文"]
    return terms


GLOSSARY_TERMS = glossary_terms(GLOSSARY.read_text(encoding="utf-8"))


def _decisions_catalogue() -> Catalog:
    with catalogue_path("decisions", CHINESE, ".po").open("rb") as file:
        return read_po(file, locale="zh_CN", domain="decisions")


def decisions_terms() -> dict[tuple[str, str], str]:
    """``{(group, msgid): 中文}`` of every term of the decisions' catalogue, by its group."""
    terms = {}
    for message in _decisions_catalogue():
        groups = [comment.removeprefix("term: ") for comment in message.auto_comments if comment.startswith("term: ")]
        if groups and isinstance(message.id, str) and isinstance(message.string, str):
            (group,) = groups
            terms[(group, message.id)] = message.string
    return terms


def interface_terms() -> dict[tuple[str, str], str]:
    """``{(kind, msgid): 中文}`` of every label of the interface's catalogue (a message with a context)."""
    return {
        (message.context, message.id): message.string
        for message in read_catalogue()
        if message.context is not None and isinstance(message.id, str) and isinstance(message.string, str)
    }


DECISIONS = decisions_terms()
INTERFACE = interface_terms()


def test_the_glossary_is_read() -> None:
    assert GLOSSARY_TERMS[("state", "assisted")] == "帮扶中"
    assert GLOSSARY_TERMS[("severity", "high")] == "高"
    assert GLOSSARY_TERMS[("problem", "refused")] == "事实被拒绝"
    assert {kind for kind, _ in GLOSSARY_TERMS} >= set(SHARED_KINDS)


def test_a_term_said_differently_is_found() -> None:
    """What the comparisons below catch: a catalogue saying a state otherwise than the glossary."""
    glossary = glossary_terms("## States (`state`)\n\n| code | 中文 |\n|---|---|\n| `new` | 未识别 |\n")
    assert glossary == {("state", "new"): "未识别"}
    assert _differences(glossary, "state", {("state", "new"): "未纳入"}, "state") == [
        ("state", "new", "glossary 未识别", "catalogue 未纳入")
    ]


def _differences(
    glossary: Mapping[tuple[str, str], str], kind: str, catalogue: Mapping[tuple[str, str], str], group: str
) -> list[tuple[str, str, str, str]]:
    """Each name of ``kind`` the glossary and the catalogue (its names of ``group``) say differently,
    or that one of them lacks."""
    listed = {code for k, code in glossary if k == kind}
    said = {code for g, code in catalogue if g == group and ":" not in code}
    found = []
    for code in sorted(listed | said):
        want, got = glossary.get((kind, code)), catalogue.get((group, code))
        if want != got:
            found.append((kind, code, f"glossary {want}", f"catalogue {got}"))
    return found


@pytest.mark.parametrize("kind", list(SHARED_KINDS))
def test_the_interface_catalogue_says_each_name_as_the_glossary(kind: str) -> None:
    assert _differences(GLOSSARY_TERMS, kind, INTERFACE, kind) == []
    for name in LABELS[kind]:  # type: ignore[index]
        assert label(kind, name, CHINESE) == GLOSSARY_TERMS[(kind, name)]  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", [kind for kind in SHARED_KINDS if kind != "responsible"])
def test_the_decisions_catalogue_says_each_name_as_the_glossary(kind: str) -> None:
    assert _differences(GLOSSARY_TERMS, kind, DECISIONS, SHARED_KINDS[kind]) == []
    for (k, code), chinese in GLOSSARY_TERMS.items():
        if k == kind:
            assert Term(code).render(CHINESE) == chinese


def test_the_decisions_catalogue_says_the_units_of_the_shipped_policies_as_the_glossary() -> None:
    # the units a decision names delivering a grant; the glossary lists more (who a review makes responsible)
    units = {code for group, code in DECISIONS if group == "responsible unit"}
    assert units
    for code in units:
        assert DECISIONS[("responsible unit", code)] == GLOSSARY_TERMS[("responsible", code)], code


def test_a_state_entered_is_said_with_the_state_s_term() -> None:
    """The risk a transition records (``entered:relapsed``) names the state entered by its term."""
    for state in STATES:
        if state != "new":
            assert DECISIONS[("risk kind", f"entered:{state}")] == "转为" + GLOSSARY_TERMS[("state", state)]


def test_a_household_s_status_names_its_state_with_the_state_s_term() -> None:
    values = {code: chinese for (group, code), chinese in DECISIONS.items() if group == "evidence value"}
    statuses = {code: chinese for code, chinese in values.items() if re.fullmatch(r"(not )?on file \(\w+\)", code)}
    assert len(statuses) == len(STATES)
    for code, chinese in statuses.items():
        state = code.rsplit("(", 1)[1].rstrip(")")
        assert chinese.endswith(f"（{GLOSSARY_TERMS[('state', state)]}）"), (code, chinese)


def test_a_risk_found_says_its_kind_and_severity_as_the_report_does() -> None:
    """The report's relapse table names each risk by its label, then quotes the decision: one term in one cell."""
    evidence = Join([Message("{label} {value}", Term("income_per_capita"), Decimal(3000))])
    for kind in LABELS["risk"]:
        for severity in LABELS["severity"]:
            said = Message("{kind} risk ({severity}): {evidence}", Term(kind), Term(severity), evidence).render(CHINESE)
            assert said.startswith(f"{label('risk', kind, CHINESE)}（{label('severity', severity, CHINESE)}）："), said


@pytest.mark.parametrize("kind", list(DECISIONS_KINDS))
def test_the_decisions_catalogue_says_procedures_steps_facts_and_hazards_as_the_glossary(kind: str) -> None:
    listed = {code: chinese for (k, code), chinese in GLOSSARY_TERMS.items() if k == kind}
    # a name registered under another group first (main_earner_lost: a risk kind) is said alike
    registered = {code for group, code in DECISIONS if group == DECISIONS_KINDS[kind]}
    assert registered <= set(listed)
    for code, chinese in listed.items():
        assert Term(code).render(CHINESE) == chinese, code


def test_the_steps_and_facts_are_the_library_s() -> None:
    from relapse_guard.cases.national import NATIONAL_PROCEDURES
    from relapse_guard.message_keys import CASE_STEPS, FACT_KINDS, PROCEDURES

    assert {p.name for p in NATIONAL_PROCEDURES} == set(PROCEDURES)
    assert {step.name for p in NATIONAL_PROCEDURES for step in p.steps} == set(CASE_STEPS)
    assert LABELS["fact"] == FACT_KINDS


def test_the_kinds_of_fact_labelled_are_the_library_s() -> None:
    from relapse_guard.facts import DEFAULT_FACT_KINDS

    assert LABELS["fact"] == tuple(DEFAULT_FACT_KINDS.by_kind)


#: Words of the glossary's "Other words", each with the words said for the same thing before.
OTHER_WORDS = {
    "重新计算": ("重算",),
    "累计已发": ("累计至今", "累计金额"),
    "宽限期": ("逾期天数",),
    "办结时限": ("截止日期", "期限"),
    "本期新增": ("新预警",),
    "未办结": ("待办",),
}


def test_both_catalogues_say_the_glossary_s_other_words_and_not_others() -> None:
    glossary = GLOSSARY.read_text(encoding="utf-8")
    said = [
        text
        for catalogue in (read_catalogue(), _decisions_catalogue())
        for message in catalogue
        for text in ([message.string] if isinstance(message.string, str) else message.string or ())
    ]
    for word, others in OTHER_WORDS.items():
        assert f"| {word} |" in glossary, word
        assert any(word in text for text in said), word
        for other in others:
            assert [text for text in said if other in text] == [], other
