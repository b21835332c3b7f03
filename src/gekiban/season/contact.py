"""The contact sheet of a built menu: ``index.html``, one page with every cue, a player for its
mix and its use, length, key and tempo, so a sound director can audition the season in a
browser straight from the folder. Nothing is loaded from the internet (the style is inline,
there is no script); every text is escaped."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from gekiban.atomic import atomic_write
from gekiban.season.cuesheet import USE_LABELS, cue_rows
from gekiban.season.menu import Menu
from gekiban.season.plan import CueJob

__all__ = ["contact_html", "write_contact_sheet"]

_JA_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_MIME = {"wav": "audio/wav", "flac": "audio/flac", "mp3": "audio/mpeg"}
_STYLE = """
body{font-family:system-ui,"Hiragino Sans","Noto Sans CJK JP",sans-serif;margin:2rem auto;max-width:60rem;
padding:0 1rem;color:#222;background:#fafafa}
h1{font-size:1.5rem;margin-bottom:.2rem}.credit{color:#666;margin-top:0}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.45rem .5rem;border-bottom:1px solid #ddd;
vertical-align:middle}th{font-size:.8rem;color:#666;font-weight:600}td.m{font-weight:700;white-space:nowrap}
.desc{color:#555;font-size:.85rem}audio{width:16rem;max-width:100%}
@media (max-width:40rem){td.desc-col,th.desc-col{display:none}}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def contact_html(menu: Menu, rows: Sequence[dict[str, object]], descriptions: dict[str, str]) -> str:
    """The page's HTML for ``rows`` (:func:`gekiban.season.cuesheet.cue_rows`)."""
    ja = bool(_JA_RE.search(menu.title + "".join(str(r["title"]) for r in rows)))
    head = ("M", "タイトル", "用途", "尺", "キー", "テンポ", "試聴") if ja else \
        ("M", "Title", "Use", "Length", "Key", "Tempo", "Listen")
    lines = [
        "<!DOCTYPE html>", f'<html lang="{"ja" if ja else "en"}">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(menu.title)}</title>", f"<style>{_STYLE}</style>", "</head>", "<body>",
        f"<h1>{_e(menu.title)}</h1>", f'<p class="credit">{_e(("音楽: " if ja else "Music: ") + menu.composer)}</p>',
        "<table>", "<thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr></thead>", "<tbody>",
    ]
    for r in rows:
        mix = str(r["mix"])
        src = quote(mix)
        mime = _MIME.get(mix.rsplit(".", 1)[-1], "audio/wav")
        use = USE_LABELS[str(r["use"])] if ja else str(r["use"])
        lines.append(
            f'<tr id="{_e(r["m"])}"><td class="m">{_e(r["m"])}</td>'
            f'<td>{_e(r["title"])}<div class="desc">{_e(descriptions.get(str(r["m"]), ""))}</div></td>'
            f"<td>{_e(use)}</td><td>{_e(r['duration'])}</td><td>{_e(r['key'])}</td>"
            f"<td>{_e(r['tempo'])} bpm</td>"
            f'<td><audio controls preload="none"><source src="{_e(src)}" type="{mime}"></audio></td></tr>')
    lines += ["</tbody>", "</table>", "</body>", "</html>", ""]
    return "\n".join(lines)


def write_contact_sheet(out: Path, menu: Menu, jobs: Sequence[CueJob]) -> Path:
    """Write ``out/index.html`` atomically; returns its path."""
    rows = cue_rows(out, menu, jobs)
    text = contact_html(menu, rows, {j.cue.m: j.cue.description for j in jobs})
    data = text.encode("utf-8")
    return atomic_write(out / "index.html", lambda f: f.write(data))
