"""Script to score: read a screenplay or a scene list (English or Japanese) and propose a menu.

Scenes begin at headings: ``INT. CLASSROOM - DAY``, ``EXT. ROOFTOP - NIGHT (1:20)``,
``SCENE 3``, ``○教室（昼）``, ``シーン1``, ``#3``. A timing in brackets, ``(1:20)`` or ``（45秒）``,
gives the scene's length. Lines are dialogue (a character cue in capitals followed by its lines,
``NAME: line``, ``名前「台詞」``, ``名前：台詞``) or action (everything else).

What the draft decides, scene by scene:

- **music or not**: a scene gets a cue when its action or heading holds mood words (fight,
  chase, tears, sunset … 戦, 追, 涙, 夕日 …) or when action carries it (two action lines or more,
  at least as many as lines of dialogue); a scene of talk alone gets none.
- **use and mood**: the strongest mood class of its words: battle, chase and suspense are
  situations (状況), sadness, romance and hope emotions (感情), a calm place a scene (情景).
- **length**: the timing, else from its lines (4 s an action line, 2.5 s a line of dialogue,
  20-120 s in steps of 5).
- **character themes**: a character in two scenes or more gets a motif name (the name in
  ASCII, else ``chara-N``); the cue of a scene where they are central (the most lines and
  mentions) carries it, and the main theme (M-1) carries the lead's.
- **stingers**: a short cue at a scene change into or out of a tense scene from a different mood.

The word lists are a small hand-made table (no library reads screenplay moods); the prompt
reader understands the descriptions the draft writes.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from gekiban.season.menu import Menu, MenuError, parse_menu

__all__ = ["Scene", "draft_menu", "menu_yaml", "parse_script"]

# class: (use, English words, Japanese words, English phrase, Japanese phrase); in priority order.
MOODS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...], str, str]] = {
    "battle": ("situation", ("fight", "fights", "battle", "attack", "attacks", "punch", "sword", "explosion", "explodes",
                             "clash", "strikes", "blast", "gun", "shoots"),
               ("戦", "攻撃", "剣", "爆発", "殴", "激突", "斬"), "intense battle", "激しい戦闘"),
    "chase": ("situation", ("run", "runs", "chase", "chases", "escape", "escapes", "flee", "flees", "danger", "alarm",
                            "sprints", "pursue", "pursues"),
              ("走", "追", "逃げ", "危険", "警報", "駆け"), "tense chase", "緊迫した追跡"),
    "suspense": ("situation", ("dark", "shadow", "shadows", "mysterious", "strange", "secret", "creaks", "whisper",
                               "eerie", "lurks"),
                 ("暗", "影", "謎", "不気味", "秘密", "静寂", "怪し"), "mysterious suspense", "不穏なサスペンス"),
    "sad": ("emotion", ("cry", "cries", "tears", "alone", "grave", "funeral", "goodbye", "farewell", "sob", "sobs",
                        "mourns", "weeps"),
            ("泣", "涙", "別れ", "孤独", "墓", "悲し", "さよなら"), "sad farewell", "切ない別れ"),
    "romance": ("emotion", ("kiss", "kisses", "blush", "blushes", "love", "embrace", "embraces", "hug", "hugs"),
                ("キス", "頬を赤", "手をつな", "恋", "抱きし", "見つめ合"), "tender romance", "甘く優しい恋"),
    "hope": ("emotion", ("smile", "smiles", "sunrise", "hope", "cheer", "cheers", "victory", "triumph", "laughs"),
             ("笑顔", "朝日", "希望", "歓声", "勝利", "微笑"), "hopeful and bright", "希望に満ちた明るい"),
    "comedy": ("situation", ("trips", "slips", "tumbles", "silly", "prank", "clumsy", "bonk"),
               ("転ぶ", "ずっこけ", "ドタバタ", "いたずら", "ドジ"), "comical slapstick", "コミカルなドタバタ"),
    "calm": ("scene", ("morning", "afternoon", "breeze", "quiet", "peaceful", "birds", "town", "sunset", "sky", "street",
                       "cherry", "blossoms"),
             ("朝", "午後", "風", "静か", "穏やか", "鳥", "町", "夕日", "空", "桜"), "calm everyday", "穏やかな日常"),
}
TENSE = ("battle", "chase", "suspense")
ENDING_BY_USE = {"scene": "loop", "emotion": "ring", "situation": "fade"}

_JA_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_EN_HEAD = re.compile(r"^\s*(?:\d+[.)]?\s+)?(?:INT\.?/EXT\.?|EXT\.?/INT\.?|I/E\.?|INT\.|EXT\.)\s*(?P<rest>.+)$", re.I)
_SCENE_HEAD = re.compile(r"^\s*(?:SCENE|Scene)\s+(?P<n>\d+)\s*[:.\-–—]?\s*(?P<rest>.*)$")
_JA_HEAD = re.compile(r"^\s*[○〇◯●]\s*(?P<rest>.+)$")
_JA_SCENE = re.compile(r"^\s*(?:シーン|ｼｰﾝ|S#|Ｓ＃|＃|#|S)\s*[0-9０-９]+\s*[:：.、．]?\s*(?P<rest>.*)$")
_TIMING = re.compile(r"[（(]\s*(?:(?P<m>\d{1,2})\s*[:：]\s*(?P<s>\d{2})|(?P<sec>\d{1,3})\s*(?:s|sec|秒))\s*[）)]")
_PAREN = re.compile(r"[（(]\s*(?P<t>[^（）()]{1,12})\s*[）)]\s*$")
_CAPS_CUE = re.compile(r"^(?P<name>[A-Z][A-Z0-9 .'\-]{0,30}?)\s*(?:\((?:V\.O\.|O\.S\.|O\.C\.|CONT'D)\))?$")
_NAME_LINE = re.compile(r"^(?P<name>[A-Z][A-Za-z]{1,20}):\s+(?P<line>.+)$")
_JA_LINE = re.compile(r"^(?P<name>[^\s「」『』（）()：:]{1,10})\s*[「『](?P<line>.*)$")
_JA_COLON = re.compile(r"^(?P<name>[^\s「」（）()：:]{1,10})[：:]\s*(?P<line>.+)$")
_TRANSITION = re.compile(r"^(?:[A-Z ]+TO:|FADE IN:?|FADE OUT\.?|THE END|FADE TO BLACK\.?)$")


@dataclass(frozen=True)
class Scene:
    """A scene of the script: number, place, time of day, action lines, dialogue (speaker,
    line), the timing given (seconds) and whether it is written in Japanese."""

    number: int
    place: str
    time: str
    action: tuple[str, ...]
    dialogue: tuple[tuple[str, str], ...]
    timing: float | None
    ja: bool


def _timing(text: str) -> tuple[str, float | None]:
    m = _TIMING.search(text)
    if not m:
        return text, None
    seconds = float(m["sec"]) if m["sec"] else int(m["m"]) * 60 + int(m["s"])
    return (text[:m.start()] + text[m.end():]).strip(), seconds


def _heading(line: str, number: int) -> tuple[str, str, float | None] | None:
    """(place, time, timing) when ``line`` is a scene heading."""
    for pattern in (_EN_HEAD, _SCENE_HEAD, _JA_HEAD, _JA_SCENE):
        m = pattern.match(line)
        if m:
            rest, timing = _timing(m["rest"])
            place, time = rest, ""
            if pattern in (_EN_HEAD, _SCENE_HEAD):
                parts = re.split(r"\s+[-–—]\s+", rest)
                place, time = (" - ".join(parts[:-1]), parts[-1]) if len(parts) > 1 else (rest, "")
            elif (p := _PAREN.search(rest)) is not None:
                place, time = rest[:p.start()].strip(), p["t"]
            return place.strip() or f"#{number}", time.strip(), timing
    return None


def parse_script(text: str) -> tuple[Scene, ...]:
    """The scenes of a script (text before the first heading is ignored)."""
    raw: list[dict[str, Any]] = []
    speaker: str | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            speaker = None
            continue
        head = _heading(stripped, len(raw) + 1)
        if head is not None:
            raw.append({"place": head[0], "time": head[1], "timing": head[2], "action": [], "dialogue": []})
            speaker = None
            continue
        if not raw:
            continue
        scene = raw[-1]
        if _TRANSITION.match(stripped):
            continue
        if speaker is not None:
            if not (stripped.startswith("(") and stripped.endswith(")")):
                scene["dialogue"].append((speaker, stripped))
            continue
        m = _JA_LINE.match(stripped) or _JA_COLON.match(stripped) or _NAME_LINE.match(stripped)
        if m:
            scene["dialogue"].append((m["name"], m["line"].rstrip("」』")))
        elif _CAPS_CUE.match(stripped) and len(stripped.split()) <= 4 and not stripped.endswith(".") \
                and not _JA_RE.search(stripped):  # "SIRENS." is action, "DR. KIM" a character cue
            speaker = _CAPS_CUE.match(stripped)["name"].strip().title()  # type: ignore[index]
        else:
            stripped, timing = _timing(stripped)
            if timing is not None and scene["timing"] is None:
                scene["timing"] = timing
            if stripped:
                scene["action"].append(stripped)
    return tuple(Scene(number=i + 1, place=s["place"], time=s["time"], action=tuple(s["action"]),
                       dialogue=tuple(s["dialogue"]), timing=s["timing"],
                       ja=bool(_JA_RE.search(s["place"] + "".join(s["action"]) + "".join(d for _, d in s["dialogue"]))))
                 for i, s in enumerate(raw))


def _count(words_en: tuple[str, ...], words_ja: tuple[str, ...], text: str) -> int:
    lower = text.lower()
    n = sum(len(re.findall(rf"\b{re.escape(w)}\b", lower)) for w in words_en)
    return n + sum(text.count(w) for w in words_ja)


def scene_mood(scene: Scene) -> tuple[str | None, int]:
    """The strongest mood class of the scene's heading and action, and its word count."""
    text = " ".join((scene.place, scene.time, *scene.action))
    counts = {name: _count(en, ja, text) for name, (_, en, ja, _, _) in MOODS.items()}
    # a calm place is the backdrop: any stronger mood word beside it decides (its words count half)
    best = max(counts, key=lambda k: (counts[k] * (0.5 if k == "calm" else 1.0), -list(MOODS).index(k)))
    return (best, counts[best]) if counts[best] else (None, 0)


