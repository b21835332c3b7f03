// The player: transport buttons, a waveform drawn from the decoded mix with the track's
// section markers, a playhead, and click-to-seek. It reads and drives an AudioEngine.

import { formatTime, fitCanvas } from "./util.js";

export class Player {
  constructor(root, engine) {
    this.engine = engine;
    this.canvas = root.querySelector("#waveform");
    this.playBtn = root.querySelector("#play");
    this.loopBtn = root.querySelector("#loop-toggle");
    this.timeEl = root.querySelector("#time");
    this.peaks = null;
    this.sections = [];

    this.playBtn.addEventListener("click", () => this.engine.toggle());
    this.loopBtn.addEventListener("click", () => this.engine.setLoop(!this.engine.loop));
    this.canvas.addEventListener("click", (ev) => {
      const rect = this.canvas.getBoundingClientRect();
      this.engine.seek(((ev.clientX - rect.left) / rect.width) * this.engine.duration);
    });
    engine.addEventListener("state", () => this.update());
    engine.addEventListener("change", () => { this.peaks = null; this.draw(); this.update(); });
    new ResizeObserver(() => { this.peaks = null; this.draw(); }).observe(this.canvas);
    const tick = () => {
      if (this.engine.playing) this.draw();
      this.timeEl.textContent = `${formatTime(this.engine.position)} / ${formatTime(this.engine.duration)}`;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }

  setSections(sections) {
    this.sections = sections || [];
    this.draw();
  }

  update() {
    const e = this.engine;
    this.playBtn.textContent = e.playing ? "❚❚ Pause" : "▶ Play";
    this.playBtn.setAttribute("aria-pressed", String(e.playing));
    this.playBtn.disabled = !e.duration;
    this.loopBtn.setAttribute("aria-pressed", String(e.loop));
    this.loopBtn.classList.toggle("on", e.loop);
    this.draw();
  }

  // Min and max of the mix (both channels) for each pixel column.
  _computePeaks(width) {
    const buf = this.engine.mix;
    const chans = [];
    for (let c = 0; c < buf.numberOfChannels; c++) chans.push(buf.getChannelData(c));
    const per = buf.length / width;
    const mins = new Float32Array(width), maxs = new Float32Array(width);
    for (let x = 0; x < width; x++) {
      const a = Math.floor(x * per), b = Math.min(buf.length, Math.floor((x + 1) * per));
      let lo = 0, hi = 0;
      const stride = Math.max(1, Math.floor((b - a) / 400));
      for (const d of chans) {
        for (let i = a; i < b; i += stride) {
          const v = d[i];
          if (v < lo) lo = v; else if (v > hi) hi = v;
        }
      }
      mins[x] = lo; maxs[x] = hi;
    }
    return { width, mins, maxs };
  }

  draw() {
    const { ctx, width, height } = fitCanvas(this.canvas);
    if (!ctx) return;
    ctx.clearRect(0, 0, width, height);
    const dur = this.engine.duration;
    if (!this.engine.mix || !dur) {
      ctx.fillStyle = "#5d6680";
      ctx.font = "13px system-ui, sans-serif";
      ctx.fillText(this.engine.mix === null ? "Loading audio…" : "", 12, height / 2);
      return;
    }
    if (!this.peaks || this.peaks.width !== Math.round(width)) this.peaks = this._computePeaks(Math.round(width));
    const mid = height / 2 + 8, amp = (height - 24) / 2;
    const played = (this.engine.position / dur) * width;
    const { mins, maxs } = this.peaks;
    for (let x = 0; x < mins.length; x++) {
      ctx.fillStyle = x < played ? "#8fb8ff" : "#4a5878";
      const top = mid - maxs[x] * amp, bottom = mid - mins[x] * amp;
      ctx.fillRect(x, top, 1, Math.max(1, bottom - top));
    }
    // Section markers: a line and the section's name at its start.
    ctx.font = "11px system-ui, 'Noto Sans CJK JP', sans-serif";
    ctx.textBaseline = "top";
    for (const s of this.sections) {
      const x = Math.round((s.start / dur) * width) + 0.5;
      ctx.strokeStyle = "rgba(240, 196, 120, 0.55)";
      ctx.beginPath(); ctx.moveTo(x, 0); ctx.lineTo(x, height); ctx.stroke();
      ctx.fillStyle = "#f0c478";
      ctx.fillText(s.name, x + 4, 3);
    }
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(Math.round(played), 0, 2, height);
  }
}
