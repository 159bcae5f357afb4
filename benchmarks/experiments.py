"""The experiment test's error rates and speed, by simulation: A/A, B 30 % better, and a broken split.

Run: `.venv/bin/python benchmarks/experiments.py [--experiments 10000] [--days 30] [--daily 1000] [--write]`.

Each simulated experiment gets `--daily` visitors a day for `--days` days, each sent to B with the
split's share (50 %), and each converting with its variant's rate; the experiment is looked at
once a day (the counts so far) and stops at the first look that decides. All experiments of a
scenario are simulated at once as numpy arrays (experiments x days).

- A/A (both 5 %): the share of experiments in which the anytime-valid test ever declares a winner
  (a false positive), beside a fixed-horizon z test (|z| > 1.96) looked at the same way.
- B 30 % better (5 % -> 6.5 %): the median number of visitors at the look that decides, against the
  fixed-horizon sample for 80 % power at alpha 5 %; and how often the decision is right.
- A broken split (55 % of visitors on one side): the share of experiments the sample-ratio check
  flags within the days, and how often it flags a sound 50/50 split (from the A/A run).

Results go to docs/PERFORMANCE.md with `--write`.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._project import machine, record
from deznity_assets.experiments.stats import (
    A_BETTER,
    B_BETTER,
    UNDECIDED,
    DecisionSettings,
    confidence_sequence,
    decide,
    fixed_horizon_sample,
    fixed_horizon_z,
    sample_ratio_p,
)

BASE = 0.05
LIFT = 0.30
Z_CRITICAL = 1.959963984540054  # two-sided 5 %


@dataclass
class Scenario:
    """Cumulative counts per experiment and day (experiments x days)."""

    na: npt.NDArray[np.int64]
    ca: npt.NDArray[np.int64]
    nb: npt.NDArray[np.int64]
    cb: npt.NDArray[np.int64]


def simulate(
    rng: np.random.Generator, experiments: int, days: int, daily: int, rate_a: float, rate_b: float, split: float
) -> Scenario:
    """Daily traffic split at random with share `split` on B, conversions drawn per variant; cumulative sums."""
    nb = rng.binomial(daily, split, size=(experiments, days))
    na = daily - nb
    ca = rng.binomial(na, rate_a)
    cb = rng.binomial(nb, rate_b)
    return Scenario(*(np.cumsum(x, axis=1) for x in (na, ca, nb, cb)))


def first_decisions(s: Scenario, settings: DecisionSettings) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int64]]:
    """Per experiment: the decision at the first look that decides (UNDECIDED if none) and that look's day index."""
    _, low, high = confidence_sequence(s.na, s.ca, s.nb, s.cb, alpha=settings.alpha, tau=settings.tau)
    enough = np.minimum(s.na, s.nb) >= settings.min_visitors
    codes = decide(low, high, enough, settings.margin)
    decided = codes != UNDECIDED
    day = np.where(decided.any(axis=1), decided.argmax(axis=1), -1)
    first = np.where(day >= 0, codes[np.arange(len(day)), np.maximum(day, 0)], UNDECIDED).astype(np.int8)
    return first, day


def main() -> None:
    """Run the three scenarios and print (and with --write record) the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--experiments", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--daily", type=int, default=1000, help="visitors a day, both variants together")
    parser.add_argument("--tau", type=float, default=DecisionSettings().tau)
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    import os

    load = os.getloadavg()[0]
    started = time.perf_counter()
    settings = DecisionSettings(tau=args.tau)
    rng = np.random.default_rng(args.seed)
    n = args.experiments

    # A/A: identical variants.
    aa = simulate(rng, n, args.days, args.daily, BASE, BASE, 0.5)
    first, _ = first_decisions(aa, settings)
    aa_fp = float(np.mean((first == B_BETTER) | (first == A_BETTER)))
    z = fixed_horizon_z(aa.na, aa.ca, aa.nb, aa.cb)
    naive_fp = float(np.mean((np.abs(z) > Z_CRITICAL).any(axis=1)))
    naive_last = float(np.mean(np.abs(z[:, -1]) > Z_CRITICAL))
    srm_false = float(np.mean((sample_ratio_p(aa.na, aa.nb) < settings.srm_alpha).any(axis=1)))

    # B 30 % better.
    ab = simulate(rng, n, args.days, args.daily, BASE, BASE * (1 + LIFT), 0.5)
    first, day = first_decisions(ab, settings)
    visitors = np.where(day >= 0, (ab.na + ab.nb)[np.arange(n), np.maximum(day, 0)], np.iinfo(np.int64).max)
    median_visitors = float(np.median(visitors))
    fixed = 2 * fixed_horizon_sample(BASE, LIFT)
    b_right = float(np.mean(first == B_BETTER))
    b_wrong = float(np.mean(first == A_BETTER))
    undecided = float(np.mean(first == UNDECIDED))

    # A broken split: 55 % of visitors on B, both variants alike; at this traffic and at a tenth of it.
    broken_lines = []
    for daily in (args.daily, max(1, args.daily // 10)):
        broken = simulate(rng, n, args.days, daily, BASE, BASE, 0.55)
        flags = sample_ratio_p(broken.na, broken.nb) < settings.srm_alpha
        flagged = float(np.mean(flags.any(axis=1)))
        flag_day = np.where(flags.any(axis=1), flags.argmax(axis=1) + 1, args.days + 1)
        broken_lines.append(
            f"Broken split (55/45), {daily:,} visitors a day: flagged in {flagged:.2%} (target >= 99 %), "
            f"median day flagged {float(np.median(flag_day)):.0f}"
        )
    seconds = time.perf_counter() - started

    command = (
        f"benchmarks/experiments.py --experiments {n} --days {args.days} --daily {args.daily} --tau {args.tau:g}"
        f" --seed {args.seed}"
    )
    lines = [
        f"A/A, {n:,} experiments looked at daily for {args.days} days:",
        f"  anytime-valid test declared a winner in {aa_fp:.2%} (target <= 5 %)",
        f"  fixed-horizon z test looked at daily: {naive_fp:.2%} (at the last look only: {naive_last:.2%})",
        f"  sample-ratio check flagged a sound 50/50 split in {srm_false:.2%}",
        f"B 30 % better (5 % -> {BASE * (1 + LIFT):.1%}):",
        f"  median visitors to a decision {median_visitors:,.0f}; fixed-horizon sample for 80 % power {fixed:,}"
        f" ({median_visitors / fixed:.2f}x, target <= 2x)",
        f"  decided B better {b_right:.2%}, A better {b_wrong:.2%}, undecided after {args.days} days {undecided:.2%}",
        *broken_lines,
        f"{seconds:.1f} s",
    ]
    print("\n".join(lines))
    if args.write:
        body = "\n".join("    " + line for line in lines)
        record(
            f"## Experiments: the anytime-valid test, {time.strftime('%Y-%m-%d')}\n\n"
            f"`{command} --write` on {machine(load)}:\n\n{body}\n\n"
            f"{args.daily:,} visitors a day (both variants) puts the fixed-horizon sample ({fixed:,}) at day "
            f"{fixed / args.daily:.1f} and twice it at day {2 * fixed / args.daily:.1f}, well inside the "
            f"{args.days} days, so the medians compare the tests rather than the window; looks are daily, so a "
            "decision is counted at the whole day's visitors.\n"
        )


if __name__ == "__main__":
    main()
