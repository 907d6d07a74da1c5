"""A household's result as JSON other systems can read: one documented, versioned form.

:func:`to_json_dict` writes a :class:`~relapse_guard.result.HouseholdResult` — its state,
income, transition period, risks, grants, reviews and every decision with its rule, facts
and parameter values — as plain JSON values; :func:`to_json` as text. The form is described,
field by field, by a JSON Schema (draft 2020-12) shipped in the package:
:func:`load_schema` returns it. ``relapse-guard explain ID ... --format json`` prints it.

Money is a string of yuan with two decimals (``"539.00"``), never a float, and exact: an
amount given with more decimals keeps them all. Other decimal numbers (parameter values)
are strings too, written exactly. Dates are ISO (``"2016-01-04"``). Lists keep the engine's
order; the result's mappings are sorted lists (reviews completed by review name, eliminated
risks by date, then key), so the same result always gives the same JSON. This is the form for
other systems; the store keeps decisions in a form of its own (``Decision.to_dict``, which its
hash chain covers), unchanged by this one.

The document's ``money`` is the household's money as of its ``as_of``, as
:meth:`~relapse_guard.result.HouseholdResult.money` counts it: by intervention and in all, each
with its three figures kept apart (one-off and yearly in yuan, monthly in force in yuan a month,
paid to date in yuan). :func:`money_lines` says the same figures as the lines of text the demo
and ``relapse-guard explain`` print.

Each decision's ``text`` is in the document's ``language`` (English unless asked: ``zh-CN``
for Simplified Chinese); its ``message`` (the key and values it was made from) and
``margins`` (how far a failed or near condition was from its threshold) read the same in
every language.

The document carries its ``schema_version`` (:data:`SCHEMA_VERSION`). Fields may be added
within a version; a field renamed, removed or given another meaning is a new version, with
a schema of its own (docs/explanations.md).

>>> import datetime as dt
>>> from relapse_guard import Engine, load_policy
>>> from relapse_guard.demo import demo_households
>>> _, household, facts = next(demo_households())
>>> policy = load_policy("yubei_2016")
>>> result = Engine(policy).run(household, facts, as_of=dt.date(2019, 6, 30))
>>> document = to_json_dict(result, policy)
>>> document["schema_version"], document["state"], document["decisions"][0]["kind"]
(1, 'stable', 'transition')
>>> document["decisions"][0]["parameters"][0]["name"]
'poverty_line'
>>> document["money"]["total"]
{'one_off': '2400.00', 'monthly_in_force': '0.00', 'paid_to_date': '3166.60'}
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from decimal import Decimal
from importlib import resources
from typing import Any

from .decisions import Decision, Grant, Risk
from .engine.fingerprint import policy_fingerprint
from .entitlements import Money, total
from .errors import InvalidArgument, NotFound, WrongType
from .i18n import normalise_language
from .interface import tr
from .labels import label
from .money import money_text
from .parameters import ParameterValue
from .policy import Policy
from .result import HouseholdResult
from .reviews import ReviewStatus

__all__ = ["SCHEMA_ID", "SCHEMA_VERSION", "SCHEMA_VERSIONS", "load_schema", "money_lines", "to_json", "to_json_dict"]

#: The version of the JSON form :func:`to_json_dict` writes (its ``schema_version``).
SCHEMA_VERSION = 1
#: Every version whose schema ships with the package.
SCHEMA_VERSIONS = (1,)
#: The ``$id`` of the current version's schema.
SCHEMA_ID = f"urn:relapse-guard:schema:household-result:v{SCHEMA_VERSION}"


def load_schema(version: int = SCHEMA_VERSION) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of version ``version`` of the JSON form, as a dict.

    It is read from the package (``relapse_guard/schemas/household-result.v1.json``), so it
    works from a wheel or a zip. An unknown version raises
    :class:`~relapse_guard.errors.NotFound`, naming the versions there are.

    >>> load_schema()["properties"]["schema_version"]["const"]
    1
    """
    if type(version) is not int or version not in SCHEMA_VERSIONS:
        known = ", ".join(str(v) for v in SCHEMA_VERSIONS)
        raise NotFound(f"no schema for version {version!r} of the household result's JSON form; known: {known}")
    path = resources.files("relapse_guard").joinpath("schemas", f"household-result.v{version}.json")
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def to_json_dict(result: HouseholdResult, policy: Policy | None = None, *, language: str = "en") -> dict[str, Any]:
    """``result`` in the documented JSON form (:func:`load_schema`), as JSON-ready values, each
    decision's text in ``language`` (``en`` or ``zh-CN``).

    With the ``policy`` the result was run under, the document also carries the policy's
    fingerprint (:func:`~relapse_guard.engine.policy_fingerprint`) and the policy's scheduled
    reviews as of the result's ``as_of``; without it both are ``null``. Raises
    :class:`~relapse_guard.errors.WrongType` for something that is not a
    :class:`~relapse_guard.result.HouseholdResult` (or a policy that is not a
    :class:`~relapse_guard.policy.Policy`), and
    :class:`~relapse_guard.errors.InvalidArgument` for a policy whose label is not the one
    the result was run under, or a language it does not speak.
    """
    language = normalise_language(language)
    if not isinstance(result, HouseholdResult):
        raise WrongType(f"to_json_dict needs a HouseholdResult (Engine(policy).run(...)), not {result!r}")
    fingerprint: str | None = None
    reviews: list[dict[str, Any]] | None = None
    if policy is not None:
        if not isinstance(policy, Policy):
            raise WrongType(f"to_json_dict needs the Policy the result was run under, not {policy!r}")
        if policy.label != result.policy:
            raise InvalidArgument(
                f"household {result.household_id!r} was run under {result.policy}, not {policy.label}: "
                f"give the policy the result was run under"
            )
        fingerprint = policy_fingerprint(policy)
        due = policy.reviews_due(result, result.as_of) if result.as_of is not None else ()
        reviews = [_review(status) for status in due]
    return {
        "schema_version": SCHEMA_VERSION,
        "household_id": result.household_id,
        "policy": result.policy,
        "policy_fingerprint": fingerprint,
        "as_of": _date(result.as_of),
        "state": result.state.value,
        "state_since": _date(result.state_since),
        "income_per_capita": None if result.income_per_capita is None else _money(result.income_per_capita),
        "monitoring_starts_on": _date(result.monitoring_starts_on),
        "monitoring_ends_on": _date(result.monitoring_ends_on),
        "risks": [_risk(risk) for risk in result.risks],
        "grants": [_grant(grant) for grant in result.grants],
        "pending": [_grant(grant) for grant in result.pending],
        "money": _money_object(result.money()),
        "reviews_completed": [
            {"review": name, "date": on.isoformat()} for name, on in sorted(result.reviews_completed.items())
        ],
        "reviews": reviews,
        "eliminated_risks": [
            {"risk_key": key, "date": on.isoformat()}
            for key, on in sorted(result.eliminated_risks.items(), key=lambda item: (item[1], item[0]))
        ],
        "language": language,
        "decisions": [_decision(decision, language) for decision in result.decisions],
    }


