"""Shared fixtures: seeded generators and a small, fixed style library built in code."""

from __future__ import annotations

import pytest
from style_fixtures import FAKE_STYLES


@pytest.fixture
def rng():
    """A seeded numpy Generator (same numbers in every run)."""
    import numpy as np

    return np.random.default_rng(20240601)


@pytest.fixture
def fake_styles():
    """The fixed six-style library of :mod:`style_fixtures` (names in ``FAKE_STYLES``)."""
    return FAKE_STYLES


class FakeTrack:
    """What the command line needs of a Track, without composing: a brief, a short score and a
    master result; ``save`` writes a stand-in mix."""

    def __init__(self, brief):
        from types import SimpleNamespace

        self.brief = brief
        self.sample_rate = 48000
        self.style = SimpleNamespace(name=brief.style)
        self.score = SimpleNamespace(duration=3.2, tempo=(SimpleNamespace(bpm=brief.tempo),), key=brief.key, meter=brief.meter)
        self.master = SimpleNamespace(integrated_lufs=-14.02, true_peak_dbtp=-1.3)

    def save(self, directory, *, format="wav", layers=False, delivery=None):
        from pathlib import Path

        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        (d / f"mix.{format}").write_bytes(b"RIFF")
        return d


@pytest.fixture
def fake_pipeline(monkeypatch):
    """``gekiban compose`` over the fixed test styles with a stand-in for ``compose_brief`` that
    records each call (``{"brief": ..., **options}``) and returns a :class:`FakeTrack`; the
    SoundFont look-up is skipped."""
    from functools import partial

    from gekiban import pipeline
    from gekiban.audio import synth
    from gekiban import requests as compose_requests
    from gekiban.understand.resolve import resolve_brief

    calls: list[dict] = []

    def compose_brief(brief, **kw):
        calls.append({"brief": brief, **kw})
        for stage in ("composing", "rendering", "mastering"):
            kw["progress"](stage, 0.5)
        return FakeTrack(brief)

    monkeypatch.setattr(pipeline, "compose_brief", compose_brief)
    monkeypatch.setattr(compose_requests, "resolve_brief", partial(resolve_brief, styles=FAKE_STYLES))
    monkeypatch.setattr(synth, "find_soundfont", lambda path=None: None)
    return calls


@pytest.fixture
def no_compose(monkeypatch):
    """``gekiban compose`` over the fixed test styles that fails the test if it gets as far as
    composing: bad input must stop before."""
    from functools import partial

    from gekiban import pipeline
    from gekiban import requests as compose_requests
    from gekiban.understand.resolve import resolve_brief

    def compose_brief(*a, **k):  # pragma: no cover - reaching it is the failure
        raise AssertionError("compose_brief was called despite bad input")

    monkeypatch.setattr(pipeline, "compose_brief", compose_brief)
    monkeypatch.setattr(compose_requests, "resolve_brief", partial(resolve_brief, styles=FAKE_STYLES))
