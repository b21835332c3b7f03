"""gekiban — an AI composer of anime background music (劇伴).

>>> import gekiban
>>> track = gekiban.compose("dramatic battle", duration=30, seed=7)   # doctest: +SKIP
>>> track.save("out/battle")                                          # doctest: +SKIP

Or resolve the request first, look at it, then compose it:

>>> brief = gekiban.resolve_brief("dramatic battle", duration=30, seed=7)   # doctest: +SKIP
>>> track = gekiban.compose_brief(brief)                                    # doctest: +SKIP

The public names are loaded on first use, so ``import gekiban`` (and ``gekiban --help``) stays
fast: nothing heavy (numpy, FluidSynth) is imported until a cue is composed.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from gekiban.errors import GekibanError

if TYPE_CHECKING:  # pragma: no cover
    from gekiban.bundle.track import Track
    from gekiban.pipeline import compose, compose_brief
    from gekiban.understand.brief import Brief
    from gekiban.understand.resolve import resolve_brief

__all__ = ["Brief", "GekibanError", "Track", "__version__", "compose", "compose_brief", "resolve_brief"]

# gekiban logs (FluidSynth's and GLib's lines among them) for an application to show if it
# wants; a library prints nothing of its own accord.
logging.getLogger(__name__).addHandler(logging.NullHandler())


def __getattr__(name: str) -> Any:
    """Load a public name on first use (PEP 562)."""
    if name == "__version__":
        from gekiban.about import package_version

        value: Any = package_version()
    elif name in ("compose", "compose_brief", "Track"):
        from gekiban import pipeline

        value = getattr(pipeline, name)
    elif name == "Brief":
        from gekiban.understand.brief import Brief as value
    elif name == "resolve_brief":
        from gekiban.understand.resolve import resolve_brief as value
    else:
        raise AttributeError(f"module 'gekiban' has no attribute {name!r}")
    globals()[name] = value  # cache: later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
