// The stem mixer: one strip per stem (mute, solo, volume) over the engine's stem bus, and the
// switch between the mastered mix and the stems. Touching a strip switches to the stems.

import { el, roleColour, stemLabel } from "./util.js";

export class Mixer {
  constructor(root, engine) {
    this.engine = engine;
    this.list = root.querySelector("#mixer-strips");
    this.status = root.querySelector("#mixer-status");
    this.sourceMix = root.querySelector("#source-mix");
    this.sourceStems = root.querySelector("#source-stems");
    this.sourceMix.addEventListener("change", () => engine.setSource("mix"));
    this.sourceStems.addEventListener("change", () => engine.setSource("stems"));
    engine.addEventListener("source", () => this.syncSource());
    engine.addEventListener("change", () => this.render());
    engine.addEventListener("mixer", () => this.syncStrips());
  }

  setStatus(text) {
    this.status.textContent = text;
  }

  /** For a long track: a button that loads its stems. */
  offerStems(count, load) {
    const button = el("button", { type: "button", class: "secondary small", "data-testid": "load-stems",
      onclick: () => { button.remove(); load(); } }, `Load ${count} stems`);
    this.status.replaceChildren("This track is long: its stems load when you ask. ", button);
  }

  syncSource() {
    this.sourceMix.checked = this.engine.source === "mix";
    this.sourceStems.checked = this.engine.source === "stems";
    this.list.classList.toggle("inactive", this.engine.source !== "stems");
  }

  _touch(index, changes) {
    if (this.engine.source !== "stems") this.engine.setSource("stems");
    this.engine.setStem(index, changes);
  }

  render() {
    this.list.replaceChildren();
    this.sourceStems.disabled = !this.engine.stems.length;
    this.engine.stems.forEach((stem, i) => {
      const { role, instrument } = stemLabel(stem.name);
      const strip = el("li", { class: "strip", "data-testid": "stem-strip", "data-stem": i + 1, "data-role": role },
        el("span", { class: "swatch", style: `background:${roleColour(role)}` }),
        el("span", { class: "stem-name", title: stem.name },
          el("b", {}, role || "stem"), " ", el("span", { class: "instrument" }, instrument)),
        el("button", { class: "mute", type: "button", "data-testid": "stem-mute", "aria-pressed": "false",
          title: "Mute", onclick: () => this._touch(i, { muted: !stem.muted }) }, "M"),
        el("button", { class: "solo", type: "button", "data-testid": "stem-solo", "aria-pressed": "false",
          title: "Solo", onclick: () => this._touch(i, { soloed: !stem.soloed }) }, "S"),
        el("input", { class: "volume", type: "range", min: "0", max: "1.5", step: "0.01", value: stem.volume,
          "data-testid": "stem-volume", "aria-label": `${role} ${instrument} volume`,
          oninput: (ev) => this._touch(i, { volume: Number(ev.target.value) }) }),
      );
      this.list.append(strip);
    });
    this.syncStrips();
    this.syncSource();
  }

  syncStrips() {
    const anySolo = this.engine.stems.some((s) => s.soloed);
    this.list.querySelectorAll(".strip").forEach((strip, i) => {
      const s = this.engine.stems[i];
      if (!s) return;
      strip.querySelector(".mute").setAttribute("aria-pressed", String(s.muted));
      strip.querySelector(".solo").setAttribute("aria-pressed", String(s.soloed));
      strip.classList.toggle("silent", s.muted || (anySolo && !s.soloed));
    });
  }
}
