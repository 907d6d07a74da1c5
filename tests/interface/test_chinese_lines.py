"""Lines an official reads in Chinese have no English words left in them: the heading and the
closing state of an explained timeline, each decision's parameters and a reason a parameter
not in force yet gives, the reviews the shipped policies schedule and who is responsible, the
units a grant names and its paired helper, the sizing of temporary relief, a policy map, and
``relapse-guard test``'s report of a failing case. Ids, codes, numbers and dates stay."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from relapse_guard import Engine, ExitVerified, Household, IncomeAssessed, Member, Place, load_policy
from relapse_guard.cli_screen import _print_explained, policy_for_household
from relapse_guard.cli_tables import run_tables
from relapse_guard.demo import run_demo
from relapse_guard.facts import BasicNeedsChecked
from relapse_guard.labels import label
from relapse_guard.policies.policy_map import builtin_policy_map, said_under
from relapse_guard.reporting.collect import ReviewEntry
from relapse_guard.reporting.sections import _review_row
from relapse_guard.result import HouseholdResult

ZH = "zh-CN"
D = dt.date
YUBEI = load_policy("yubei_2016")


def english_words(line: str) -> list[str]:
    """The words of English in a line: runs of letters standing alone, not part of an id, a code or a
    name (``poverty_line``, ``YB-7-i1``, ``yubei_2016@2016.1``, ``【trigger.income_drop】``), nor a
    parameter's value (``basis = household``)."""
    line = re.sub(r"【[^】]*】", " ", line)
    line = re.sub(r"[\w.]+ = [^\s（；|]+", " ", line)
    tokens = re.findall(r"[\w.@#:/'-]+", line, flags=re.ASCII)
    return [token for token in tokens if re.fullmatch(r"[A-Za-z]+", token)]


def test_english_words() -> None:
    assert english_words("农户 YB-7（政策 yubei_2016@2016.1）：") == []
    assert english_words("参数：poverty_line = 2760（自 2015-01-01 起）；basis = household") == []
    assert english_words("参数：poverty_line = 2760 (from 2015-01-01)") == ["from"]
    assert english_words("household YB-7 under yubei_2016@2016.1:") == ["household", "under"]


def _exited_household() -> tuple[Household, list[IncomeAssessed | BasicNeedsChecked | ExitVerified]]:
    """A Yubei household identified in 2015 (before the industry funds of 2016 are in force),
    exited in 2016: its transition period runs and its yearly income account falls due."""
    household = Household(
        id="YB-7",
        place=Place("Yubei", "Dashengzhen", "Qinglong"),
        members=[Member(id="YB-7-1", birth_date=D(1966, 4, 2)), Member(id="YB-7-2", birth_date=D(1969, 9, 15))],
    )
    facts: list[IncomeAssessed | BasicNeedsChecked | ExitVerified] = [
        IncomeAssessed(id="YB-7-i1", household_id="YB-7", date=D(2015, 3, 1), income_per_capita=Decimal(2300)),
        IncomeAssessed(id="YB-7-i2", household_id="YB-7", date=D(2016, 10, 3), income_per_capita=Decimal(5200)),
        BasicNeedsChecked(id="YB-7-n1", household_id="YB-7", date=D(2016, 10, 3)),
        ExitVerified(id="YB-7-e1", household_id="YB-7", date=D(2016, 10, 20)),
    ]
    return household, facts


@pytest.fixture(scope="module")
def result() -> HouseholdResult:
    household, facts = _exited_household()
    return Engine(YUBEI).run(household, facts, as_of=D(2017, 6, 30))


def test_the_timeline_heading_and_closing_state_in_chinese(result: HouseholdResult) -> None:
    lines = result.explain(ZH).splitlines()
    assert lines[0] == "农户 YB-7（政策 yubei_2016@2016.1）："
    assert lines[-1] == "  => 当前状态：过渡期监测（自 2017-01-01 起），过渡期 2017-01-01 至 2020-01-01"
    english = result.explain().splitlines()
    assert english[0] == "household YB-7 under yubei_2016@2016.1:"
    assert english[-1] == "  => monitored since 2017-01-01 (transition period 2017-01-01 to 2020-01-01)"


def test_every_decision_line_names_its_parameters_in_chinese(result: HouseholdResult) -> None:
    with_parameters = [decision for decision in result.decisions if decision.parameters]
    assert with_parameters
    for decision in with_parameters:
        listed = decision.explain(ZH).split("参数：", 1)[1].split(" | ")[0]
        assert "（自 " in listed
        assert "(from" not in listed
        assert english_words(listed) == [], listed
        assert "(from " in decision.explain()


