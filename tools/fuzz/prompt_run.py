"""Family 1, the runs: what each prompt/option case calls (:data:`TARGETS`), the real brief and
score that timing and edit cases start from, and an accepted request composed short of audio."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from core import Case, Step, _call_text, _short_repr, attempt

TARGETS = {
    "resolve_brief": "gekiban.understand.resolve:resolve_brief",
    "check_prompt": "gekiban.understand.options:check_prompt",
    "parse_duration": "gekiban.understand.options:parse_duration",
    "parse_tempo": "gekiban.understand.options:parse_tempo",
    "parse_seed": "gekiban.understand.options:parse_seed",
    "parse_instruments": "gekiban.understand.options:parse_instruments",
    "parse_format": "gekiban.understand.options:parse_format",
    "parse_sample_rate": "gekiban.understand.options:parse_sample_rate",
    "check_motif": "gekiban.understand.options:check_motif",
    "parse_key": "gekiban.theory:parse_key",
    "parse_meter": "gekiban.theory:parse_meter",
    "parse_chord_symbol": "gekiban.theory:parse_chord_symbol",
    "parse_roman": "gekiban.theory:parse_roman",
    "parse_chords": "gekiban.understand.progressions:parse_chords",
    "parse_loudness": "gekiban.audio.targets:parse_loudness",
    "parse_time": "gekiban.understand.timing:parse_time",
    "parse_arc": "gekiban.understand.timing:parse_arc",
    "check_arc": "gekiban.understand.timing:check_arc",
    "mood_values": "gekiban.understand.timing:mood_values",
    "parse_section_moods": "gekiban.understand.timing:parse_section_moods",
    "check_hits": "gekiban.understand.timing:check_hits",
    "cue_defaults": "gekiban.understand.timing:cue_defaults",
    "apply_timing": "gekiban.understand.timing:apply_timing",
    "load_arc_file": "gekiban.understand.timing:load_arc_file",
    "resolve_style": "gekiban.styles:resolve_style",
    "check_render_options": "gekiban.pipeline:check_render_options",
    "parse_intensity": "gekiban.edit.edits:parse_intensity",
    "parse_count": "gekiban.edit.operations:parse_count",
    "parse_edits": "gekiban.edit.edits:parse_edits",
}


def target(name: str) -> Callable[..., Any]:
    import importlib

    module, attr = TARGETS[name].split(":")
    return getattr(importlib.import_module(module), attr)


@cache
def base_brief():
    """The real brief ``apply_timing`` cases start from."""
    from gekiban.understand.resolve import resolve_brief

    return resolve_brief("calm morning", semantic=False, seed=1, duration=30)


BASE_BRIEF_CALL = "resolve_brief('calm morning', semantic=False, seed=1, duration=30)"


@cache
def base_score():
    """The real Score edit cases start from (the lofi MIDI base)."""
    from gekiban.composer import build_score
    from gekiban.styles import resolve_style
    from gekiban.understand.resolve import resolve_brief

    return build_score(resolve_brief("", style="lofi", seed=1, duration=8, semantic=False), resolve_style("lofi")[1])


BASE_SCORE_CALL = ("build_score(resolve_brief('', style='lofi', seed=1, duration=8, semantic=False), "
                   "resolve_style('lofi')[1])")


def run_prompt_case(case: Case, tmp: Path) -> list[Step]:
    fn = target(case.target)
    args, kwargs = case.args, dict(case.kwargs)
    if case.target == "apply_timing":
        brief = base_brief()
        call = _call_text("apply_timing", (), kwargs, (BASE_BRIEF_CALL,))
        return [attempt("apply_timing", call, lambda: fn(brief, **kwargs))[0]]
    if case.target == "parse_edits":
        from gekiban.edit.edits import edit_brief, edit_score

        score = base_score()
        call = _call_text("parse_edits", (), kwargs, ("SCORE",))
        step, edits = attempt("parse_edits", call, lambda: fn(score, **kwargs))
        steps = [step]
        if step.status == "ok":
            s2, edited = attempt("edit_score", f"edit_score(SCORE, {call})", lambda: edit_score(score, edits))
            steps.append(s2)
            if s2.status == "ok":
                steps.append(attempt("edit_brief", f"edit_brief(BRIEF, SCORE, edited, {call})",
                                     lambda: edit_brief(base_brief(), score, edited, edits))[0])
        return steps
    if case.target == "load_arc_file":
        path = tmp / "arc.json"
        path.write_bytes(args[0])
        call = f"load_arc_file(PATH, {args[1]!r})  # PATH holds {_short_repr(args[0], 300)}"
        return [attempt("load_arc_file", call, lambda: fn(path, args[1]))[0]]
    call = _call_text(case.target, args, kwargs)
    step, value = attempt(case.target, call, lambda: fn(*args, **kwargs))
    steps = [step]
    if case.target == "resolve_brief" and step.status == "ok" and case.then:
        steps += _compose_steps(value, case.then, call, tmp)
    return steps


def _compose_steps(brief: Any, then: tuple, call: str, tmp: Path) -> list[Step]:
    """What ``compose`` does with an accepted brief, short of audio: timing, the score, its MIDI."""
    from gekiban.composer import build_score
    from gekiban.midi import read_midi, write_midi
    from gekiban.styles import resolve_style
    from gekiban.understand.timing import apply_timing

    steps: list[Step] = []
    text = f"brief = {call}"
    score = None
    for name, kw in then:
        if name == "timing":
            text += f"; brief = apply_timing(brief, {', '.join(f'{k}={v!r}' for k, v in kw.items())})"
            s, b = attempt("apply_timing", text, lambda b=brief, kw=kw: apply_timing(b, **kw))
            steps.append(s)
            if s.status != "ok":
                return steps
            brief = b
        elif name == "build":
            text += "; build_score(brief, resolve_style(brief.style)[1])"
            s, score = attempt("build_score", text, lambda b=brief: build_score(b, resolve_style(b.style)[1]))
            steps.append(s)
            if s.status != "ok":
                return steps
        elif name == "midi" and score is not None:
            path = tmp / "roundtrip.mid"
            s, _ = attempt("write_midi", text + "; write_midi(score, PATH); read_midi(PATH)",
                           lambda sc=score, p=path: read_midi(write_midi(sc, p)))
            steps.append(s)
    return steps
