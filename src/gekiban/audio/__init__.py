"""Audio: a Score becomes stems and a mastered mix, and audio files on disk.

:mod:`~gekiban.audio.render` synthesises each part with FluidSynth; :mod:`~gekiban.audio.balance`
levels parts by role; :mod:`~gekiban.audio.stem` gives each its gain, pan, EQ and reverb;
:mod:`~gekiban.audio.loops` folds loops and fades endings; :mod:`~gekiban.audio.meter` measures
loudness and true peak; :mod:`~gekiban.audio.limiter` and :mod:`~gekiban.audio.master` make the
master bus; :mod:`~gekiban.audio.mixdown` runs the chain; :mod:`~gekiban.audio.files` writes and
reads WAV, FLAC and MP3; :mod:`~gekiban.audio.analysis` measures rendered audio for checks.
"""
