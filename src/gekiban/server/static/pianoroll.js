// The piano roll: the track's notes (/v1/tracks/{id}/notes) on a canvas, time across and pitch
// up, each part in its role's colour; sections and chords labelled along the top, drum parts
// in a lane of their own at the bottom. A playhead follows the engine.

import { el, fitCanvas, roleColour } from "./util.js";

const HEADER = 40;      // section row + chord row
const DRUM_LANE = 44;
const KEYS = 34;        // the keyboard strip on the left

export class PianoRoll {
  constructor(root, engine) {
    this.engine = engine;
    this.scroller = root.querySelector("#roll-scroll");
    this.canvas = root.querySelector("#pianoroll");
    this.playhead = root.querySelector("#roll-playhead");
    this.legend = root.querySelector("#roll-legend");
    this.zoom = root.querySelector("#roll-zoom");
    this.data = null;
    this.hidden = new Set();
    this.zoom.addEventListener("input", () => this.draw());
    this.canvas.addEventListener("click", (ev) => {
      if (!this.data) return;
      const rect = this.canvas.getBoundingClientRect();
      const t = (ev.clientX - rect.left - KEYS) / this.pxPerSec;
      if (t >= 0) this.engine.seek(t);
    });
    new ResizeObserver(() => this.draw()).observe(this.scroller);
    const tick = () => { this._movePlayhead(); requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  }

  set(data) {
    this.data = data;
    this.hidden.clear();
    this.renderLegend();
    this.draw();
  }

  renderLegend() {
    this.legend.replaceChildren();
    if (!this.data) return;
    this.data.parts.forEach((p, i) => {
      const box = el("input", { type: "checkbox", checked: true, "data-testid": "roll-part",
        onchange: (ev) => { ev.target.checked ? this.hidden.delete(i) : this.hidden.add(i); this.draw(); } });
      this.legend.append(el("label", { class: "legend-item" }, box,
        el("span", { class: "swatch", style: `background:${roleColour(p.role)}` }),
        `${p.role || "part"} · ${p.instrument || p.name}`));
    });
  }

  get duration() {
    return (this.data && this.data.duration) || this.engine.duration || 1;
  }

  draw() {
    if (!this.data) return;
    const parts = this.data.parts || [];
    const pitched = parts.filter((p, i) => !p.is_drum && !this.hidden.has(i));
    const hasDrums = parts.some((p) => p.is_drum);
    let lo = 127, hi = 0;
    for (const p of parts) if (!p.is_drum) for (const n of p.notes) { lo = Math.min(lo, n[0]); hi = Math.max(hi, n[0]); }
    if (lo > hi) { lo = 48; hi = 72; }
    lo = Math.max(0, lo - 2); hi = Math.min(127, hi + 2);
    const rows = hi - lo + 1;
    const rowH = Math.max(3, Math.min(9, Math.floor(420 / rows)));
    const fit = (this.scroller.clientWidth - KEYS - 2) / this.duration;
    this.pxPerSec = Math.max(fit, Number(this.zoom.value));
    const width = Math.min(30000, KEYS + this.duration * this.pxPerSec);
    const rollTop = HEADER, rollH = rows * rowH;
    const height = HEADER + rollH + (hasDrums ? DRUM_LANE : 0);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    const { ctx } = fitCanvas(this.canvas, width, height);
    if (!ctx) return;
    const x = (t) => KEYS + t * this.pxPerSec;
    const y = (pitch) => rollTop + (hi - pitch) * rowH;

    ctx.fillStyle = "#0f1320";
    ctx.fillRect(0, 0, width, height);
    // Pitch rows: black keys darker, C lines marked.
    for (let p = lo; p <= hi; p++) {
      const black = [1, 3, 6, 8, 10].includes(p % 12);
      ctx.fillStyle = black ? "#121727" : "#161c2e";
      ctx.fillRect(KEYS, y(p), width - KEYS, rowH);
      ctx.fillStyle = black ? "#2a3045" : "#c9cfdd";
      ctx.fillRect(0, y(p), KEYS - 4, rowH - (rowH > 3 ? 1 : 0));
      if (p % 12 === 0) {
        ctx.fillStyle = "#262e47";
        ctx.fillRect(KEYS, y(p) + rowH - 1, width - KEYS, 1);
        if (rowH >= 5) {
          ctx.fillStyle = "#2a3045";
          ctx.font = `${Math.min(9, rowH + 2)}px system-ui, sans-serif`;
          ctx.textBaseline = "bottom";
          ctx.fillText(`C${p / 12 - 1}`, 2, y(p) + rowH);
        }
      }
    }
    // Sections: bands and names; chords: names under them.
    ctx.textBaseline = "middle";
    ctx.font = "600 11px system-ui, 'Noto Sans CJK JP', sans-serif";
    (this.data.sections || []).forEach((s, i) => {
      const x0 = x(s.start), x1 = x(s.end ?? this.duration);
      ctx.fillStyle = i % 2 ? "#1b2236" : "#20283f";
      ctx.fillRect(x0, 0, x1 - x0, 20);
      ctx.fillStyle = "rgba(240,196,120,0.35)";
      ctx.fillRect(Math.round(x0), 0, 1, height);
      ctx.fillStyle = "#f0c478";
      ctx.fillText(s.name, x0 + 5, 10, Math.max(8, x1 - x0 - 8));
    });
    ctx.font = "11px system-ui, 'Noto Sans CJK JP', sans-serif";
    for (const c of this.data.chords || []) {
      const x0 = x(c.start), x1 = x(c.end ?? c.start + 1);
      ctx.fillStyle = "#2c3550";
      ctx.fillRect(Math.round(x0), 21, 1, 18);
      ctx.fillStyle = "#aeb8d4";
      if (x1 - x0 > 14) ctx.fillText(c.name, x0 + 4, 30, x1 - x0 - 6);
    }
    // Notes, quieter ones fainter.
    parts.forEach((p, i) => {
      if (p.is_drum || this.hidden.has(i)) return;
      ctx.fillStyle = roleColour(p.role);
      for (const [pitch, start, dur, vel] of p.notes) {
        ctx.globalAlpha = 0.45 + 0.55 * Math.min(1, (vel || 90) / 127);
        ctx.fillRect(x(start), y(pitch) + 0.5, Math.max(2, dur * this.pxPerSec - 1), Math.max(2, rowH - 1));
      }
    });
    ctx.globalAlpha = 1;
    if (hasDrums) {
      const top = rollTop + rollH;
      ctx.fillStyle = "#121727";
      ctx.fillRect(0, top, width, DRUM_LANE);
      ctx.fillStyle = "#5d6680";
      ctx.font = "9px system-ui, sans-serif";
      ctx.fillText("drums", 2, top + DRUM_LANE / 2);
      parts.forEach((p, i) => {
        if (!p.is_drum || this.hidden.has(i)) return;
        ctx.fillStyle = roleColour(p.role);
        for (const [pitch, start, , vel] of p.notes) {
          ctx.globalAlpha = 0.4 + 0.6 * Math.min(1, (vel || 90) / 127);
          const lane = ((pitch - 35) % 10 + 10) % 10; // spread the kit over ten lanes
          ctx.fillRect(x(start), top + 3 + lane * 4, 3, 3);
        }
      });
      ctx.globalAlpha = 1;
    }
    this.canvas.dataset.drawn = String(parts.reduce((n, p) => n + p.notes.length, 0));
    this.playhead.style.height = `${height}px`;
    this._movePlayhead();
  }

  _movePlayhead() {
    if (!this.data || !this.pxPerSec) return;
    const px = KEYS + this.engine.position * this.pxPerSec;
    this.playhead.style.transform = `translateX(${px}px)`;
    if (this.engine.playing) {
      const left = this.scroller.scrollLeft, w = this.scroller.clientWidth;
      if (px < left + KEYS || px > left + w - 40) this.scroller.scrollLeft = Math.max(0, px - KEYS - 40);
    }
  }
}
