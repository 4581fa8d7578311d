"""Statistics for quality alerts: is a SKU's recent defect-return rate significantly above what we expect?

We use a one-sided exact binomial test: in the recent window the SKU shipped `n` units and `k` came back for a
defect reason; under the null hypothesis each unit is returned for a defect with probability `p0` (the SKU's own
baseline rate, or its category's rate when the SKU has too little history). We alert when P(X >= k | n, p0) < alpha
AND the rate rose by a minimum relative lift AND the volume is at least `min_units` — significance alone on tiny
volumes produces noise, lift alone on big volumes flags trivial changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from scipy.stats import binomtest


@dataclass(frozen=True)
class AlertDecision:
    alert: bool
    p_value: float
    rate: float
    expected_rate: float
    lift: float
    reason: str


def defect_rate_alert(
    *,
    defects: int,
    units: int,
    baseline_rate: float,
    alpha: float = 0.01,
    min_units: int = 30,
    min_defects: int = 3,
    min_lift: float = 1.5,
    rate_floor: float = 0.001,
) -> AlertDecision:
    if units <= 0:
        return AlertDecision(False, 1.0, 0.0, baseline_rate, 0.0, "no units shipped")
    if defects < 0 or defects > units:
        raise ValueError("defects must be between 0 and units")
    rate = defects / units
    p0 = min(max(baseline_rate, rate_floor), 0.999)
    lift = rate / p0
    p_value = float(binomtest(defects, units, p0, alternative="greater").pvalue) if defects else 1.0
    if units < min_units:
        return AlertDecision(False, p_value, rate, p0, lift, f"fewer than {min_units} units")
    if defects < min_defects:
        return AlertDecision(False, p_value, rate, p0, lift, f"fewer than {min_defects} defect returns")
    if lift < min_lift:
        return AlertDecision(False, p_value, rate, p0, lift, f"lift below {min_lift}x")
    if p_value >= alpha:
        return AlertDecision(False, p_value, rate, p0, lift, f"p={p_value:.4f} not below {alpha}")
    return AlertDecision(True, p_value, rate, p0, lift, f"p={p_value:.2g}, {lift:.1f}x the expected rate")


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Linear-interpolated percentile of an already sorted list (q in [0, 100])."""
    if not sorted_values:
        return None
    if len(sorted_values) == 1:
        return sorted_values[0]
    position = (len(sorted_values) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)
