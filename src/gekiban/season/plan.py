"""Plan a menu: one :class:`~gekiban.requests.ComposeRequest` per cue, with a shared palette,
a key plan and seeds that make a rebuild reproducible.

- **Palette**: the menu's (a style name: that style's line-up; a named line-up such as
  ``orchestra`` or ``string quartet``; else an instrument list), otherwise the line-up of the
  style the theme cue's description resolves to. Every cue plays it (``instruments``), so a
  season sounds like one score while each cue's description still picks its idiom (tempo,
  harmony, groove, mood).
- **Keys**: the theme cues in the main key (the menu's, else the one the theme resolves to);
  the others in closely related keys by use and by the mode their mood asks for (the mode of
  the key the cue's description resolves to): same mode — scene → subdominant, situation and
  stinger → dominant, the rest → tonic; other mode — the relative key, or for situation and
  stinger the dominant of the relative. A key the cue or its description names is kept.
- **Seeds**: from the menu title and the M-number (SHA-256), never random.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, fields
from typing import Any

from gekiban.errors import InvalidOptionError, NotFoundError, StyleError
from gekiban.motifs import Motif, MotifLibrary, data_home, parse_notes
from gekiban.requests import ComposeRequest
from gekiban.season.menu import Cue, Menu, MenuError
from gekiban.styles import find_style
from gekiban.theory import Key, parse_key
from gekiban.understand.choices import palette as style_palette
from gekiban.understand.named import table as named_table
from gekiban.understand.options import parse_instruments
from gekiban.understand.resolve import resolve_brief

__all__ = ["CueJob", "cue_seed", "plan_menu", "prepare_motifs", "related_key", "resolve_palette"]

#: The cue type (``--cue``) of the uses that have one.
CUE_TYPES = {"stinger": "stinger", "eye-catch": "eyecatch", "preview": "preview"}
#: The degree (semitones above the tonic) a cue of each use moves to when its mode is the main
#: key's; the other-mode move is to the relative key, plus a fifth for the tense uses.
SAME_MODE_SHIFT = {"scene": 5, "situation": 7, "stinger": 7}
OTHER_MODE_FIFTH = ("situation", "stinger")


@dataclass(frozen=True)
class CueJob:
    """A cue ready to compose: its request (every option as text), the key planned, the shared
    palette, the seed, the motif names and whether the request carries them."""

    cue: Cue
    request: ComposeRequest
    key: str
    palette: tuple[str, ...]
    seed: int
    motifs: tuple[str, ...] = ()
    motifs_in_request: bool = False

    def params(self) -> dict[str, Any]:
        """The request as task params (JSON-ready; only the fields that differ from the defaults)."""
        default = ComposeRequest()
        out: dict[str, Any] = {}
        for f in fields(ComposeRequest):
            value = getattr(self.request, f.name)
            if value != getattr(default, f.name):
                out[f.name] = list(value) if isinstance(value, tuple) else value
        return out


def cue_seed(title: str, m: str) -> int:
    """The seed of cue ``m`` of the menu ``title``: a 31-bit number from SHA-256."""
    digest = hashlib.sha256(f"{title}\x00{m}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def related_key(main: Key, use: str, minor: bool) -> Key:
    """The key a cue of ``use`` whose mood wants a minor (``minor``) or major key takes, given the
    main key (see the module text)."""
    main_minor = main.is_minor
    if minor == main_minor:
        if use == "theme":
            return main
        return main.transpose(SAME_MODE_SHIFT.get(use, 0))
    relative = Key((main.tonic + (3 if main_minor else 9)) % 12, "minor" if minor else "major")
    return relative.transpose(7) if use in OTHER_MODE_FIFTH else relative


def _named_lineup(text: str) -> tuple[str, ...] | None:
    elements, _ = named_table()
    word = text.lower().replace("-", " ").strip()
    wanted = {word, word[:-1] if word.endswith("al") else word}  # "orchestral" names the orchestra
    for el in elements:
        if el.kind == "ensemble" and el.ensemble:
            names = {el.name, el.name.replace("-", " "), *el.words, *el.ja}
            if wanted & {n.lower() for n in names}:
                return el.ensemble
    return None


def resolve_palette(text: str) -> tuple[str, ...]:
    """The instrument ids of a palette: a style name (its line-up), a named line-up
    (``orchestra``, ``string quartet``, ``オーケストラ``…) or an instrument list.

    Raises
    ------
    MenuError
        Naming the palette when it is none of these.
    """
    try:
        return style_palette(find_style(text), ())
    except StyleError:
        pass
    lineup = _named_lineup(text)
    if lineup is not None:
        return parse_instruments(list(lineup))
    try:
        return parse_instruments(text)
    except InvalidOptionError as exc:
        err = MenuError(f"palette {text!r} is not a style, a line-up (orchestra, string quartet …) or an instrument "
                        f"list: {exc}")
        err.field = "palette"
        raise err from None


def theme_cue(menu: Menu) -> Cue:
    """The cue that carries the main theme: the first of use ``theme``, else the first cue."""
    return next((c for c in menu.cues if c.use == "theme"), menu.cues[0])


def _prompt(cue: Cue) -> str:
    return f"{cue.description}, {cue.mood}" if cue.mood else cue.description


def _resolve(cue: Cue, menu: Menu, *, instruments: tuple[str, ...] | None, semantic: bool) -> Any:
    try:
        return resolve_brief(_prompt(cue), seed=cue_seed(menu.title, cue.m), duration=cue.length, semantic=semantic,
                             instruments=list(instruments) if instruments else None)
    except InvalidOptionError as exc:
        err = MenuError(f"{cue.m}: description {cue.description!r}: {exc}")
        err.field, err.cue = "description", cue.m
        raise err from None


def _key_named(brief: Any) -> bool:
    return dict(brief.evidence).get("key").source in ("prompt", "option")  # type: ignore[union-attr]


def _accepts_motif() -> bool:
    return any(f.name == "motif" for f in fields(ComposeRequest))


def plan_menu(menu: Menu, *, semantic: bool = True) -> tuple[CueJob, ...]:
    """One :class:`CueJob` per cue, in the menu's order (see the module text).

    Each cue's description is read once here (``semantic``: with the embedding model, as the
    compose will) for the mode its mood asks for; the theme's also for the palette and the
    main key when the menu gives none.

    Raises
    ------
    MenuError
        For a palette that cannot be read, or a description the prompt reader refuses.
    """
    theme = theme_cue(menu)
    shared = resolve_palette(menu.palette) if menu.palette else None
    theme_brief = _resolve(theme, menu, instruments=shared, semantic=semantic)
    if shared is None:
        shared = style_palette(find_style(theme_brief.style), ())
    main = parse_key(menu.key) if menu.key else (parse_key(theme.key) if theme.key else theme_brief.key)
    with_motifs = _accepts_motif()
    jobs = []
    for cue in menu.cues:
        brief = theme_brief if cue is theme else _resolve(cue, menu, instruments=shared, semantic=semantic)
        named = _key_named(brief)
        if cue.key:
            key: str | None = cue.key
        elif named:
            key = None  # the description names its key: passing another would contradict it
        else:
            key = (main if cue is theme else related_key(main, cue.use, brief.key.is_minor)).name
        seed = cue_seed(menu.title, cue.m)
        options: dict[str, Any] = {
            "prompt": _prompt(cue), "duration": cue.length, "seed": seed, "key": key,
            "instruments": ", ".join(shared), "cue": CUE_TYPES.get(cue.use),
            "tempo": cue.tempo,
        }
        if cue.ending == "loop":
            options["loop"] = True
        else:
            options["ending"] = cue.ending
        if with_motifs and cue.motifs:
            options["motif"] = ",".join(cue.motifs)
        request = ComposeRequest(**{k: v for k, v in options.items() if v is not None})
        jobs.append(CueJob(cue=cue, request=request, key=key or brief.key.name, palette=shared, seed=seed,
                           motifs=cue.motifs, motifs_in_request=with_motifs and bool(cue.motifs)))
    return tuple(jobs)


def prepare_motifs(menu: Menu, *, data_dir: str | os.PathLike[str] | None = None, add: bool = False) -> tuple[str, ...]:
    """Check that every motif a cue names is in the menu or in the motif library of ``data_dir``
    (default :func:`gekiban.motifs.data_home`, where the compose looks them up); with ``add``,
    store the menu's inline motifs there (a library motif of the same name and notes is kept).

    Returns
    -------
    tuple of str
        The motif names the cues use.

    Raises
    ------
    MenuError
        Naming the cue and the motif the library does not hold, or an inline motif whose name
        the library uses for other notes.
    """
    library = MotifLibrary(data_home() if data_dir is None else data_dir)
    inline = dict(menu.motifs)
    for name, notes in inline.items():
        try:
            held: Motif | None = library.get(name)
        except NotFoundError:
            held = None
        wanted = parse_notes(notes)
        if held is not None and tuple(held.notes) != tuple(wanted):
            err = MenuError(f"motif {name!r}: the motif library in {library.folder} holds other notes under this "
                            f"name ({held.text}): rename the menu's motif or remove the library's")
            err.field = "motifs"
            raise err
        if held is None and add:
            library.add(name, Motif(name, wanted, source="notes"))
    used: list[str] = []
    for cue in menu.cues:
        for name in cue.motifs:
            if name not in inline:
                try:
                    library.get(name)
                except NotFoundError as exc:
                    err = MenuError(f"{cue.m}: motif {name!r} is neither in the menu's motifs nor in the library: {exc}")
                    err.field, err.cue = "motifs", cue.m
                    raise err from None
            if name not in used:
                used.append(name)
    return tuple(used)
