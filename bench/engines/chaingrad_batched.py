"""``chaingrad-batched``: a tape replayed over numpy arrays (see chaingrad_tape.py)."""

from bench.engines.chaingrad_tape import ChaingradBatched

ENGINE = ChaingradBatched()
