"""The ``gekiban`` command line.

``gekiban compose "PROMPT" [options]`` writes a bundle (mix, stems, score.mid, track.json);
``extend``, ``edit`` and ``vary`` make new bundles from one; ``explain`` shows how a prompt is
read; ``evaluate`` measures bundles; ``styles`` and ``instruments`` list what can be asked for.
:mod:`~gekiban.cli.main` dispatches, :mod:`~gekiban.cli.parser` holds the options.
"""

from __future__ import annotations

from gekiban.cli.main import main

__all__ = ["main"]