def needs_music(scene: Scene) -> bool:
    """True when the scene should have a cue (see the module text)."""
    _, hits = scene_mood(scene)
    carried = len(scene.action) >= 2 and len(scene.action) >= len(scene.dialogue)
    return hits > 0 or carried


def _mentions(scene: Scene, name: str) -> int:
    text = " ".join(scene.action)
    if _JA_RE.search(name):
        return text.count(name)
    return len(re.findall(rf"\b{re.escape(name)}\b", text, re.I))


def _presence(scenes: tuple[Scene, ...]) -> dict[str, dict[int, int]]:
    """Character → scene number → lines and mentions there."""
    names = {who for s in scenes for who, _ in s.dialogue}
    out: dict[str, dict[int, int]] = {}
    for name in names:
        for s in scenes:
            n = sum(1 for who, _ in s.dialogue if who == name) + _mentions(s, name)
            if n:
                out.setdefault(name, {})[s.number] = n
    return out


def _motif_names(recurring: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for i, name in enumerate(recurring, 1):
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40]
        out[name] = slug if slug and slug not in out.values() else f"chara-{i}"
    return out


def _seconds(scene: Scene) -> float:
    if scene.timing is not None:
        return max(5.0, min(600.0, scene.timing))
    estimate = 4.0 * len(scene.action) + 2.5 * len(scene.dialogue)
    return float(max(20, min(120, int(round(estimate / 5.0)) * 5)))


