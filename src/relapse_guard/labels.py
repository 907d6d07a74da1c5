"""The names of things, as a person reads them: states, risk kinds, interventions and more, in a language.

The library names a state, a risk kind or an intervention by a code (``assisted``,
``main_earner_lost``, ``safety_net``); :func:`label` says it in a language: in English the
code as it is (so English output stays what it always was), in Chinese the term of national
practice (``帮扶中``, ``主要劳动力丧失``, ``低保``). The Chinese terms live in the interface's
gettext catalogue, each under the context of its kind (``msgctxt "state"``), and
``docs/glossary.md`` lists them all with their pinyin; a test checks that each label here is
translated and in the glossary.

A name the tables do not hold (an intervention of a third-party plug-in) is said as it is,
in every language.

>>> label("state", "assisted", "zh-CN"), label("intervention", "safety_net", "zh-CN")
('帮扶中', '低保')
>>> label("state", "assisted", "en"), label("intervention", "my_own_grant", "zh-CN")
('assisted', 'my_own_grant')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

from .i18n import translator
from .interface import DOMAIN, is_english
from .message_keys import (
    DECISION_KINDS,
    FACT_KINDS,
    INTERVENTIONS,
    PERIODS,
    RESPONSIBLE_UNITS,
    REVIEW_NAMES,
    REVIEW_RESPONSIBLE,
    SEVERITIES,
    STATES,
    TRIGGER_RISK_KINDS,
)

__all__ = ["KINDS", "LABELS", "Kind", "label", "labels"]

Kind = Literal[
    "state",
    "risk",
    "intervention",
    "decision",
    "review",
    "review_name",
    "responsible",
    "alert",
    "problem",
    "category",
    "period",
    "severity",
    "unit",
    "replay_reason",
    "fact",
]

#: Every kind of name :func:`label` says, and the names of each (the codes the library uses).
#: The states, decision kinds, risk kinds, interventions, severities, grant periods, review names,
#: those responsible and the kinds of fact are also terms of the decisions' catalogue
#: (:mod:`relapse_guard.message_keys`): one list for both.
LABELS: Final[Mapping[Kind, tuple[str, ...]]] = {
    # relapse_guard.lifecycle.State
    "state": STATES,
    # the kinds of risk the built-in triggers find (relapse_guard.triggers)
    "risk": TRIGGER_RISK_KINDS,
    # the built-in interventions (relapse_guard.interventions), and the names the shipped policies give them
    "intervention": INTERVENTIONS,
    # relapse_guard.decisions.DecisionKind
    "decision": DECISION_KINDS,
    # relapse_guard.reviews.ReviewState
    "review": ("done", "due", "overdue"),
    # the reviews the shipped policies schedule (relapse_guard.reviews.Review), by name
    "review_name": REVIEW_NAMES,
    # who the shipped policies make responsible for their reviews, and the units delivering grants
    "responsible": (*REVIEW_RESPONSIBLE, *RESPONSIBLE_UNITS),
    # relapse_guard.monitoring.AlertKind
    "alert": (
        "new_risk",
        "state_changed",
        "grant_started",
        "grant_changed",
        "grant_ended",
        "transition_ending",
        "review_due",
        "review_overdue",
        "case_step_due",
        "case_step_overdue",
        "recheck_due",
        "recheck_overdue",
        "replayed",
        "moved",
    ),
    # relapse_guard.screening.summary.PROBLEM_KINDS: why a household could not be screened
    "problem": ("refused", "plugin_failed", "duplicate_fact_id", "no_policy", "error"),
    # the households of national practice the docs and the policies speak of
    "category": (
        "registered_poor",
        "exited_household",
        "unstable_exited",
        "edge",
        "sudden_hardship",
        "monitored_household",
        "safety_net_family",
        "extreme_poverty",
    ),
    # relapse_guard.decisions.Period: how a grant is paid
    "period": PERIODS,
    # relapse_guard.decisions.Severity, by its name in lower case
    "severity": SEVERITIES,
    # money units
    "unit": ("yuan", "yuan a month", "yuan a year", "yuan per person"),
    # why a monitoring cycle replayed a household (relapse_guard.monitoring.rescreen.reason_kind)
    "replay_reason": (
        "fact corrected",
        "late fact",
        "policy changed",
        "decisions wanted",
        "household changed",
        "case reopened",
        "case checked",
        "other",
    ),
    # the kinds of fact (relapse_guard.facts.DEFAULT_FACT_KINDS), as generate-month counts them
    "fact": FACT_KINDS,
}

#: The kinds of name, in the order of :data:`LABELS`.
KINDS: Final[tuple[Kind, ...]] = tuple(LABELS)


def label(kind: Kind, name: str, lang: str) -> str:
    """``name`` (a code of ``kind``) as said in ``lang``; a name not in :data:`LABELS` as it is."""
    if is_english(lang) or name not in LABELS.get(kind, ()):
        return name
    return translator(DOMAIN, lang).pgettext(kind, name)


def labels(kind: Kind, lang: str) -> dict[str, str]:
    """Every name of ``kind`` and its label in ``lang``."""
    return {name: label(kind, name, lang) for name in LABELS[kind]}
