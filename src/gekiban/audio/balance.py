"""Mix balance by role: SoundFont patches differ by 20 dB or more in level, so each rendered
part is first brought to its role's place in the mix (lead in front, pads and ostinatos behind,
bass and drums as the floor) before the style's own volume, pan, EQ and reverb apply."""

from __future__ import annotations

import math

import numpy as np

from gekiban.audio.stem import volume_db
from gekiban.roles import role_of

#: The lead's loudness while it plays; every other role sits at its ``balance`` (in LU, the
#: role table of :mod:`gekiban.roles`) from it.
REFERENCE_LUFS = -24.0
MAX_TRIM_DB = 30.0


def balance_gain(loudness: float, *, role: str, volume: float) -> float:
    """Linear gain that puts a part whose loudness before its gain is ``loudness`` (LUFS) at
    its role's loudness (1.0 for silence).

    The mixer applies the part's ``volume`` on the GM curve (40·log10 v); here that is undone
    down to a gentle trim of 10·log10(v / 0.8) dB, so a style's volumes nudge the balance
    instead of overriding it.
    """
    if not math.isfinite(loudness) or volume <= 0:
        return 1.0
    trim = 10.0 * math.log10(volume / 0.8) - volume_db(volume)
    target = REFERENCE_LUFS + role_of(role).balance + trim
    return float(10.0 ** (np.clip(target - loudness, -MAX_TRIM_DB, MAX_TRIM_DB) / 20.0))