def test_a_parameter_not_in_force_yet_is_said_in_chinese(result: HouseholdResult) -> None:
    (skipped,) = [d for d in result.decisions if d.rule == "intervention.industry_funds_low_income"]
    assert (
        skipped.explain(ZH)
        .split(" | ")[0]
        .endswith(
            "尚未生效：参数 industry_funds.low_income.amount 于 2015-03-01 尚无取值：其首个取值自 2016-01-01 起生效"
        )
    )
    assert english_words(skipped.explain(ZH)) == []
    assert skipped.explanation.endswith(
        "not in force yet: parameter 'industry_funds.low_income.amount' has no value on 2015-03-01: "
        "its first value takes effect on 2016-01-01"
    )


def test_every_line_of_a_chinese_timeline_has_no_english_word(result: HouseholdResult) -> None:
    for line in result.explain(ZH).splitlines():
        assert english_words(line) == [], line


def test_explain_says_the_shipped_review_and_who_is_responsible_in_chinese(
    result: HouseholdResult, capsys: pytest.CaptureFixture[str]
) -> None:
    _print_explained(result, YUBEI, D(2017, 12, 31), "text", ZH)
    (review,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("  复核")]
    # the days counted from the grace period's end, as the JSON's days_overdue and an alert say them
    assert review == "  复核 收入核算：应于 2017-12-01 完成，已超过宽限期 30 天（责任人：村干部）"
    _print_explained(result, YUBEI, D(2017, 12, 31), "text", "en")
    english = capsys.readouterr().out.splitlines()[-1]
    assert english == "  review income_account: due 2017-12-01, 30 days past its grace period (village cadre)"


def test_every_shipped_review_and_responsible_has_a_chinese_label() -> None:
    for policy in ("yubei_2016", "bishan_2016", "dazu_2016"):
        for review in load_policy(policy).reviews:
            assert english_words(label("review_name", review.name, ZH)) == [], review.name
            assert english_words(label("responsible", review.responsible, ZH)) == [], review.responsible
    assert label("responsible", "my own office", ZH) == "my own office"  # a policy's own: as it is


def test_the_report_lists_reviews_in_chinese() -> None:
    entry = ReviewEntry(
        household_id="YB-7",
        district="Yubei",
        town="Dashengzhen",
        review="income_account",
        state="overdue",
        due_on=D(2017, 12, 1),
        days_overdue=30,
        responsible="village cadre",
    )
    assert _review_row(entry, ZH) == ("YB-7", "Yubei / Dashengzhen", "收入核算", "逾期", "2017-12-01", "30", "村干部")
    assert _review_row(entry, "en")[2::4] == ("income_account", "village cadre")


CASES = """\
policy = "yubei_2016"

[[case]]
name = "exits"
as_of = 2016-12-31
household = { id = "H1", place = { district = "Yubei", town = "Luqi", village = "Wuyi" }, \
members = [{ id = "H1-1", birth_date = 1972-01-01 }] }
facts = [{ kind = "income_assessed", id = "i1", date = 2016-03-01, income_per_capita = 3000 }]
expect = { state = "exited" }
"""


def test_a_failing_case_is_reported_in_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases = tmp_path / "cases.toml"
    cases.write_text(CASES, encoding="utf-8")
    assert run_tables([str(cases)], explain=True, lang=ZH) == 1
    printed = capsys.readouterr().out.splitlines()
    assert printed[:4] == [
        f"案例 #1 'exits'（{cases}）未通过：",
        "  state：",
        "    预期：已脱贫",
        "    实际：帮扶中",
    ]
    # the case's name and the field compared are the case file's: they stay; its values are said by their terms
    for line in [printed[0].replace("'exits'", ""), *printed[2:]]:
        assert english_words(line) == [], line
    assert printed[4:6] == ["  决策时间线：", "    农户 H1（政策 yubei_2016@2016.1）："]
    assert run_tables([str(cases)], lang="en") == 1
    assert capsys.readouterr().out.splitlines()[:4] == [
        f"case #1 'exits' ({cases}) failed:",
        "  state:",
        "    expected: exited",
        "    got:      assisted",
    ]


@pytest.fixture(scope="module")
def demo() -> dict[str, HouseholdResult]:
    return {result.household_id: result for result in run_demo()}


