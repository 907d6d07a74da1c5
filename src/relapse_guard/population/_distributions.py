"""The distributions of synthetic populations, as one documented value (see docs/population.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["DEFAULT_DISTRICTS", "GENERATOR_VERSION", "Distributions"]

#: Bumped whenever a change makes the same seed give other households: recorded in manifests.
GENERATOR_VERSION = 1

#: The three districts of the seed bulletin: (name, id prefix, share of households, towns).
DEFAULT_DISTRICTS: tuple[tuple[str, str, float, tuple[str, ...]], ...] = (
    (
        "Yubei",
        "YB",
        0.35,
        (
            "Dashengzhen",
            "Luoqizhen",
            "Tongjingzhen",
            "Xinglongzhen",
            "Cizhuzhen",
            "Muerzhen",
            "Guluzhen",
            "Shichuanzhen",
        ),
    ),
    (
        "Dazu",
        "DZ",
        0.40,
        (
            "Longshuizhen",
            "Baodingzhen",
            "Zhongaozhen",
            "Sanquzhen",
            "Shimazhen",
            "Youtingzhen",
            "Yulongzhen",
            "Gaopingzhen",
        ),
    ),
    (
        "Bishan",
        "BS",
        0.25,
        (
            "Daluzhen",
            "Batangzhen",
            "Qitangzhen",
            "Hebianzhen",
            "Fuluzhen",
            "Daxingzhen",
            "Zhengxingzhen",
            "Guangpuzhen",
            "Sanhezhen",
            "Jianlongzhen",
            "Qifengzhen",
            "Ludizhen",
            "Bishanzhen",
            "Dingjiazhen",
            "Laifengzhen",
        ),
    ),
)

#: Village names; a town's villages are the first ``villages_per_town`` of a rotation of these.
VILLAGE_NAMES: tuple[str, ...] = (
    "Qinglong",
    "Huilong",
    "Shuanghe",
    "Xinhua",
    "Longtan",
    "Baiyang",
    "Taiping",
    "Jinshan",
    "Shiban",
    "Heping",
    "Fengshou",
    "Dawan",
    "Liujia",
    "Zhuyuan",
    "Sanxing",
    "Tianba",
)


def _district_tuple(value: Any) -> tuple[tuple[str, str, float, tuple[str, ...]], ...]:
    return tuple((str(d[0]), str(d[1]), float(d[2]), tuple(str(t) for t in d[3])) for d in value)


@attrs.frozen(kw_only=True)
class Distributions:
    """How a synthetic population is drawn. Rates are per household and year; incomes are
    multiples of the poverty line in force on the assessment date.

    The defaults are documented, with their reasons, in ``docs/population.md``.
    """

    #: Weights of household sizes 1, 2, 3, ... (mean 3.2: rural Chongqing households of about three people).
    household_sizes: tuple[float, ...] = (0.12, 0.25, 0.23, 0.20, 0.12, 0.08)
    districts: tuple[tuple[str, str, float, tuple[str, ...]], ...] = attrs.field(
        default=DEFAULT_DISTRICTS, converter=_district_tuple
    )
    villages_per_town: int = 12
    #: Median per-capita income as a multiple of the poverty line, and the spread (sigma of its log).
    income_median: float = 1.9
    income_sigma: float = 0.45
    #: Month-to-month variation of an assessed income (sigma of its log).
    income_noise: float = 0.08
    #: Income factor of households where no member can work.
    no_labour_factor: float = 0.6
    #: "monthly" (12 assessments a year) or "quarterly" (4).
    assessments: str = "monthly"
    #: Share of households identified at their first assessment, assisted, and exited later.
    lifecycle_share: float = 0.15
    illness_rate: float = 0.12
    disaster_rate: float = 0.04
    job_loss_rate: float = 0.06
    main_earner_loss_rate: float = 0.004
    house_appraisal_rate: float = 0.05
    needs_check_rate: float = 0.10
    #: The policy whose ``poverty_line`` incomes are drawn around.
    line_policy: str = "chongqing_2016"

    def __attrs_post_init__(self) -> None:
        if self.assessments not in ("monthly", "quarterly"):
            raise ValueError(f"assessments must be 'monthly' or 'quarterly', not {self.assessments!r}")
        if not self.household_sizes or min(self.household_sizes) < 0 or sum(self.household_sizes) <= 0:
            raise ValueError("household_sizes must be non-negative weights, at least one positive")
        if not self.districts or any(not d[3] for d in self.districts):
            raise ValueError("districts must be (name, prefix, weight, towns) with at least one town each")
        if self.villages_per_town < 1:
            raise ValueError("villages_per_town must be at least 1")
        for name in ("lifecycle_share",):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be between 0 and 1")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (as recorded in a generated population's manifest)."""
        out = attrs.asdict(self)
        out["districts"] = [[d[0], d[1], d[2], list(d[3])] for d in self.districts]
        out["household_sizes"] = list(self.household_sizes)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Distributions:
        """Read back :meth:`to_dict` (missing keys take their defaults)."""
        values = dict(data)
        if "household_sizes" in values:
            values["household_sizes"] = tuple(values["household_sizes"])
        return cls(**values)