def _length(seconds: float) -> str:
    m, s = divmod(int(round(seconds)), 60)
    return f"{m}:{s:02d}"


def draft_menu(text: str, *, title: str = "Draft menu", composer: str = "gekiban") -> Menu:
    """Propose a menu for a script (see the module text).

    Raises
    ------
    MenuError
        If the script has no scene heading, or no scene needs music.
    """
    scenes = parse_script(text)
    if not scenes:
        raise MenuError("the script has no scene heading: start scenes with INT./EXT. … - DAY, ○場所（時） or シーン1")
    ja = sum(s.ja for s in scenes) * 2 >= len(scenes)
    presence = _presence(scenes)
    recurring = sorted((n for n, where in presence.items() if len(where) >= 2),
                       key=lambda n: (-sum(presence[n].values()), n))
    motif_of = _motif_names(recurring)
    lead = recurring[0] if recurring else None
    cues: list[dict[str, Any]] = []
    moods = Counter(m for s in scenes if (m := scene_mood(s)[0]) is not None)
    theme_mood = "hope" if "hope" in moods or not moods else \
        next((m for m, _ in moods.most_common() if MOODS[m][0] == "emotion"), "hope")
    whose = (f"、{lead}のテーマ" if ja else f", {lead}'s theme") if lead else ""
    cues.append({"title": "メインテーマ" if ja else "Main Theme", "use": "theme", "length": "1:00", "ending": "ring",
                 "description": (f"メインテーマ{whose}、{MOODS[theme_mood][4]}" if ja else
                                 f"main theme{whose}, {MOODS[theme_mood][3]}"),
                 **({"motifs": [motif_of[lead]]} if lead else {})})
    previous: str | None = None
    for scene in scenes:
        if not needs_music(scene):
            previous = None
            continue
        mood = scene_mood(scene)[0] or "calm"
        use, _, _, phrase_en, phrase_ja = MOODS[mood]
        if previous is not None and previous != mood and (mood in TENSE or previous in TENSE):
            cues.append({"title": f"ブリッジ（シーン{scene.number}へ）" if ja else f"Bridge into scene {scene.number}",
                         "use": "stinger", "length": 4, "ending": "button",
                         "description": f"{phrase_ja}へのブリッジ" if ja else f"short stinger into {phrase_en}"})
        counts = {n: where.get(scene.number, 0) for n, where in presence.items() if n in motif_of}
        top = max(counts.values(), default=0)
        central_names = sorted(n for n, c in counts.items() if c == top and c > 0)
        central = [motif_of[n] for n in central_names]
        place = scene.place if scene.place else f"#{scene.number}"
        when = f"（{scene.time}）" if ja and scene.time else ""
        description = (f"{phrase_ja}、{place}{when}" if ja else
                       f"{phrase_en}, {place.lower()}" + (f" at {scene.time.lower()}" if scene.time else ""))
        if central_names:
            description += (f"、{'と'.join(central_names)}のテーマ" if ja else
                            f", {' and '.join(central_names)}'s theme")
        cue: dict[str, Any] = {"title": f"シーン{scene.number} {place}" if ja else f"Scene {scene.number}: {place.title()}",
                               "use": use, "description": description, "length": _length(_seconds(scene)),
                               "ending": ENDING_BY_USE[use]}
        if central:
            cue["motifs"] = sorted(central)
        cues.append(cue)
        previous = mood
    if len(cues) == 1:
        raise MenuError("no scene of the script needs music: every scene is talk only (add action or mood)")
    for i, cue in enumerate(cues, 1):
        cue["m"] = f"M-{i}"
    return parse_menu({"title": title, "composer": composer, "cues": [{"m": c.pop("m"), **c} for c in cues]},
                      where="draft")


def menu_yaml(menu: Menu) -> str:
    """The menu as a YAML menu file (readable by :func:`gekiban.season.menu.read_menu`)."""
    import yaml

    cues = []
    for c in menu.cues:
        entry: dict[str, Any] = {"m": c.m, "title": c.title, "use": c.use, "description": c.description,
                                 "length": _length(c.length) if c.length >= 60 else int(c.length) if c.length.is_integer()
                                 else c.length, "ending": c.ending}
        if c.motifs:
            entry["motifs"] = list(c.motifs)
        cues.append(entry)
    data: dict[str, Any] = {"title": menu.title, "composer": menu.composer}
    if menu.palette:
        data["palette"] = menu.palette
    if menu.key:
        data["key"] = menu.key
    data["cues"] = cues
    names = sorted({n for c in menu.cues for n in c.motifs})
    head = "# A draft menu from gekiban menu draft: edit it, then `gekiban menu build`.\n"
    if names:
        head += (f"# Character themes: {', '.join(names)}. Give each its notes under motifs: (e.g. "
                 f"motifs: {{{names[0]}: \"E4 G4 A4 B4-\"}}) or add it to the motif library.\n")
    return head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
