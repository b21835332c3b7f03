"""FluidSynth in this process: the SoundFont, one synthesizer per part, and FluidSynth's and
GLib's log lines routed to :mod:`logging` (logger ``gekiban.audio.synth``), so nothing reaches
the terminal but what gekiban itself says.

pyfluidsynth binds FluidSynth with ctypes but offers neither float output nor log routing;
those two calls are bound here on the library it loaded. A SoundFont is checked (a RIFF file
of form ``sfbk`` whose size matches) before FluidSynth sees it, so a wrong file is one clear
error instead of the DLS loader's retries.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import io
import logging
import os
import struct
from functools import cache
from pathlib import Path
from types import ModuleType

from gekiban.errors import RenderError, SoundFontError

log = logging.getLogger(__name__)

SOUNDFONT_ENV = "GEKIBAN_SOUNDFONT"
SOUNDFONT_CANDIDATES = (
    Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"),
    Path("/usr/share/sounds/sf2/default-GM.sf2"),
    Path("/usr/share/sounds/sf3/MuseScore_General.sf3"),
    Path("/usr/share/sounds/sf3/default-GM.sf3"),
)
INSTALL_HINT = (f"install one with `sudo apt-get install fluid-soundfont-gm` (or `make deps`), "
                f"or set {SOUNDFONT_ENV} to a General MIDI .sf2/.sf3 file")
#: FluidSynth master gain: dense fortissimo parts peak near -7 dBFS (see :mod:`gekiban.audio.render`).
SYNTH_GAIN = 0.125
_LOG_LEVELS = {0: logging.ERROR, 1: logging.ERROR, 2: logging.WARNING, 3: logging.DEBUG, 4: logging.DEBUG}
_LOG_FUNC = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)
# GLib's GLogFunc(log_domain, log_level, message, user_data); its levels by bit: error, critical,
# warning, message, info, debug.
_GLIB_LOG_FUNC = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)
_GLIB_LEVELS = ((1 << 2, logging.ERROR), (1 << 3, logging.ERROR), (1 << 4, logging.WARNING), (1 << 5, logging.INFO))


def find_soundfont(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Locate a General MIDI SoundFont.

    Parameters
    ----------
    explicit
        A path to use; else the ``GEKIBAN_SOUNDFONT`` environment variable; else the first
        existing file of :data:`SOUNDFONT_CANDIDATES` (Debian's ``fluid-soundfont-gm`` and
        ``musescore-general-soundfont`` locations).

    Returns
    -------
    Path
        An existing file that starts like a SoundFont (:func:`check_soundfont`).

    Raises
    ------
    SoundFontError
        If the given path (argument or environment) is not a SoundFont file, or none is
        installed; the message says how to install one.
    """
    for given, origin in ((explicit, "soundfont"), (os.environ.get(SOUNDFONT_ENV) or None, SOUNDFONT_ENV)):
        if given is not None:
            path = Path(given).expanduser()
            if not path.is_file():
                raise SoundFontError(f"{origin} {os.fspath(given)!r} is not a file; {INSTALL_HINT}")
            return check_soundfont(path)
    for path in SOUNDFONT_CANDIDATES:
        if path.is_file():
            return check_soundfont(path)
    tried = ", ".join(str(p) for p in SOUNDFONT_CANDIDATES)
    raise SoundFontError(f"no General MIDI SoundFont found (looked in {tried}); {INSTALL_HINT}")


def check_soundfont(path: Path) -> Path:
    """Raise :class:`SoundFontError` unless ``path`` starts like a SoundFont: a RIFF file of
    form ``sfbk`` that is as long as its header says."""
    try:
        with open(path, "rb") as f:
            head = f.read(12)
        size = os.path.getsize(path)
    except OSError as exc:
        raise SoundFontError(f"cannot read SoundFont {str(path)!r}: {exc.strerror or exc}") from None
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"sfbk":
        raise SoundFontError(f"{str(path)!r} is not a SoundFont (no RIFF 'sfbk' header); {INSTALL_HINT}")
    if struct.unpack("<I", head[4:8])[0] + 8 > size:
        raise SoundFontError(f"SoundFont {str(path)!r} is truncated ({size} bytes, its header says "
                             f"{struct.unpack('<I', head[4:8])[0] + 8}); {INSTALL_HINT}")
    return path


@_LOG_FUNC
def _fluid_log(level: int, message: bytes | None, _data: object) -> None:
    text = message.decode("utf-8", "replace") if message else ""
    log.log(_LOG_LEVELS.get(level, logging.DEBUG), "fluidsynth: %s", text)


@_GLIB_LOG_FUNC
def _glib_log(domain: bytes | None, level: int, message: bytes | None, _data: object) -> None:
    text = message.decode("utf-8", "replace") if message else ""
    where = domain.decode("utf-8", "replace") if domain else "glib"
    log.log(next((lv for bit, lv in _GLIB_LEVELS if level & bit), logging.DEBUG), "%s: %s", where, text)


def _route_glib_log() -> None:
    """Send GLib's log (libinstpatch, which FluidSynth loads for DLS files, reports through it)
    to :mod:`logging` instead of the terminal."""
    name = ctypes.util.find_library("glib-2.0")
    if not name:
        return
    try:
        glib = ctypes.CDLL(name)
        glib.g_log_set_default_handler.restype = ctypes.c_void_p
        glib.g_log_set_default_handler(_glib_log, None)
    except (OSError, AttributeError):
        return


@cache
def fluidsynth_module() -> ModuleType:
    """Import pyfluidsynth quietly and route FluidSynth's own log lines to :mod:`logging`."""
    sink = io.StringIO()
    try:  # pyfluidsynth prints where it found the library when $CI is set
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            import fluidsynth
    except (ImportError, OSError) as exc:
        raise RenderError(f"cannot load FluidSynth ({exc}); install it with `sudo apt-get install libfluidsynth3`") from exc
    set_log = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_int, _LOG_FUNC, ctypes.c_void_p)(
        ("fluid_set_log_function", fluidsynth._fl))
    for level in _LOG_LEVELS:
        set_log(level, _fluid_log, None)
    _route_glib_log()
    return fluidsynth


@cache
def write_float() -> ctypes._CFuncPtr:  # type: ignore[name-defined]
    """``fluid_synth_write_float(synth, len, lout, loff, lincr, rout, roff, rincr)``.

    pyfluidsynth only exposes 16-bit output; bind the float call on the library it loaded.
    """
    proto = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int,
                             ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_int)
    return proto(("fluid_synth_write_float", fluidsynth_module()._fl))


def new_synth(soundfont: Path, sample_rate: int) -> tuple[object, int]:
    fs = fluidsynth_module()
    synth = fs.Synth(gain=SYNTH_GAIN, samplerate=float(sample_rate), channels=16, **{
        "synth.reverb.active": 0, "synth.chorus.active": 0,
        "synth.dynamic-sample-loading": 1,  # load only the presets in use; shared via the sample cache
        "synth.threadsafe-api": 0,  # one thread drives each synth
        "synth.cpu-cores": 1,
    })
    if not synth.synth:
        synth.delete()
        raise RenderError(f"FluidSynth could not create a synthesizer at {sample_rate} Hz")
    sfid = synth.sfload(os.fspath(soundfont))
    if sfid < 0:
        synth.delete()
        raise SoundFontError(f"{soundfont} is not a SoundFont FluidSynth can load; {INSTALL_HINT}")
    return synth, sfid

