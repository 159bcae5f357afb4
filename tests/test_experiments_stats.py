"""The decision statistics: the anytime-valid interval, the decisions, and the split's check."""

from __future__ import annotations

import math

import numpy as np
import pytest

from deznity_assets.experiments.stats import (
    Decision,
    DecisionSettings,
    confidence_sequence,
    fixed_horizon_sample,
    look,
    sample_ratio_p,
)

RNG_SEED = 2020


def test_a_look_reports_the_figures_per_variant() -> None:
    result = look(2000, 100, 2000, 200)
    assert (result.a.visitors, result.a.conversions, result.a.rate) == (2000, 100, 0.05)
    assert (result.b.visitors, result.b.conversions, result.b.rate) == (2000, 200, 0.1)
    assert result.difference == pytest.approx(0.05)
    assert 0 < result.low < result.difference < result.high
    assert result.decision is Decision.B_BETTER and result.actionable
    # Half the visitors at the same rates: a fixed-horizon z test (z = 3.5) would call it; this test waits.
    assert look(1000, 50, 1000, 90).decision is Decision.UNDECIDED
    assert result.as_dict()["decision"] == "b_better"


def test_a_large_clear_difference_decides_either_way() -> None:
    assert look(5000, 500, 5000, 250).decision is Decision.A_BETTER
    assert look(5000, 250, 5000, 500).decision is Decision.B_BETTER


def test_two_alike_variants_with_many_visitors_show_no_difference() -> None:
    result = look(200_000, 10_000, 200_000, 10_050)
    assert result.decision is Decision.NO_DIFFERENCE
    assert -0.005 <= result.low <= 0 <= result.high <= 0.005


def test_nothing_is_decided_before_the_minimum_sample() -> None:
    result = look(150, 0, 150, 60)  # a huge gap, but fewer visitors than min_visitors
    assert result.decision is Decision.UNDECIDED and not result.actionable
    assert math.isinf(result.low) and math.isinf(result.high)
    assert look(0, 0, 0, 0).decision is Decision.UNDECIDED


def test_the_interval_is_wider_than_the_fixed_horizon_one() -> None:
    # Validity over every look costs width: the always-valid interval contains the 95 % z interval.
    result = look(4000, 200, 4000, 240)
    pa, pb = 200 / 4000, 240 / 4000
    se = math.sqrt(pa * (1 - pa) / 4000 + pb * (1 - pb) / 4000)
    assert result.low < result.difference - 1.96 * se and result.high > result.difference + 1.96 * se


def test_property_the_interval_narrows_as_visitors_grow_at_the_same_rates() -> None:
    rng = np.random.default_rng(RNG_SEED)
    for _ in range(200):
        pa, pb = rng.uniform(0.01, 0.5, size=2)
        sizes = np.array([300, 1000, 3000, 10_000, 30_000, 100_000])
        _, low, high = confidence_sequence(sizes, sizes * pa, sizes, sizes * pb, alpha=0.05, tau=0.01)
        width = high - low
        assert np.all(np.diff(width) < 0), (pa, pb, width)


def test_property_swapping_the_variants_mirrors_the_interval_and_the_decision() -> None:
    rng = np.random.default_rng(RNG_SEED + 1)
    mirror = {
        Decision.A_BETTER: Decision.B_BETTER,
        Decision.B_BETTER: Decision.A_BETTER,
        Decision.UNDECIDED: Decision.UNDECIDED,
        Decision.NO_DIFFERENCE: Decision.NO_DIFFERENCE,
    }
    for _ in range(500):
        na, nb = (int(x) for x in rng.integers(0, 20_000, size=2))
        ca, cb = int(rng.integers(0, na + 1)), int(rng.integers(0, nb + 1))
        ab, ba = look(na, ca, nb, cb), look(nb, cb, na, ca)
        assert ba.decision is mirror[ab.decision]
        assert ba.difference == pytest.approx(-ab.difference)
        if math.isfinite(ab.low):
            assert (ba.low, ba.high) == pytest.approx((-ab.high, -ab.low))
        assert ab.srm_p == pytest.approx(ba.srm_p)


