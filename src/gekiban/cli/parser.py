"""The argument parser of the ``gekiban`` command (standard library only, so ``--help`` answers
at once). Options stay strings here; the commands check them."""

from __future__ import annotations

import argparse
from typing import Any, NoReturn

from gekiban.cli.common import fail
from gekiban.cli.export import add_export_command
from gekiban.cli.menu import add_menu_command
from gekiban.cli.serve import add_serve_command
from gekiban.cli.style import add_style_command

_EPILOG = """\
examples:
  gekiban compose "dramatic battle"
  gekiban compose "切ない別れのシーン、ピアノ" --duration 1:30 --seed 7
  gekiban compose "city night chase" --tempo 168 --key "E minor" --format flac
  gekiban compose --style "lofi:0.7+chiptune:0.3" --instruments "piano,synth bass,drums"
"""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (``gekiban: error: ...``) and exit status 2."""

    def error(self, message: str) -> NoReturn:
        fail(f"{message} (see `{self.prog} --help`)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    p = _Parser(prog="gekiban", description="AI composer of anime background music (劇伴): "
                "prompt → mix, stems, MIDI and metadata.")
    p.add_argument("--version", action="store_true", help="print the version and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    c = sub.add_parser("compose", help="compose a cue from a prompt and write its bundle",
                       description="Compose, render and master a cue. Explicit options win over the prompt.",
                       epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("prompt", nargs="*", help="what the scene needs, in English or Japanese (may be empty with --style)")
    c.add_argument("--duration", metavar="LEN", help="length: seconds (90), m:ss (1:30), 2m, 1m30s; at most 20 minutes (default 60 s)")
    c.add_argument("--seed", metavar="N", help="random seed 0-4294967295: same inputs and seed give the same cue (default: random, printed)")
    c.add_argument("--key", metavar="KEY", help='key, e.g. "D major", "F# minor", "A dorian"')
    c.add_argument("--tempo", metavar="BPM", help="tempo in quarter notes per minute, 30-300")
    c.add_argument("--meter", metavar="N/D", help="time signature, e.g. 4/4, 3/4, 6/8")
    c.add_argument("--style", metavar="NAME", help='style name or blend, e.g. "lofi" or "lofi:0.7+orchestral-battle:0.3" (see `gekiban styles`)')
    c.add_argument("--instruments", metavar="LIST", help='comma-separated instruments replacing the style\'s, e.g. "piano,strings" (see `gekiban instruments`)')
    c.add_argument("--out", metavar="DIR", help="bundle folder (default out/<prompt-or-style>-<seed>)")
    c.add_argument("--format", metavar="FMT", default="wav",
                   help="mix format: wav, flac, ogg (Vorbis, for games) or mp3 (default wav)")
    c.add_argument("--stems-format", metavar="FMT", default="float",
                   help="stems: float (32-bit WAV, default: the only format whose stems add up exactly to the mix), "
                   "wav16, wav24, flac16 or flac24 (integer stems clip at full scale)")
    c.add_argument("--stem-names", metavar="SCHEME", default="plain",
                   help="plain (01-lead-french-horn.wav, default) or tempo-key (01-lead-french-horn_152bpm_Dm.wav)")
    c.add_argument("--musicxml", action="store_true",
                   help="also write score.musicxml: parts for players, opened by MuseScore, Dorico, Sibelius, Finale")
    c.add_argument("--delivery", metavar="KIND", default="standard",
                   help="standard (default) or video: 48 kHz 24-bit WAV mix and 24-bit WAV stems")
    c.add_argument("--loudness", metavar="TARGET", default="stream",
                   help="mix loudness: stream (-14 LUFS), ebu (-23), arib (-24) or LUFS from -40 to -6 (default stream)")
    c.add_argument("--sample-rate", metavar="HZ", default="48000", help="44100 or 48000 (default 48000)")
    c.add_argument("--soundfont", metavar="PATH", help="General MIDI SoundFont (.sf2/.sf3); default $GEKIBAN_SOUNDFONT, else Debian's MuseScore General, else FluidR3")
    c.add_argument("--quiet", "-q", action="store_true", help="no progress display")
    add_seed_options(c)
    _add_timing_options(c)
    _add_bundle_commands(sub)
    r = sub.add_parser("regenerate", help="rebuild a bundle from its provenance and compare the files",
                       description="Compose again from the request recorded in track.json's provenance, prove "
                       "score.mid byte-identical (exit 1 if not) and say which audio files match (audio may differ "
                       "when the SoundFont or FluidSynth differ).")
    r.add_argument("bundle", metavar="DIR", help="a bundle folder written by `gekiban compose`")
    r.add_argument("--out", metavar="NEW", help="new bundle folder (default DIR-regenerated)")
    r.add_argument("--soundfont", metavar="PATH", help="General MIDI SoundFont (default $GEKIBAN_SOUNDFONT or Debian's)")

    sub.add_parser("styles", help="list the styles with one-line descriptions",
                   description="List the styles (use a name with `compose --style`).")
    sub.add_parser("instruments", help="list instrument ids, GM program and range",
                   description="List the instruments (use ids or names with `compose --instruments`).")
    _add_explain_command(sub)
    e = sub.add_parser("evaluate", help="measure bundles or MIDI files: statistics, structure, playability, originality",
                       description="Print per-track and aggregate metrics of bundles (folders with score.mid and "
                       "track.json) or MIDI files; with --reference, the overlapping area of each metric against "
                       "public-domain music from the music21 corpus.")
    e.add_argument("paths", nargs="+", metavar="PATH", help="bundle folder or MIDI file")
    e.add_argument("--reference", action="store_true", help="compare with the human reference (overlapping area per metric)")
    e.add_argument("--split", default="all", metavar="SPLIT", help="reference pieces to use: all, dev or heldout (default all)")
    e.add_argument("--json", action="store_true", help="print the report as JSON")
    e.add_argument("--motif", metavar="NAME", help="instead of the metrics, find this motif of the motif library in "
                   "each piece (transposition- and tempo-invariant)")
    e.add_argument("--notes", metavar="NOTES", help='instead of the metrics, find these notes, e.g. "E4 G4 A4 B4-"')
    e.add_argument("--originality", action="store_true", help="instead of the metrics, the longest melodic match of "
                   "each piece's melodic parts in the reference corpus (transposition-free), with a warning above "
                   "the corpus-derived threshold")
    e.add_argument("--avoid", metavar="DIR", help="with --originality: also match against the MIDI files in this "
                   "\"do not imitate\" folder")
    add_serve_command(sub)
    _add_motif_command(sub)
    add_menu_command(sub)
    add_export_command(sub)
    add_style_command(sub, _Parser)
    return p


def add_seed_options(c: argparse.ArgumentParser) -> None:
    """--chords, --from-midi and --motif: a progression, a melody seed and themes to build on."""
    c.add_argument("--chords", metavar="CHORDS",
                   help='progression every section plays: "Am F C G", "vi IV I V" or a name such as royal-road / 王道進行')
    c.add_argument("--from-midi", metavar="FILE",
                   help="MIDI seed: its melody's first bars become the main motif, its chord track the progression")
    c.add_argument("--motif", metavar="NAME[,NAME]",
                   help="build the lead from these motifs of the motif library (see `gekiban motif list`), developed "
                   "to fit the cue")


def _add_motif_command(sub: Any) -> None:
    m = sub.add_parser("motif", help="the motif library: add, list, show or remove named themes",
                       description="Named themes (leitmotifs) kept in the data folder's motifs/ folder; "
                       "`compose --motif NAME` builds a cue's lead from one.")
    verbs = m.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)
    a = verbs.add_parser("add", help="add a motif from notes or a MIDI file",
                         description='Add a motif: --notes "E4 G4 A4 B4-" (a length after each pitch: none = a beat, '
                         "'-' adds a beat, '/' halves, '.' dots; 'r' is a rest) or --from FILE.mid (the top line of a "
                         "track).")
    a.add_argument("name", metavar="NAME", help="1-40 characters of a-z, 0-9 and '-'")
    a.add_argument("--notes", metavar="NOTES", help='the notes, e.g. "E4 G4 A4 B4-"')
    a.add_argument("--from", dest="from_file", metavar="FILE.mid", help="a MIDI file: the top line of a track")
    a.add_argument("--track", metavar="NAME|N", help="with --from: the track's name or number (default the busiest)")
    a.add_argument("--chords", metavar="CHORDS", help='optional harmony, e.g. "Em C D"')
    a.add_argument("--replace", action="store_true", help="replace a motif of that name")
    verbs.add_parser("list", help="list the motifs")
    for verb, text in (("show", "print a motif's notes and harmony"), ("remove", "delete a motif")):
        verbs.add_parser(verb, help=text).add_argument("name", metavar="NAME")
    for p in verbs.choices.values():
        p.add_argument("--data", metavar="DIR", help="data folder (default $GEKIBAN_DATA, else ~/.local/share/gekiban)")
        p.add_argument("--json", action="store_true", help="print JSON")


def _add_explain_command(sub: Any) -> None:
    x = sub.add_parser("explain", help="show how a prompt is read: the brief and the evidence for each field",
                       description="Read a prompt (English or Japanese) and print the resolved brief with, for each "
                       "field, where its value came from: the words, the closest styles and their scores, or the "
                       "default used. Options win over the prompt, as in compose.")
    x.add_argument("prompt", nargs="*", help="what the scene needs (may be empty: shows the defaults)")
    for flag, meta, text in (("--duration", "LEN", "length"), ("--seed", "N", "random seed"), ("--key", "KEY", "key"),
                             ("--tempo", "BPM", "tempo"), ("--meter", "N/D", "time signature"),
                             ("--style", "NAME", "style name or blend"), ("--instruments", "LIST", "instruments")):
        x.add_argument(flag, metavar=meta, help=f"{text}, as for compose")
    add_seed_options(x)
    x.add_argument("--json", action="store_true", help="print the brief and the evidence as JSON")


def _add_timing_options(c: argparse.ArgumentParser) -> None:
    """The compose options that shape the cue in time."""
    g = c.add_argument_group("shape in time")
    g.add_argument("--arc", metavar="STAGES", help='emotion arc spread over the cue, e.g. "calm>build>climax>resolve"')
    g.add_argument("--arc-file", metavar="JSON", help='arc points: a JSON list of {"time": "0:45", "intensity": 0-1, "tension": 0-1}')
    g.add_argument("--section", action="append", default=[], metavar="TIME=MOOD",
                   help="a mood from TIME on, e.g. 0:45=tense (repeatable; English or Japanese moods such as 緊張)")
    g.add_argument("--hit", action="append", default=[], metavar="TIME",
                   help="put an accented section downbeat at TIME, e.g. 0:42.5 (repeatable)")
    g.add_argument("--ending", metavar="KIND", help="ring (default: final chord rings out), fade, button or loop")
    g.add_argument("--loop", action="store_true", default=None, help="a seamless loop of whole bars (same as --ending loop)")
    g.add_argument("--cue", metavar="TYPE", help="short cue type with its usual length: stinger, eyecatch, preview or bumper")
    g.add_argument("--layers", action="store_true", help="also write layers/low, mid, high: stem groups for adaptive use")


def _add_bundle_commands(sub: Any) -> None:
    x = sub.add_parser("extend", help="continue a bundle to a longer length with new sections",
                       description="Continue a bundle: the bars before its ending stay note for note, new sections "
                       "from the same motifs, harmony and palette follow, then a new ending.")
    x.add_argument("bundle", metavar="DIR", help="a bundle folder written by gekiban")
    x.add_argument("--to", required=True, metavar="LEN", help="new length: seconds (240), m:ss (4:00), 4m")
    x.add_argument("--out", metavar="NEW", help="new bundle folder (default DIR-extended)")
    e = sub.add_parser("edit", help="change tempo, key, instruments, mutes or intensity without recomposing",
                       description="Re-render the same composition with edits; notes change only as an edit asks.")
    e.add_argument("bundle", metavar="DIR", help="a bundle folder written by gekiban")
    e.add_argument("--tempo", metavar="BPM", help="new tempo, 30-300 (a bent tempo map keeps its shape)")
    e.add_argument("--key", metavar="KEY", help='new key, e.g. "E minor" (moves the shortest way; a new mode maps scale degrees)')
    e.add_argument("--instrument", action="append", default=[], metavar="ROLE=INST",
                   help="give a role another instrument, e.g. lead=flute (repeatable)")
    e.add_argument("--mute", action="append", default=[], metavar="ROLE", help="leave a role out, e.g. drums (repeatable)")
    e.add_argument("--intensity", metavar="STEP", help="+1, +2, -1 or -2: dynamics and balance up or down")
    e.add_argument("--out", required=True, metavar="NEW", help="new bundle folder")
    v = sub.add_parser("vary", help="make variations that keep the harmony and the main motif",
                       description="Compose variations of a bundle: same form, harmony and main motif; new "
                       "development, arrangement and performance. Each goes to its own bundle.")
    v.add_argument("bundle", metavar="DIR", help="a bundle folder written by gekiban")
    v.add_argument("--count", default="4", metavar="N", help="how many variations, 1-16 (default 4)")
    v.add_argument("--out", metavar="PREFIX", help="folder prefix: PREFIX-1 … PREFIX-N (default DIR-var)")
    for p in (x, e, v):
        p.add_argument("--layers", action="store_true", default=None, help="also write intensity layers (default: as the source)")
        p.add_argument("--soundfont", metavar="PATH", help="General MIDI SoundFont (default $GEKIBAN_SOUNDFONT or Debian's)")
        p.add_argument("--quiet", "-q", action="store_true", help="no progress display")


def _option_strings(parser: argparse.ArgumentParser) -> tuple[set[str], set[str]]:
    """All option strings of ``parser`` and its subcommands, and those that take a value.
    (argparse keeps its actions in ``_actions``; there is no public list.)"""
    every: set[str] = set()
    valued: set[str] = set()
    for action in parser._actions:
        every |= set(action.option_strings)
        if action.option_strings and action.nargs != 0:
            valued |= set(action.option_strings)
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                more, more_valued = _option_strings(sub)
                every |= more
                valued |= more_valued
    return every, valued


def attach_dash_values(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """``--meter -3/4`` as ``--meter=-3/4``: argparse takes a value that starts with ``-`` for an
    option and says only "expected one argument"; joined, the value reaches its check, which
    names it and what is allowed. A following word that is itself an option is left alone."""
    every, valued = _option_strings(parser)
    out: list[str] = []
    i = 0
    while i < len(argv):
        word = argv[i]
        if word in valued and i + 1 < len(argv) and argv[i + 1].startswith("-") and argv[i + 1] not in every \
                and argv[i + 1] != "--":
            out.append(f"{word}={argv[i + 1]}")
            i += 2
        else:
            out.append(word)
            i += 1
    return out
