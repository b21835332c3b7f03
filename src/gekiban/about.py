"""What this installation of gekiban is: its version."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def package_version() -> str:
    """The installed gekiban version (``"0.1.0"`` when run from a source tree not installed)."""
    try:
        return version("gekiban")
    except PackageNotFoundError:
        return "0.1.0"