def test_property_a_decision_agrees_with_the_interval() -> None:
    rng = np.random.default_rng(RNG_SEED + 2)
    for _ in range(500):
        n = int(rng.integers(200, 50_000))
        ca, cb = (int(x) for x in rng.binomial(n, rng.uniform(0.01, 0.2, size=2)))
        result = look(n, ca, n, cb)
        if result.decision is Decision.B_BETTER:
            assert result.low > 0
        elif result.decision is Decision.A_BETTER:
            assert result.high < 0
        elif result.decision is Decision.NO_DIFFERENCE:
            assert -0.005 <= result.low <= 0 <= result.high <= 0.005
        else:
            assert result.low <= 0 <= result.high and (result.low < -0.005 or result.high > 0.005)


def test_property_the_interval_covers_the_true_difference_at_every_look() -> None:
    # 400 simulated experiments looked at 50 times each: the interval ever misses in <= alpha of them.
    rng = np.random.default_rng(RNG_SEED + 3)
    pa, pb = 0.05, 0.06
    daily = rng.binomial(np.full((400, 50, 2), 400), [pa, pb])
    counts = np.cumsum(daily, axis=1)
    visitors = np.cumsum(np.full((400, 50), 400), axis=1)
    _, low, high = confidence_sequence(visitors, counts[..., 0], visitors, counts[..., 1], alpha=0.05, tau=0.01)
    missed = np.mean(((low > pb - pa) | (high < pb - pa)).any(axis=1))
    assert missed <= 0.05


def test_the_split_check_flags_55_45_and_passes_50_50() -> None:
    assert look(4500, 0, 5500, 0).srm
    assert not look(4500, 0, 5500, 0).actionable
    assert not look(5020, 0, 4980, 0).srm
    assert sample_ratio_p(5000, 5000) == pytest.approx(1.0)
    # Against a planned 60/40 split, 40/60 arriving is sound.
    assert not look(4000, 0, 6000, 0, DecisionSettings(split=0.6)).srm
    # chi2 = 100 for 4500/5500: p = erfc(sqrt(50)).
    assert float(sample_ratio_p(4500, 5500)) == pytest.approx(math.erfc(math.sqrt(50)))


def test_the_fixed_horizon_sample_matches_the_textbook_formula() -> None:
    # (1.96 + 0.8416)^2 * (0.05*0.95 + 0.065*0.935) / 0.015^2 = 3,778 per variant.
    assert fixed_horizon_sample(0.05, 0.30) == pytest.approx(3778, abs=2)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((100, 101, 100, 5), "a_conversions"),
        ((100, 5, 100, 101), "b_conversions"),
        ((-1, 0, 100, 5), "a_visitors"),
        ((100, 2.5, 100, 5), "a_conversions"),
    ],
)
def test_bad_counts_name_the_field(args: tuple, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        look(*args)


@pytest.mark.parametrize(
    ("field", "value"), [("alpha", 0.0), ("tau", 0.0), ("split", 1.0), ("min_visitors", 0), ("margin", -0.1)]
)
def test_bad_settings_name_the_field(field: str, value: float) -> None:
    with pytest.raises(ValueError, match=f"DecisionSettings.{field}"):
        DecisionSettings(**{field: value})


def test_the_package_imports_none_of_the_layers_that_use_it() -> None:
    import ast
    from pathlib import Path

    import deznity_assets.experiments as package

    for path in Path(package.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom):
                name = ("." * node.level) + (node.module or "")
            elif isinstance(node, ast.Import):
                name = ",".join(a.name for a in node.names)
            else:
                continue
            assert not name.startswith(".."), (path.name, name)  # nothing from deznity_assets outside it
            assert "deznity_assets" not in name, (path.name, name)
            assert not any(layer in name.split(".") for layer in ("cli", "defs", "control", "dagster")), name
