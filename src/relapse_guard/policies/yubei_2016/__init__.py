"""Yubei 2016: the "six to-household" supports, derived from the Chongqing 2016 base.

1. industry support funds: 2000 yuan per household when the transition period starts
   (2016, for the exits of 2015); 2000 yuan per person for low-income households identified
   from 2016;
2. medical aid for illness (and the safety net when the income left is under the standard);
3. education aid for school children of households on file;
4. micro accident insurance, 50 yuan per person, on identification and in the transition period,
   renewed each of its years (a yearly premium: 2016, 2017 and 2018 for the exits of 2015);
5. the safety net (dibao), standard 230 then 300 yuan per person per month from 2016;
6. housing renovation: C 12,000, D 35,000 yuan, raised by 50% for low-income households.

Source: Chongqing poverty-alleviation bulletin no. 1 (2017), Yubei items 1-6.
"""

from __future__ import annotations

from ...interventions import IndustrySupportFunds, MicroInsurance
from ...lifecycle import State
from ...policy import Policy
from ...reviews import Review
from ...routing import each_year, entered, step
from .._data import load_parameters
from ..chongqing_2016 import policy as chongqing_2016

__all__ = ["policy"]


def policy() -> Policy:
    """The Yubei 2016 policy."""
    return chongqing_2016().derive(
        name="yubei_2016",
        version="2016.1",
        description="Yubei 2016: six to-household supports, 3-year transition",
        parameter_tree=load_parameters(__name__),
        interventions=(
            IndustrySupportFunds(name="industry_funds_exited", prefix="industry_funds.exited"),
            IndustrySupportFunds(name="industry_funds_low_income", prefix="industry_funds.low_income"),
            MicroInsurance(products=("accident",)),
        ),
        routes={
            entered(State.IDENTIFIED): (step("industry_funds_low_income"), step("micro_insurance")),
            # Supports for exited households are given in the transition period (2016 for 2015 exits).
            entered(State.MONITORED): (step("industry_funds_exited"), step("micro_insurance")),
            # Item 4's premium is yearly and the transition period keeps support unchanged
            # (domain.md, Words: "households that exited in 2015 keep it through 2016-2018"):
            # entered:monitored buys the first year's cover, each new year of the period renews it.
            each_year(State.MONITORED): (step("micro_insurance"),),
        },
        reviews=(
            Review.yearly(
                "income_account",
                description="yearly income account of every exited household",
                months=(12,),
                responsible="village cadre",
            ),
        ),
        sources=("seed: Yubei items 1-6",),
    )
