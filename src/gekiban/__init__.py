"""gekiban — an AI composer of anime background music (劇伴).

>>> import gekiban
>>> track = gekiban.compose("dramatic battle", duration=30, seed=7)   # doctest: +SKIP
>>> track.save("out/battle")                                          # doctest: +SKIP

The public names are loaded on first use, so ``import gekiban`` (and ``gekiban --help``) stays
fast: nothing heavy (numpy, FluidSynth) is imported until a cue is composed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gekiban.errors import GekibanError

if TYPE_CHECKING:  # pragma: no cover
    from gekiban.brief import Brief
    from gekiban.pipeline import Track, compose

__all__ = ["compose", "Track", "Brief", "GekibanError", "__version__"]

_LAZY = {
    "compose": ("gekiban.pipeline", "compose"),
    "Track": ("gekiban.pipeline", "Track"),
    "Brief": ("gekiban.brief", "Brief"),
    "resolve_brief": ("gekiban.brief", "resolve_brief"),
}


def _version() -> str:
    try:
        from importlib.metadata import PackageNotFoundError, version
    except ImportError:  # pragma: no cover
        return "0.1.0"
    try:
        return version("gekiban")
    except PackageNotFoundError:
        return "0.1.0"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value = _version()
    elif name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
    else:
        raise AttributeError(f"module 'gekiban' has no attribute {name!r}")
    globals()[name] = value  # cache: later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | set(_LAZY))