def to_json(
    result: HouseholdResult, policy: Policy | None = None, *, indent: int | None = 2, language: str = "en"
) -> str:
    """:func:`to_json_dict` as JSON text (UTF-8 characters as they are, keys in the documented order)."""
    return json.dumps(to_json_dict(result, policy, language=language), indent=indent, ensure_ascii=False)


def _money(amount: Decimal) -> str:
    """An amount of yuan as the JSON form writes it: two decimals, or more when the amount has
    more (it is never rounded), in plain notation (:func:`~relapse_guard.money.money_text`).

    >>> _money(Decimal(539)), _money(Decimal("165.25")), _money(Decimal("1E+3")), _money(Decimal("0.125"))
    ('539.00', '165.25', '1000.00', '0.125')
    """
    return money_text(amount)


def _money_object(money: dict[str, Money]) -> dict[str, Any]:
    """The ``money`` of the document: each intervention's three figures, by name, and their sum."""
    return {
        "by_intervention": [{"intervention": name, **line.to_dict()} for name, line in sorted(money.items())],
        "total": total(money).to_dict(),
    }


def money_lines(result: HouseholdResult, lang: str = "en") -> list[str]:
    """``result``'s money as lines of text in ``lang`` (``en``, ``zh-CN``), indented as its timeline
    (:meth:`~relapse_guard.result.HouseholdResult.explain`), as the demo and ``relapse-guard
    explain`` print them: the one-off and yearly grants (yuan) and the monthly amounts in force on
    the as-of date (yuan a month) of each intervention that has any, then what was paid to date in
    all (yuan); no line for a household granted no money. The figures are the JSON form's ``money``.

    >>> import datetime as dt
    >>> from relapse_guard import Engine, load_policy
    >>> from relapse_guard.demo import demo_households
    >>> _, household, facts = list(demo_households())[1]
    >>> result = Engine(load_policy("yubei_2016")).run(household, facts, as_of=dt.date(2019, 6, 30))
    >>> print("\\n".join(money_lines(result)))
      one-off and yearly (yuan): industry_funds_exited 2000.00, medical_aid 5400.00, micro_insurance 450.00
      monthly in force (yuan a month): safety_net 425.01
      paid to date (yuan): 17950.28
    """
    money = result.money()
    comma = tr(lang, ", ")
    named = sorted(money.items())
    one_off = comma.join(
        f"{label('intervention', name, lang)} {money_text(line.one_off)}" for name, line in named if line.one_off
    )
    monthly = comma.join(
        f"{label('intervention', name, lang)} {money_text(line.monthly_in_force)}"
        for name, line in named
        if line.monthly_in_force
    )
    lines = []
    if one_off:
        lines.append(tr(lang, "  one-off and yearly (yuan): {amounts}", amounts=one_off))
    if monthly:
        lines.append(tr(lang, "  monthly in force (yuan a month): {amounts}", amounts=monthly))
    if money:
        lines.append(tr(lang, "  paid to date (yuan): {amount}", amount=money_text(total(money).paid_to_date)))
    return lines


