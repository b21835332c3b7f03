"""Intensity layers of a bundle: nested groups of stems by role, each a valid mix of the cue, for
adaptive playback (a game or an editor fading layers in and out)."""

from __future__ import annotations

import numpy as np

from gekiban.audio.limiter import limit
from gekiban.audio.mixdown import Mixdown
from gekiban.roles import role_of
from gekiban.score import Part

LAYER_NAMES = ("low", "mid", "high")


def layer_groups(parts: tuple[Part, ...] | list[Part]) -> dict[str, list[int]]:
    """Stem indices in each intensity layer: ``low`` ⊂ ``mid`` ⊂ ``high`` (all stems).

    A stem's tier is its role's ``layer`` in the role table (:mod:`gekiban.roles`): 0 the bed
    (pad, bass), 1 the melody and the moving lines, 2 drums and percussion. A layer whose tiers
    hold no stem takes the stems of the next tier up, so no layer is silent.
    """
    tiers = [role_of(p.role).layer for p in parts]
    out: dict[str, list[int]] = {}
    for level, name in enumerate(LAYER_NAMES):
        members = [i for i, t in enumerate(tiers) if t <= level]
        k = level
        while not members and k < 2:
            k += 1
            members = [i for i, t in enumerate(tiers) if t <= k]
        out[name] = members if level < 2 else list(range(len(parts)))
    return out


def make_layers(parts: tuple[Part, ...], audio: Mixdown, *, loop: bool) -> dict[str, np.ndarray]:
    """The intensity layers of a cue: each the sum of its stem group (stems already at the
    master's loudness gain) through the master's limiter and final trim, so each is a valid mix
    of the same cue at the same level, under the same true-peak ceiling; ``high`` is the mix."""
    groups = layer_groups(parts)
    out: dict[str, np.ndarray] = {}
    for name in LAYER_NAMES:
        members = groups[name]
        if name == "high" or len(members) == len(audio.stems):
            out[name] = audio.mix
        else:
            out[name] = limit([audio.stems[i] for i in members], sample_rate=audio.sample_rate,
                              post_gain=audio.master.post_gain, ceiling_dbtp=audio.master.ceiling_dbtp, loop=loop)
    return out
