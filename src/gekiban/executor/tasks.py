"""What a worker runs: a :class:`Task` (compose, extend, edit, vary or loop) writing its bundles
into a staging folder, with the same code as the command line.

:func:`check_params` checks a task's params before it is queued (a bad value is refused at once,
never a failed job); :func:`run_task` runs it, in the worker process.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gekiban.errors import InvalidOptionError

#: The kinds of task, and the params each takes (besides a compose's ``title`` and ``tags``,
#: which belong to the library record, not to the music).
KINDS = ("compose", "extend", "edit", "vary", "loop")
RECORD_KEYS = ("title", "tags")
_EDIT_KEYS = ("tempo", "key", "instruments", "mute", "intensity")
_PARAMS = {"extend": ("to",), "edit": _EDIT_KEYS, "vary": ("count",), "loop": ()}

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class Task:
    """One unit of work for a worker.

    ``params`` are the request's options (a compose's: those of
    :class:`gekiban.requests.ComposeRequest`); ``folder`` the empty staging folder to write
    into; ``source`` the bundle folder an extend, edit, vary or loop starts from.
    """

    id: str
    kind: str
    params: dict[str, Any]
    folder: str
    source: str | None = None


def _bad(field: str | None, message: str) -> InvalidOptionError:
    err = InvalidOptionError(message)
    err.field = field
    return err


def _known(kind: str, params: Mapping[str, Any]) -> None:
    if kind not in KINDS:
        raise _bad("kind", f"unknown task kind {kind!r}: use one of {', '.join(KINDS)}")
    if not isinstance(params, Mapping):
        raise _bad(None, f"the options of a {kind} must be a JSON object, not {type(params).__name__}")
    if kind != "compose":
        allowed = _PARAMS[kind]
        unknown = sorted(str(k) for k in params if k not in allowed)
        if unknown:
            shown = ", ".join(allowed) or "none"
            raise _bad(unknown[0], f"unknown option {unknown[0]!r} for {kind}: the options are {shown}")


def _edit_options(params: Mapping[str, Any]) -> dict[str, Any]:
    """The options of :func:`gekiban.edit.edits.parse_edits` from an edit's JSON params."""
    options = {k: params[k] for k in _EDIT_KEYS if params.get(k) is not None}
    instruments = options.get("instruments")
    if isinstance(instruments, Mapping):
        options["instruments"] = [(str(role), str(name)) for role, name in instruments.items()]
    elif instruments is not None and not isinstance(instruments, (list, tuple)):
        raise _bad("instruments", f"bad instruments {instruments!r}: give an object such as {{\"lead\": \"flute\"}}")
    mute = options.get("mute")
    if isinstance(mute, str):
        options["mute"] = [mute]
    elif mute is not None and not (isinstance(mute, (list, tuple)) and all(isinstance(m, str) for m in mute)):
        raise _bad("mute", f"bad mute {mute!r}: give a list of roles such as [\"drums\"]")
    return options


def check_params(kind: str, params: Mapping[str, Any], *, source: str | os.PathLike[str] | None = None,
                 max_duration: float | None = None) -> None:
    """Check a task's params as its run would, without composing or rendering.

    A compose's are resolved (:func:`gekiban.requests.resolve_request`, the prompt read);
    an extend's length must pass the source's and stay within ``max_duration``; an edit's
    are checked against the source's score; a vary's count is 1-16.

    Raises
    ------
    InvalidOptionError
        Naming the bad option (``field``) and what is allowed.
    BundleError
        If ``source`` is not a readable bundle.
    """
    _known(kind, params)
    if kind == "compose":
        from gekiban.requests import ComposeRequest, resolve_request

        resolve_request(ComposeRequest.from_mapping(_music(params)), max_duration=max_duration)
    elif kind == "vary":
        from gekiban.edit.operations import parse_count

        try:
            parse_count(params.get("count", 1))
        except InvalidOptionError as exc:
            raise _bad("count", str(exc)) from None
    elif kind in ("extend", "edit") and source is not None:
        _check_against_source(kind, params, Path(source), max_duration)


