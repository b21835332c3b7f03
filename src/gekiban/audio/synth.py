"""FluidSynth in this process: the SoundFont, the synthesizers, and FluidSynth's and GLib's log
lines routed to :mod:`logging` (logger ``gekiban.audio.synth``), so nothing reaches the terminal
but what gekiban itself says.

pyfluidsynth binds FluidSynth with ctypes but offers neither float output, preset listing nor
log routing; those calls are bound here on the library it loaded. A SoundFont is checked (a
RIFF file of form ``sfbk`` whose size matches) before FluidSynth sees it, so a wrong file is
one clear error instead of the DLS loader's retries.

The font is loaded once per process (:func:`load_font`): its name and preset list are read
then. With ``synth.dynamic-sample-loading`` a preset's samples are read (or decoded, for
``.sf3``) when a synthesizer first selects it, shared with every synthesizer that selects it
meanwhile through FluidSynth's sample cache, and freed when none does any more. A process that
renders many cues (a worker) calls :func:`keep_samples`: one synthesizer that never plays then
keeps the presets used so far selected, so later renders find their samples decoded. A
one-cue process leaves it off and frees the samples before mastering (176 MB for an orchestral
cue on MuseScore General).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import io
import logging
import os
import struct
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType

from gekiban.errors import RenderError, SoundFontError

log = logging.getLogger(__name__)

SOUNDFONT_ENV = "GEKIBAN_SOUNDFONT"
#: Where the Debian packages put their fonts, best first: MuseScore General (real string
#: sections, Expr. presets), lossless (``musescore-general-soundfont-lossless``: 490 MB, its
#: samples read as they are) before the Vorbis-compressed one (``musescore-general-soundfont``:
#: 86 MB, its samples decoded as presets are first used); FluidR3 (``fluid-soundfont-gm``) is
#: the fallback; then whatever the system's ``default-GM`` alternative names.
SOUNDFONT_CANDIDATES = (
    Path("/usr/share/sounds/sf2/MuseScore_General_Full.sf2"),
    Path("/usr/share/sounds/sf3/MuseScore_General_Full.sf3"),
    Path("/usr/share/sounds/sf3/MuseScore_General.sf3"),
    Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"),
    Path("/usr/share/sounds/sf2/default-GM.sf2"),
    Path("/usr/share/sounds/sf3/default-GM.sf3"),
)
INSTALL_HINT = (f"install one with `sudo apt-get install musescore-general-soundfont fluid-soundfont-gm` "
                f"(or `make deps`), or set {SOUNDFONT_ENV} to a General MIDI .sf2/.sf3 file")
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
        existing file of :data:`SOUNDFONT_CANDIDATES` (Debian's ``musescore-general-soundfont``
        locations, then ``fluid-soundfont-gm``).

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
def _bound(name: str, restype: object, *argtypes: object) -> ctypes._CFuncPtr:  # type: ignore[name-defined]
    """A FluidSynth call pyfluidsynth does not bind, bound on the library it loaded."""
    return ctypes.CFUNCTYPE(restype, *argtypes)((name, fluidsynth_module()._fl))


def write_float() -> ctypes._CFuncPtr:  # type: ignore[name-defined]
    """``fluid_synth_write_float(synth, len, lout, loff, lincr, rout, roff, rincr)``: interleaved
    float output (pyfluidsynth only exposes 16-bit output)."""
    v, i = ctypes.c_void_p, ctypes.c_int
    return _bound("fluid_synth_write_float", i, v, i, v, i, i, v, i, i)


def nwrite_float() -> ctypes._CFuncPtr:  # type: ignore[name-defined]
    """``fluid_synth_nwrite_float(synth, len, left[], right[], fx_left[], fx_right[])``: planar
    float output, one left and one right buffer per audio channel (no effects buffers)."""
    v = ctypes.c_void_p
    return _bound("fluid_synth_nwrite_float", ctypes.c_int, v, ctypes.c_int, v, v, v, v)


def new_synth(soundfont: Path, sample_rate: int, *, channels: int = 16) -> tuple[object, int]:
    """A synthesizer with ``soundfont`` loaded: ``channels`` MIDI channels (a multiple of 16),
    one stereo output, reverb and chorus off, samples loaded as presets are selected; driven
    by one thread.

    Returns the pyfluidsynth ``Synth`` and the font's id in it.
    """
    fs = fluidsynth_module()
    synth = fs.Synth(gain=SYNTH_GAIN, samplerate=float(sample_rate), channels=channels, **{
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


def trim_heap() -> None:
    """Give the C heap's free memory back to the system (glibc ``malloc_trim``; nothing elsewhere).

    FluidSynth allocates each sample and each voice buffer with ``malloc`` from the rendering
    thread's arena; freed when a part's synthesizer goes, they stay in the arenas (150 MB after
    an orchestral cue on MuseScore General) unless trimmed. Called by hand through ctypes: the
    standard library has no binding for it.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@cache
def _malloc_trim() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


# --------------------------------------------------------------------------- the font, once per process


@dataclass(frozen=True, eq=False)
class Font:
    """A loaded SoundFont: its file, its own name (INAM) and the presets it has.

    ``presets`` maps ``(bank, program)`` to the preset's name, as FluidSynth lists them.
    """

    path: Path
    name: str
    presets: Mapping[tuple[int, int], str] = field(repr=False)

    def has(self, bank: int, program: int) -> bool:
        """True when the font has preset ``bank:program``."""
        return (bank, program) in self.presets