def _date(on: dt.date | None) -> str | None:
    return None if on is None else on.isoformat()


def _parameters(values: Iterable[ParameterValue]) -> list[dict[str, Any]]:
    out = []
    for p in values:
        value = p.value
        written: str | bool
        if isinstance(value, bool):
            kind, written = "boolean", value
        elif isinstance(value, Decimal):
            kind, written = "decimal", f"{value:f}"
        else:
            kind, written = "text", value
        out.append(
            {
                "name": p.name,
                "value": written,
                "type": kind,
                "effective_from": p.effective_from.isoformat(),
                "reference": p.reference,
            }
        )
    return out


def _risk(risk: Risk) -> dict[str, Any]:
    return {
        "key": risk.key,
        "kind": risk.kind,
        "date": risk.date.isoformat(),
        "severity": risk.severity.name.lower(),
        "trigger": risk.trigger,
        "fact_id": risk.fact_id,
        "cost": _money(risk.cost),
        "member_id": risk.member_id,
        "evidence": [{"label": label, "value": value} for label, value in risk.evidence],
        "parameters": _parameters(risk.parameters),
    }


def _grant(grant: Grant) -> dict[str, Any]:
    return {
        "intervention": grant.intervention,
        "date": grant.date.isoformat(),
        "risk_key": grant.risk_key,
        "amount": None if grant.amount is None else _money(grant.amount),
        "period": grant.period.value,
        "service": grant.service,
        "responsible": grant.responsible,
        "persons": grant.persons,
        "basis": grant.basis,
        "revisits": [on.isoformat() for on in grant.revisits],
        "emergency": grant.emergency,
        "parameters": _parameters(grant.parameters),
        "starts": None if grant.starts is None else grant.starts.isoformat(),
        "ends": None if grant.ends is None else grant.ends.isoformat(),
        "prorated": grant.prorated,
        "basis_income": None if grant.basis_income is None else _money(grant.basis_income),
        "rechecked_on": None if grant.rechecked_on is None else grant.rechecked_on.isoformat(),
        "basis_fact": grant.basis_fact,
    }


def _review(status: ReviewStatus) -> dict[str, Any]:
    return {
        "review": status.review,
        "state": status.state.value,
        "due_on": status.due_on.isoformat(),
        "days_overdue": status.days_overdue,
        "responsible": status.responsible,
        "last_done": _date(status.last_done),
        "next_due": status.next_due.isoformat(),
    }


def _decision(decision: Decision, language: str) -> dict[str, Any]:
    return {
        "sequence": decision.sequence,
        "date": decision.date.isoformat(),
        "kind": decision.kind.value,
        "rule": decision.rule,
        "text": decision.render(language),
        "message": decision.message.to_dict(),
        "margins": [margin.to_dict() for margin in decision.margins],
        "facts": list(decision.facts),
        "parameters": _parameters(decision.parameters),
        "from_state": None if decision.from_state is None else decision.from_state.value,
        "to_state": None if decision.to_state is None else decision.to_state.value,
        "risk": None if decision.risk is None else _risk(decision.risk),
        "grant": None if decision.grant is None else _grant(decision.grant),
    }
