"""Number formatting for anomaly messages.

Messages show the observed value in full ("1,204,311") and the expected range compactly
("[3.41M, 4.07M]"): a reader compares magnitudes at a glance, and the exact numbers stay in the
result's fields (``Anomaly.value``, ``Anomaly.expected_range``), never rounded.
"""

from __future__ import annotations

import math

__all__ = ["compact", "full"]

_SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))


def _special(x: float) -> str | None:
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return None


def full(x: float) -> str:
    """The value as a reader wants to see it in full: integers grouped by thousands
    ("1,204,311"), other numbers with up to 6 significant digits ("0.953125", "1.5e-07")."""
    x = float(x)
    special = _special(x)
    if special is not None:
        return special
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    if 1e-4 <= abs(x) < 1e15:
        text = f"{x:,.6g}" if abs(x) < 1e6 else f"{x:,.0f}"
        return text
    return f"{x:.6g}"


def compact(x: float) -> str:
    """The value in at most 3 significant digits with a K/M/B/T suffix from 10,000 up
    ("3.41M", "12.3K", "950", "0.0012"): for range bounds, where precision is noise."""
    x = float(x)
    special = _special(x)
    if special is not None:
        return special
    magnitude = abs(x)
    if magnitude >= 1e4:
        scales = _SUFFIXES[::-1]  # K, M, B, T
        i = max(k for k, (scale, _) in enumerate(scales) if magnitude >= scale)
        scaled = float(f"{x / scales[i][0]:.3g}")
        if abs(scaled) >= 1000 and i + 1 < len(scales):
            # 999.6K rounds to 1000K: say 1M instead
            i += 1
            scaled = float(f"{x / scales[i][0]:.3g}")
        return f"{scaled:g}{scales[i][1]}"
    if magnitude >= 1000:
        return f"{x:,.0f}"
    if magnitude == 0:
        return "0"
    return f"{float(f'{x:.3g}'):g}"