#: Presets the keeping synthesizer holds at most (least recently used ones are let go).
KEEP_PRESETS = 64
_fonts: dict[tuple[str, int, int], tuple[Font, _Keeper]] = {}
_fonts_lock = threading.Lock()
_keeping = False


class _Keeper:
    """A synthesizer that never plays: its channels keep the presets used so far selected, so
    their decoded samples stay in FluidSynth's sample cache for later renders."""

    def __init__(self, synth: object, sfid: int) -> None:
        self.synth, self.sfid = synth, sfid
        self.held: OrderedDict[tuple[int, int], int] = OrderedDict()  # preset -> channel
        self.lock = threading.Lock()

    def hold(self, presets: Iterable[tuple[int, int]]) -> None:
        fs = fluidsynth_module()
        with self.lock:
            for preset in presets:
                if preset in self.held:
                    self.held.move_to_end(preset)
                    continue
                if len(self.held) < KEEP_PRESETS:
                    channel = len(self.held)
                else:
                    channel = self.held.popitem(last=False)[1]
                if fs.fluid_synth_program_select(self.synth.synth, channel, self.sfid, *preset) == 0:  # type: ignore[attr-defined]
                    self.held[preset] = channel


def load_font(soundfont: Path) -> Font:
    """The SoundFont at ``soundfont``, loaded once per process (again only when the file changes).

    Reads its name and preset list, and starts the synthesizer that keeps used presets decoded
    (:func:`hold_presets`). With ``synth.dynamic-sample-loading`` this takes milliseconds even
    for a large font; samples are read (or decoded, for ``.sf3``) as presets are first selected.

    Raises
    ------
    SoundFontError
        If FluidSynth cannot load the file.
    """
    try:
        st = os.stat(soundfont)
    except OSError as exc:
        raise SoundFontError(f"cannot read SoundFont {str(soundfont)!r}: {exc.strerror or exc}") from None
    key = (os.fspath(soundfont), st.st_size, st.st_mtime_ns)
    with _fonts_lock:
        if key not in _fonts:
            synth, sfid = new_synth(soundfont, 44100, channels=KEEP_PRESETS)
            font = Font(path=Path(soundfont), name=font_name(soundfont), presets=_list_presets(synth, sfid))
            _fonts[key] = (font, _Keeper(synth, sfid))
        return _fonts[key][0]


def keep_samples(on: bool = True) -> None:
    """Keep the samples of the presets used so far decoded for later renders in this process
    (on), or let each render free them when it is done (off, the default). Turning it off lets
    go of what is held."""
    global _keeping
    _keeping = bool(on)
    if not _keeping:
        fs = fluidsynth_module()
        for _, keeper in list(_fonts.values()):
            with keeper.lock:
                for channel in keeper.held.values():
                    fs.fluid_synth_unset_program(keeper.synth.synth, channel)  # type: ignore[attr-defined]
                keeper.held.clear()


def hold_presets(font: Font, presets: Iterable[tuple[int, int]]) -> None:
    """With :func:`keep_samples` on, keep ``presets`` of ``font`` selected in the process's
    keeping synthesizer (call it while a synthesizer that uses them still holds them, so their
    samples are not decoded twice)."""
    if not _keeping:
        return
    for loaded, keeper in list(_fonts.values()):
        if loaded is font:
            keeper.hold(presets)
            return


def held_presets(font: Font) -> frozenset[tuple[int, int]]:
    """The presets of ``font`` the process keeps decoded now."""
    for loaded, keeper in list(_fonts.values()):
        if loaded is font:
            with keeper.lock:
                return frozenset(keeper.held)
    return frozenset()


def _list_presets(synth: object, sfid: int) -> dict[tuple[int, int], str]:
    v = ctypes.c_void_p
    sfont = _bound("fluid_synth_get_sfont_by_id", v, v, ctypes.c_int)(synth.synth, sfid)  # type: ignore[attr-defined]
    if not sfont:
        raise SoundFontError("FluidSynth lost the SoundFont it had loaded")
    _bound("fluid_sfont_iteration_start", None, v)(sfont)
    step = _bound("fluid_sfont_iteration_next", v, v)
    bank = _bound("fluid_preset_get_banknum", ctypes.c_int, v)
    number = _bound("fluid_preset_get_num", ctypes.c_int, v)
    name = _bound("fluid_preset_get_name", ctypes.c_char_p, v)
    presets = {}
    while preset := step(sfont):
        presets[(bank(preset), number(preset))] = (name(preset) or b"").decode("latin-1").strip()
    return presets


def font_name(path: Path) -> str:
    """The name a SoundFont gives itself (INAM in its INFO list), or "" when it has none.

    Read by hand from the first bytes of the file: FluidSynth does not expose the INFO list.
    """
    try:
        with open(path, "rb") as f:
            head = f.read(12)
            if head[:4] != b"RIFF" or head[8:12] != b"sfbk":
                return ""
            chunk = f.read(12)  # LIST, size, INFO
            if len(chunk) < 12 or chunk[:4] != b"LIST" or chunk[8:12] != b"INFO":
                return ""
            info = f.read(min(struct.unpack("<I", chunk[4:8])[0] - 4, 1 << 16))
    except OSError:
        return ""
    pos = 0
    while pos + 8 <= len(info):
        cid, size = info[pos : pos + 4], struct.unpack("<I", info[pos + 4 : pos + 8])[0]
        if cid == b"INAM":
            return info[pos + 8 : pos + 8 + size].split(b"\0", 1)[0].decode("latin-1").strip()
        pos += 8 + size + (size & 1)
    return ""
