"""The decision statistics of an A/B experiment: an anytime-valid test of two conversion rates, and the split's check.

The test is the normal-mixture sequential probability ratio test (mSPRT) of Johari, Pekelis and
Walsh, "Always valid inference" (2017; Optimizely's Stats Engine), in its closed form for the
difference of two means. Its (1 - alpha) interval of the difference B - A is a confidence
sequence: the chance that it ever excludes the true difference, over every look however many,
is at most alpha. So an experiment may be looked at every day and stopped at the first look that
decides, and the error rate stays alpha, where a fixed-horizon z test looked at the same way
declares a winner between two identical variants in a quarter of experiments
(docs/EXPERIMENTS.md, benchmarks/experiments.py).

Implemented here with numpy rather than taken from a library: `confseq` (Howard et al.) is
published as a C++/Boost source package only, without wheels, and unreleased since 2023; the
closed form is a few lines. Every function takes numpy arrays as well as numbers, so the
benchmark runs ten thousand simulated experiments at once.

The split's check is Pearson's chi-square test of the visitors per variant against the planned
split (one degree of freedom for two variants): a 50/50 split that arrives 55/45 means the split
is broken (bots, a cache serving one variant, a redirect losing visitors), not that B won.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from statistics import NormalDist
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


class Decision(StrEnum):
    """What a look at an experiment concludes."""

    UNDECIDED = "undecided"
    B_BETTER = "b_better"
    A_BETTER = "a_better"
    NO_DIFFERENCE = "no_difference"  # the interval of B - A lies within +/- the margin


# Codes of the vectorised decision (an int8 array), in the order of `Decision`'s members.
DECISION_CODES: tuple[Decision, ...] = tuple(Decision)
UNDECIDED, B_BETTER, A_BETTER, NO_DIFFERENCE = range(4)


@dataclass(frozen=True)
class DecisionSettings:
    """The parameters of the test, fixed before an experiment starts (changing them mid-way voids the guarantee)."""

    # The chance, over all looks, that the interval ever misses the true difference.
    alpha: float = 0.05
    # Spread of the normal mixture over the difference B - A (absolute, in rate units): the test
    # detects soonest a true difference of about this size. 0.01 = one percentage point.
    tau: float = 0.01
    # "No difference" is decided when the whole interval lies within +/- margin (absolute).
    margin: float = 0.005
    # No decision before each variant has this many visitors (the normal approximation needs some).
    min_visitors: int = 200
    # Planned share of visitors on B, and the p-value under which the split is called broken.
    split: float = 0.5
    srm_alpha: float = 0.001

    def __post_init__(self) -> None:
        for name, value, low, high in (
            ("alpha", self.alpha, 0.0, 1.0),
            ("split", self.split, 0.0, 1.0),
            ("srm_alpha", self.srm_alpha, 0.0, 1.0),
        ):
            if not low < value < high:
                raise ValueError(
                    f"DecisionSettings.{name} must lie strictly between {low:g} and {high:g}, got {value!r}"
                )
        if not self.tau > 0:
            raise ValueError(
                f"DecisionSettings.tau must be positive (e.g. 0.01 for one percentage point), got {self.tau!r}"
            )
        if not self.margin >= 0:
            raise ValueError(f"DecisionSettings.margin must be 0 or more, got {self.margin!r}")
        if self.min_visitors < 1:
            raise ValueError(f"DecisionSettings.min_visitors must be at least 1, got {self.min_visitors!r}")


@dataclass(frozen=True)
class VariantFigures:
    """One variant's counts at a look."""

    visitors: int
    conversions: int

    @property
    def rate(self) -> float:
        """Conversions per visitor (0 with no visitors)."""
        return self.conversions / self.visitors if self.visitors else 0.0


@dataclass(frozen=True)
class Look:
    """One look at an experiment: the figures per variant, the interval of B - A, the decision, the split's check."""

    a: VariantFigures
    b: VariantFigures
    difference: float  # rate of B - rate of A
    low: float  # the anytime-valid interval of the difference (-inf/inf before the minimum sample)
    high: float
    decision: Decision
    srm_p: float  # p-value of the split's chi-square test
    srm: bool  # True: the split is broken; no decision may be acted on

    @property
    def actionable(self) -> bool:
        """True when the look decided something and the split is sound."""
        return self.decision is not Decision.UNDECIDED and not self.srm

    def as_dict(self) -> dict[str, Any]:
        """Plain numbers (for asset metadata, JSON output and the dashboard)."""
        return {
            "a": {"visitors": self.a.visitors, "conversions": self.a.conversions, "rate": self.a.rate},
            "b": {"visitors": self.b.visitors, "conversions": self.b.conversions, "rate": self.b.rate},
            "difference": self.difference,
            "interval": [self.low, self.high],
            "decision": self.decision.value,
            "srm_p": self.srm_p,
            "srm": self.srm,
        }


def _counts(name: str, value: Any) -> FloatArray:
    array = np.asarray(value, dtype=np.float64)
    if np.any(array < 0) or np.any(array != np.floor(array)):
        raise ValueError(f"{name} must be whole numbers of 0 or more")
    return array


