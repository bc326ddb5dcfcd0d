"""What the result tables mean: tolerances, stage order, policy status, supplier shares,
largest builds and key prices. Writers (xlsx, charts, report, overview) only format these."""
from __future__ import annotations

from .schema import STAGES

# A value counts as non-zero (a flow, a build, a shortfall) above this; relative to max(1, |x|)
# where a scale is known.
TOL = 1e-6


def stage_key(stage: str) -> tuple:
    """Sort key: the supply-chain order of schema.STAGES, unknown stages after, by name."""
    return (STAGES.index(stage) if stage in STAGES else len(STAGES), stage)
