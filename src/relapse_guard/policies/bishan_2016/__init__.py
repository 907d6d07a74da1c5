"""Bishan 2016: long-term mechanisms, derived from the Chongqing 2016 base.

- relative-poverty identification: previous-year per-capita income below a third of the
  district's rural per-capita income (4250 yuan), with labour capacity;
- industry funds of 2000 yuan per household for relatively poor households;
- insurance bought per person for exited and relatively poor people: 50 yuan accident,
  50 yuan serious-illness supplementary, 140 yuan rural medical insurance, yearly premiums
  bought on entering those states and renewed each year spent in them (the exits of 2015
  are insured from 2016, when the premiums start, through their transition period);
- paired helpers who revisit and "do the accounts" (recompute income) every year;
- priority for medical relief and unsafe-house renovation;
- the town-to-town pairing allocation (:func:`pair_towns`).

Source: Chongqing poverty-alleviation bulletin no. 1 (2017), Bishan.
"""

from __future__ import annotations

from ...interventions import IndustrySupportFunds, MicroInsurance, PairedHelper
from ...lifecycle import State
from ...policy import Policy
from ...reviews import Review
from ...routing import each_year, entered, step
from ...rules import INCOME_BELOW_LINE, relative_poverty
from .._data import load_parameters
from ..chongqing_2016 import policy as chongqing_2016
from .pairing import Transfer, pair_towns

__all__ = ["Transfer", "pair_towns", "policy"]

_PRODUCTS = ("accident", "serious_illness", "rural_medical")


def policy() -> Policy:
    """The Bishan 2016 policy."""
    return chongqing_2016().derive(
        name="bishan_2016",
        version="2016.1",
        description="Bishan 2016: relative poverty, industry funds, insurance, paired helpers",
        parameter_tree=load_parameters(__name__),
        identification=(INCOME_BELOW_LINE, relative_poverty()),
        interventions=(
            IndustrySupportFunds(),
            MicroInsurance(products=_PRODUCTS),
            PairedHelper(),
        ),
        routes={
            entered(State.IDENTIFIED): (step("industry_funds"), step("micro_insurance"), step("paired_helper")),
            entered(State.EXITED): (step("micro_insurance"), step("paired_helper")),
            # Insurance "for exited and relatively poor people" (seed: Bishan) is a yearly premium,
            # kept through the transition period (domain.md, Words: support unchanged, 2016-2018
            # for the exits of 2015, the 1,891 households Bishan insured in 2016): bought again
            # on entering it (the first year after the exit's) and renewed each year after, and
            # each year a relatively poor household stays on file.
            entered(State.MONITORED): (step("micro_insurance"),),
            each_year(State.IDENTIFIED): (step("micro_insurance"),),
            each_year(State.ASSISTED): (step("micro_insurance"),),
            each_year(State.EXITED): (step("micro_insurance"),),
            each_year(State.MONITORED): (step("micro_insurance"),),
        },
        reviews=(
            Review.yearly(
                "income_account",
                description="the paired helper recomputes the household's income ('does the accounts')",
                months=(12,),
                states=frozenset({State.EXITED, State.MONITORED}),
                responsible="paired helper",
                grace_days=31,
            ),
        ),
        sources=("seed: Bishan",),
    )
