// The compose panel: prompt, example prompts, options, Explain (GET /v1/explain) and Generate
// (POST /v1/tracks). It builds the request; app.js follows the job.

import { api } from "./api.js";
import { el } from "./util.js";

export const EXAMPLES = [
  "heroic battle on a burning city skyline",
  "夕暮れの教室、切ない別れ",
  "lofi study beats, loopable",
  "city night chase at 150 bpm",
  "桜の下、穏やかな春の日常",
  "mysterious forest at dawn, harp and flute",
  "祭りの夜、太鼓と三味線",
  "a sad waltz for a ballroom",
];

// Mood words the prompt reader knows (gekiban/understand/moods.py). A chosen one opens the prompt
// as sent: the reader takes the first mood word it meets, so it sets the brief's mood as if the
// user had written it first (Explain shows the result).
export const MOODS = ["calm", "sad", "tense", "mysterious", "dark", "happy", "hopeful", "romantic", "epic", "intense"];

const ARCS = ["calm>build>climax>resolve", "intro>build>climax>outro", "calm>tense>climax", "build>peak>release",
  "silence>rise>drop", "calm>calm>resolve"];

const NOTES = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"];
const METERS = ["4/4", "3/4", "6/8", "2/4", "5/4", "7/8", "12/8"];

const EVIDENCE_FIELDS = ["style", "mood", "energy", "tension", "tempo", "key", "meter", "duration", "instruments",
  "exclude", "loop", "chords", "seed", "genre", "dance", "setting", "ensemble", "groove", "key_conflict", "gloss"];

