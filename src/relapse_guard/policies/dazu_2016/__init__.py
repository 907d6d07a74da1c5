"""Dazu 2016: the "rear line", derived from the Chongqing 2016 base.

- illness or disaster -> priority temporary relief, and the safety net as the bottom line
  (when the income left after what the household still bears of the cost is under the
  standard), asked last so that it covers what the others leave;
- unemployed but able to work -> free training, then job referral, and temporary relief when
  no other member can work or no income is left (as in the Chongqing base);

One cost is paid once: for an illness, priority relief pays on the self-paid cost *left
after medical aid* (``step("temporary_relief", after=["medical_aid"])``), not on the full
bill. National rule: temporary relief is for a basic life in temporary serious difficulty
(Interim Measures for Social Assistance, State Council order 649, art. 47: 「导致基本生活暂时
出现严重困难」), so it is sized on what the household still bears once medical aid has paid its
share of the self-paid part.
- a joint meeting of departments every month, supervision every quarter, and holiday
  visits to every exited household: scheduled reviews.

Source: Chongqing poverty-alleviation bulletin no. 1 (2017), Dazu.
"""

from __future__ import annotations

from ...interventions import TemporaryRelief
from ...lifecycle import State
from ...policy import Policy
from ...reviews import Review
from ...routing import INCOME_LEFT_UNDER_STANDARD, NO_INCOME_LEFT, step
from .._data import load_parameters
from ..chongqing_2016 import policy as chongqing_2016

__all__ = ["policy"]

_WATCHED = frozenset({State.EXITED, State.MONITORED, State.RELAPSED, State.ASSISTED})


def policy() -> Policy:
    """The Dazu 2016 policy."""
    return chongqing_2016().derive(
        name="dazu_2016",
        version="2016.1",
        description="Dazu 2016: safety net and priority relief for illness or disaster; training then referral",
        parameter_tree=load_parameters(__name__),
        interventions=(TemporaryRelief(priority=True),),
        routes={
            "illness": (
                step("medical_aid"),
                step("temporary_relief", after=("medical_aid",)),
                step("safety_net", when=INCOME_LEFT_UNDER_STANDARD),
            ),
            "disaster": (
                step("temporary_relief"),
                step("safety_net", when=INCOME_LEFT_UNDER_STANDARD),
            ),
            "unemployment": (
                step("job_training"),
                step("job_referral"),
                step("temporary_relief", when=NO_INCOME_LEFT),
            ),
        },
        reviews=(
            Review.monthly(
                "joint_review",
                description="monthly joint meeting of departments on each watched household",
                states=_WATCHED,
                responsible="Dazu joint meeting of departments",
            ),
            Review.quarterly(
                "inspection",
                description="quarterly supervision, reported to district leaders",
                states=_WATCHED,
                responsible="Dazu district supervision office",
                grace_days=15,
            ),
            Review.yearly(
                "holiday_visit",
                description="holiday visit to every exited household (before the Spring Festival)",
                months=(1,),
                day=20,
                states=frozenset({State.EXITED, State.MONITORED}),
                responsible="paired helper",
                grace_days=10,
            ),
        ),
        sources=("seed: Dazu",),
    )