def _check_against_source(kind: str, params: Mapping[str, Any], source: Path, max_duration: float | None) -> None:
    from gekiban.bundle.read import load_bundle
    from gekiban.edit.edits import parse_edits
    from gekiban.understand.options import parse_duration

    score, _, _, _ = load_bundle(source)
    if kind == "edit":
        if parse_edits(score, **_edit_options(params)).empty:
            raise _bad(None, "no edit asked: give tempo, key, instruments, mute or intensity")
        return
    if "to" not in params:
        raise _bad("to", "an extend needs \"to\": the new length, e.g. \"3:00\"")
    try:
        seconds = parse_duration(params["to"])
    except InvalidOptionError as exc:
        raise _bad("to", str(exc)) from None
    if seconds <= score.duration + 1e-6:
        raise _bad("to", f"to {params['to']!r} ({seconds:g} s) is not longer than the cue ({score.duration:.1f} s)")
    if max_duration is not None and seconds > max_duration:
        raise _bad("to", f"to {params['to']!r} is {seconds:g} s: at most {max_duration:g} s is allowed here")


def _music(params: Mapping[str, Any]) -> dict[str, Any]:
    """A compose's params without the record's title and tags."""
    return {k: v for k, v in params.items() if k not in RECORD_KEYS}


def run_task(task: Task, progress: Progress, *, soundfont: str | os.PathLike[str] | None = None) -> list[str]:
    """Run ``task`` in this process and write its bundles into ``task.folder``.

    compose: the request resolved and composed into the folder itself; extend and edit: the
    source bundle continued or edited into it; vary: ``count`` variations into
    ``folder/var-1``, ``folder/var-2`` …; loop: the source's brief composed again with the same
    seed as a seamless loop.

    Returns
    -------
    list of str
        The bundle folders written, in order.

    Raises
    ------
    GekibanError
        Whatever the work raises: a bad option, a missing SoundFont, a failed render.
    """
    _known(task.kind, task.params)
    folder = Path(task.folder)
    if task.kind == "compose":
        from gekiban.requests import ComposeRequest, compose_to, resolve_request

        progress("understanding the prompt", 0.0)
        resolved = resolve_request(ComposeRequest.from_mapping(_music(task.params)))
        composed = compose_to(resolved, folder, soundfont=soundfont, progress=progress)
        from gekiban.evaluate.originality import annotate_bundle  # track.json's "originality" (issue 13)

        annotate_bundle(composed.folder, composed.track.score)
        return [str(composed.folder)]
    if task.source is None:
        raise _bad(None, f"a {task.kind} needs the bundle it starts from")
    if task.kind == "loop":
        return [str(_loop(Path(task.source), folder, soundfont=soundfont, progress=progress))]
    from gekiban.edit.operations import RenderOptions, edit_bundle, extend_bundle, vary_bundle

    opts = RenderOptions(soundfont=soundfont, progress=progress)
    if task.kind == "extend":
        return [str(extend_bundle(task.source, task.params.get("to", ""), out=folder, opts=opts).folder)]
    if task.kind == "edit":
        return [str(edit_bundle(task.source, folder, opts=opts, **_edit_options(task.params)).folder)]
    saved = vary_bundle(task.source, task.params.get("count", 1), prefix=folder / "var", opts=opts)
    return [str(s.folder) for s in saved]


def _loop(source: Path, folder: Path, *, soundfont: str | os.PathLike[str] | None, progress: Progress) -> Path:
    """The source's brief composed again, same seed, as a seamless loop of whole bars."""
    from gekiban.bundle.read import bundle_format, bundle_has_layers, bundle_loudness, bundle_sample_rate, load_bundle
    from gekiban.edit.operations import make_origin
    from gekiban.pipeline import compose_brief
    from gekiban.understand.timing import apply_timing

    _, brief, style, meta = load_bundle(source)
    looped = apply_timing(brief, arc=brief.arc, hits=brief.hits, loop=True, cue=brief.cue or None)
    track = compose_brief(looped, loudness=bundle_loudness(meta), sample_rate=bundle_sample_rate(meta),
                          soundfont=soundfont, progress=progress, style=style)
    progress("saving", 1.0)
    return track.save(folder, format=bundle_format(meta), layers=bundle_has_layers(meta),
                      origin=make_origin("loop", source, meta))