export class ComposePanel {
  constructor(root, { onSubmit, onError }) {
    this.form = root.querySelector("#compose-form");
    this.prompt = root.querySelector("#prompt");
    this.explainBox = root.querySelector("#explain");
    this.onSubmit = onSubmit;
    this.onError = onError;
    this.fillChoices(root);
    root.querySelector("#explain-btn").addEventListener("click", () => this.explain());
    this.form.addEventListener("submit", (ev) => { ev.preventDefault(); this.submit(); });
    this.prompt.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); this.submit(); }
    });
    const counter = root.querySelector("#prompt-count");
    this.prompt.addEventListener("input", () => { counter.textContent = `${this.prompt.value.length}/500`; });
  }

  fillChoices(root) {
    const examples = root.querySelector("#examples");
    for (const text of EXAMPLES) {
      examples.append(el("button", { type: "button", class: "chip", "data-testid": "example", lang: "ja",
        onclick: () => { this.prompt.value = text; this.prompt.dispatchEvent(new Event("input")); this.prompt.focus(); } },
      text));
    }
    const mood = root.querySelector("#mood");
    for (const m of MOODS) mood.append(el("option", { value: m }, m));
    const key = root.querySelector("#key");
    for (const mode of ["major", "minor"]) {
      const group = el("optgroup", { label: mode });
      for (const n of NOTES) group.append(el("option", { value: `${n} ${mode}` }, `${n} ${mode}`));
      key.append(group);
    }
    const meter = root.querySelector("#meter");
    for (const m of METERS) meter.append(el("option", { value: m }, m));
    const arcs = root.querySelector("#arc-list");
    for (const a of ARCS) arcs.append(el("option", { value: a }));
  }

  setStyles(styles) {
    const select = this.form.querySelector("#style");
    const families = new Map();
    for (const s of styles) {
      if (!families.has(s.family)) families.set(s.family, []);
      families.get(s.family).push(s);
    }
    for (const [family, list] of [...families.entries()].sort()) {
      const group = el("optgroup", { label: family || "other" });
      for (const s of list) group.append(el("option", { value: s.name, title: s.description }, s.name));
      select.append(group);
    }
  }

  /** The prompt as sent: the chosen mood word, then the text. */
  promptText() {
    const text = this.prompt.value.trim();
    const mood = this.form.elements.mood.value;
    if (!mood) return text;
    return text ? `${mood}, ${text}` : mood;
  }

  /** The compose options of docs/server.md from the form (empty fields left out). */
  options() {
    const f = this.form.elements;
    const out = {};
    const text = this.promptText();
    if (text) out.prompt = text;
    for (const name of ["style", "duration", "key", "meter", "arc", "instruments", "chords", "ending", "title"]) {
      const v = f[name].value.trim();
      if (v) out[name] = v;
    }
    if (f.tempo.value.trim()) out.tempo = Number(f.tempo.value);
    if (f.seed.value.trim()) out.seed = Number(f.seed.value);
    if (f.loop.checked) out.loop = true;
    if (f.musicxml.checked) out.musicxml = true;
    if (out.duration && /^\d+(\.\d+)?$/.test(out.duration)) out.duration = Number(out.duration);
    return out;
  }

  async explain() {
    const o = this.options();
    const params = { prompt: o.prompt || "" };
    for (const k of ["style", "duration", "tempo", "key", "meter", "instruments", "chords", "seed"]) {
      if (o[k] !== undefined) params[k] = o[k];
    }
    this.explainBox.hidden = false;
    this.explainBox.replaceChildren(el("p", { class: "muted" }, "Reading the prompt…"));
    try {
      this.showExplain(await api.explain(params));
    } catch (err) {
      this.explainBox.hidden = true;
      this.markInvalid(err.field);
      this.onError(err);
    }
  }

  showExplain(data) {
    const brief = data.brief || {};
    const evidence = data.evidence || {};
    const value = (f) => {
      const v = brief[f];
      if (f === "key" && v && typeof v === "object") return `${NOTES[v.tonic] ?? v.tonic} ${v.mode}`;
      if (f === "tempo" && v) return `${Math.round(v)} bpm`;
      if (f === "duration" && v) return `${v} s`;
      if (f === "energy" || f === "tension") return typeof v === "number" ? v.toFixed(2) : "";
      if (f === "loop") return v ? "yes" : "no";
      if (Array.isArray(v)) return v.length ? v.join(", ") : "—";
      if (v === undefined || v === null || v === "") return "";
      return String(v);
    };
    const rows = [];
    for (const f of EVIDENCE_FIELDS) {
      const ev = evidence[f];
      const v = value(f);
      if (!ev && !v) continue;
      rows.push(el("tr", { "data-field": f },
        el("th", {}, f.replace("_", " ")),
        el("td", {},
          el("div", { class: "value-line" },
            el("span", { class: "value" }, v || "—"),
            ev ? el("span", { class: `source source-${ev.source}` }, ev.source) : null),
          ev ? el("div", { class: "why", lang: "ja" }, ev.text) : null)));
    }
    const near = (brief.neighbours || []).slice(0, 3)
      .map((n) => `${n.style} ${Number(n.score).toFixed(2)}`).join(" · ");
    this.explainBox.replaceChildren(
      el("div", { class: "explain-head" },
        el("h3", {}, "How the prompt is read"),
        el("button", { type: "button", class: "ghost small", onclick: () => { this.explainBox.hidden = true; } }, "×")),
      el("p", { class: "explain-prompt", lang: "ja" }, brief.prompt ? `“${brief.prompt}”` : "(no prompt: the style and defaults decide)"),
      el("table", { class: "explain-table", "data-testid": "explain-table" }, el("tbody", {}, rows)),
      near ? el("p", { class: "muted" }, `closest styles: ${near}`) : null,
    );
  }

  /** Outline the control the API named in its error (its `field`), and focus it. */
  markInvalid(field) {
    const name = field === "prompt" ? "prompt" : field;
    const control = name && this.form.elements[name];
    if (!control || !control.classList) return;
    control.classList.add("invalid");
    control.focus();
    control.addEventListener("input", () => control.classList.remove("invalid"), { once: true });
  }

  clearInvalid() {
    this.form.querySelectorAll(".invalid").forEach((c) => c.classList.remove("invalid"));
  }

  submit() {
    this.onSubmit(this.options());
  }
}
