"""The composer: a resolved Brief and its Style become a Score in musical time (no audio).

Stages, each a function of its inputs and its own generator derived from the one seed:
:mod:`~gekiban.composer.form` (sections, energy and tension), :mod:`~gekiban.composer.tempo`
(tempo maps that land hit points), :mod:`~gekiban.composer.harmony` (progressions, cadences,
voicings), :mod:`~gekiban.composer.motifs` and :mod:`~gekiban.composer.melody` (the lead line),
:mod:`~gekiban.composer.arrange` with :mod:`~gekiban.composer.figures` and
:mod:`~gekiban.composer.drums` (the parts), :mod:`~gekiban.composer.perform` (swing, humanizing,
playability). :mod:`~gekiban.composer.build` runs them in order; :mod:`~gekiban.composer.extend`
continues a Score to a longer length.
"""

from __future__ import annotations

from gekiban.composer.build import build_score
from gekiban.composer.extend import extend_score

__all__ = ["build_score", "extend_score"]