def test_a_service_names_the_unit_delivering_it_in_chinese(demo: dict[str, HouseholdResult]) -> None:
    rules = ("intervention.job_training", "intervention.job_referral")
    services = [d for d in demo["YB-004"].decisions if d.rule in rules]
    assert [d.explain(ZH).split("：", 1)[1].split(" | ")[0].rsplit("：", 1)[1] for d in services] == [
        "由区人力资源和社会保障局为有劳动能力的相关成员提供免费技能培训",
        "由区公共就业服务机构为有劳动能力的相关成员提供就业推荐",
    ]
    for decision in services:
        assert english_words(decision.explain(ZH)) == [], decision.explain(ZH)
    english = services[0].explain()
    assert english.endswith(
        "free skills training for the member concerned, who can work, by district human resources and social "
        "security bureau | facts: YB-004-job | parameters: job_training.responsible = district human resources "
        "and social security bureau (from 2015-01-01)"
    )


def test_the_sizing_of_temporary_relief_is_said_in_chinese(demo: dict[str, HouseholdResult]) -> None:
    (relief,) = [d for d in demo["YB-003"].decisions if d.rule == "intervention.temporary_relief"]
    said = relief.explain(ZH).split("针对风险“因灾”：", 1)[1]
    assert said.startswith("一次性 费用 20000.00 与上限 10 个月 ")
    assert said.split(" = ", 1)[1].startswith("3000.00 取较小值 = 3000.00；先行救助")
    assert english_words(relief.explain(ZH)) == []
    assert "min(cost 20000.00, cap 10 months x 300.00 = 3000.00) = 3000.00 one-off" in relief.explain()


def test_the_default_paired_helper_is_said_in_chinese() -> None:
    household, facts = _exited_household()
    result = Engine(load_policy("bishan_2016")).run(household, facts, as_of=D(2017, 6, 30))
    (pairing,) = [d for d in result.decisions if d.rule == "intervention.paired_helper" and d.grant is not None]
    assert "：Qinglong村干部与 2 人的家庭结对帮扶；" in pairing.explain(ZH)
    assert english_words(pairing.explain(ZH).replace("Qinglong", "")) == []
    assert "village cadre of Qinglong paired with the household of 2 members;" in pairing.explain()
    assert pairing.grant is not None
    assert pairing.grant.responsible == "village cadre of Qinglong"


def test_every_unit_the_shipped_policies_name_has_a_chinese_label() -> None:
    units: set[str] = set()
    for name in ("yubei_2016", "bishan_2016", "dazu_2016"):
        policy = load_policy(name)
        units |= {str(getattr(intervention, "responsible", "")) for intervention in policy.interventions.values()}
        units |= {
            str(value)
            for parameter in policy.parameters
            if parameter.endswith(".responsible")
            for _, value in policy.parameters.get(parameter).values
        }
    units.discard("")
    assert {"district poverty alleviation office", "Dazu district public employment service"} <= units
    for unit in units:
        assert english_words(label("responsible", unit, ZH)) == [], unit


def test_a_policy_map_is_said_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    household, facts = _exited_household()
    chongqing = builtin_policy_map("chongqing")
    policy_for_household(chongqing, household, facts, D(2017, 6, 30), "text", ZH)
    said = capsys.readouterr().out.strip()
    assert said == "政策对照表 chongqing：地点 'Yubei/Dashengzhen/Qinglong' 在 2017-06-30 适用 yubei_2016@2016.1"
    assert english_words(said.replace("chongqing", "")) == []
    policy_for_household(chongqing, household, facts, D(2017, 6, 30), "text", "en")
    assert capsys.readouterr().out.startswith("policy map chongqing: place 'Yubei/Dashengzhen/Qinglong' on ")
    # what a report says it was screened under
    assert said_under(chongqing.label, ZH) == "政策对照表 chongqing"
    assert said_under(chongqing.label, "en") == chongqing.label == "policy map chongqing"
    assert said_under("yubei_2016@2016.1", ZH) == "yubei_2016@2016.1"


def test_explain_says_the_money_in_chinese(result: HouseholdResult, capsys: pytest.CaptureFixture[str]) -> None:
    _print_explained(result, YUBEI, D(2017, 6, 30), "text", ZH)
    said = capsys.readouterr().out.splitlines()
    money = [line for line in said if line.startswith(("  一次性及按年", "  按月发放", "  累计已发"))]
    assert money == [
        # exited in 2016: not of the 2015 exits Yubei's industry funds are for
        "  一次性及按年（元）：小额保险 200.00",
        "  累计已发（元）：3056.54",
    ]
    for line in money:
        assert english_words(line) == [], line
    _print_explained(result, YUBEI, D(2017, 6, 30), "text", "en")
    english = capsys.readouterr().out.splitlines()
    assert "  one-off and yearly (yuan): micro_insurance 200.00" in english
    assert "  paid to date (yuan): 3056.54" in english