def confidence_sequence(
    a_visitors: Any, a_conversions: Any, b_visitors: Any, b_conversions: Any, *, alpha: float, tau: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The difference of rates B - A and its anytime-valid (1 - alpha) interval (Johari et al., normal mixture).

    With V the estimated variance of the difference, the interval is
    d +/- sqrt(V (V + tau^2) / tau^2 * (log((V + tau^2) / V) - 2 log alpha)). Where V is 0 (no
    visitor, or every rate 0 or 1) the interval is unbounded: nothing can be said yet.
    """
    na, ca = np.asarray(a_visitors, np.float64), np.asarray(a_conversions, np.float64)
    nb, cb = np.asarray(b_visitors, np.float64), np.asarray(b_conversions, np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        pa = np.where(na > 0, ca / np.maximum(na, 1), 0.0)
        pb = np.where(nb > 0, cb / np.maximum(nb, 1), 0.0)
        variance = np.where(
            (na > 0) & (nb > 0), pa * (1 - pa) / np.maximum(na, 1) + pb * (1 - pb) / np.maximum(nb, 1), 0.0
        )
        tau2 = tau * tau
        half = np.sqrt(
            variance * (variance + tau2) / tau2 * (np.log((variance + tau2) / variance) - 2 * math.log(alpha))
        )
    half = np.where(variance > 0, half, np.inf)
    difference = pb - pa
    return difference, difference - half, difference + half


def decide(low: Any, high: Any, enough: Any, margin: float) -> npt.NDArray[np.int8]:
    """Decision codes (see DECISION_CODES) from the interval; `enough` is False before the minimum sample."""
    low, high, enough = np.asarray(low), np.asarray(high), np.asarray(enough, dtype=bool)
    out = np.full(np.broadcast(low, high, enough).shape, UNDECIDED, dtype=np.int8)
    out[enough & (low > 0)] = B_BETTER
    out[enough & (high < 0)] = A_BETTER
    out[enough & (low >= -margin) & (high <= margin) & (low <= 0) & (high >= 0)] = NO_DIFFERENCE
    return out


def sample_ratio_p(a_visitors: Any, b_visitors: Any, split: float = 0.5) -> FloatArray:
    """p-value of Pearson's chi-square test that visitors arrive on B with share `split` (1 with no visitors)."""
    na, nb = np.asarray(a_visitors, np.float64), np.asarray(b_visitors, np.float64)
    total = na + nb
    with np.errstate(divide="ignore", invalid="ignore"):
        expected_a, expected_b = total * (1 - split), total * split
        chi2 = (na - expected_a) ** 2 / expected_a + (nb - expected_b) ** 2 / expected_b
    chi2 = np.where(total > 0, chi2, 0.0)
    # The chi-square survival function with one degree of freedom: P(X > x) = erfc(sqrt(x / 2)).
    return np.asarray(np.vectorize(math.erfc, otypes=[np.float64])(np.sqrt(chi2 / 2)), dtype=np.float64)


def look(
    a_visitors: int, a_conversions: int, b_visitors: int, b_conversions: int, settings: DecisionSettings | None = None
) -> Look:
    """Look at an experiment's counts so far: the figures, the interval of B - A, the decision and the split's check."""
    settings = settings or DecisionSettings()
    na, ca = _counts("a_visitors", a_visitors), _counts("a_conversions", a_conversions)
    nb, cb = _counts("b_visitors", b_visitors), _counts("b_conversions", b_conversions)
    if ca > na:
        raise ValueError(f"a_conversions ({int(ca)}) cannot exceed a_visitors ({int(na)}): a visitor converts once")
    if cb > nb:
        raise ValueError(f"b_conversions ({int(cb)}) cannot exceed b_visitors ({int(nb)}): a visitor converts once")
    difference, low, high = confidence_sequence(na, ca, nb, cb, alpha=settings.alpha, tau=settings.tau)
    enough = min(na, nb) >= settings.min_visitors
    code = int(decide(low, high, enough, settings.margin))
    p = float(sample_ratio_p(na, nb, settings.split))
    return Look(
        a=VariantFigures(int(na), int(ca)),
        b=VariantFigures(int(nb), int(cb)),
        difference=float(difference),
        low=float(low) if enough else -math.inf,
        high=float(high) if enough else math.inf,
        decision=DECISION_CODES[code],
        srm_p=p,
        srm=p < settings.srm_alpha,
    )


def fixed_horizon_sample(base: float, lift: float, *, alpha: float = 0.05, power: float = 0.8) -> int:
    """Visitors per variant a two-sided fixed-horizon z test needs to detect rate base*(1+lift) with `power`."""
    if not 0 < base < 1 or not 0 < base * (1 + lift) < 1 or lift == 0:
        raise ValueError(f"base ({base!r}) and base*(1+lift) must be rates strictly between 0 and 1, lift not 0")
    other = base * (1 + lift)
    z = NormalDist().inv_cdf(1 - alpha / 2) + NormalDist().inv_cdf(power)
    return math.ceil(z * z * (base * (1 - base) + other * (1 - other)) / (other - base) ** 2)


def fixed_horizon_z(a_visitors: Any, a_conversions: Any, b_visitors: Any, b_conversions: Any) -> FloatArray:
    """The z statistic of B - A with a pooled variance: valid at ONE planned look only (kept for contrast)."""
    na, ca = np.asarray(a_visitors, np.float64), np.asarray(a_conversions, np.float64)
    nb, cb = np.asarray(b_visitors, np.float64), np.asarray(b_conversions, np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = (ca + cb) / (na + nb)
        se = np.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
        z = (cb / nb - ca / na) / se
    return np.where(np.isfinite(z), z, 0.0)
