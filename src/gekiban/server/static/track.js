// The track view: the open track's title and facts, its audio (the mix, then every stem, decoded
// into the engine), its notes (piano roll, section markers), downloads, and the extend / edit /
// vary / loop actions, which post a new job for app.js to follow.

import { api, download, fetchBytes, hasToken, urls } from "./api.js";
import { formatTime } from "./util.js";

// Longer tracks load their stems only when asked: decoded float stems of a 10-minute cue take
// about 200 MB each in the browser.
const AUTO_STEMS_S = 240;

export class TrackView {
  constructor(root, { engine, player, mixer, roll, onJob, onError }) {
    this.root = root;
    this.engine = engine;
    this.player = player;
    this.mixer = mixer;
    this.roll = roll;
    this.onJob = onJob;
    this.onError = onError;
    this.track = null;
    this._abort = null;
    this.actions = root.querySelector("#actions");
    this.actions.addEventListener("submit", (ev) => { ev.preventDefault(); this.act(ev.submitter?.value); });
    // With a token a plain link cannot send it: the file is fetched and saved from an object URL.
    root.querySelector(".downloads").addEventListener("click", (ev) => {
      const link = ev.target.closest("a[href]");
      if (!link || !hasToken()) return;
      ev.preventDefault();
      download(link.href, link.download).catch(onError);
    });
  }

  /** Open a track: record, notes and audio. Resolves once the mix can play. */
  async open(id) {
    if (this._abort) this._abort.abort();
    const abort = (this._abort = new AbortController());
    this.engine.clear();
    this.root.hidden = false;
    this.root.dataset.state = "loading";
    const [track, notes] = await Promise.all([api.track(id), api.notes(id).catch((err) => { this.onError(err); return null; })]);
    if (abort.signal.aborted) return;
    this.track = track;
    this.root.dataset.trackId = track.id;
    this.renderInfo(track);
    const sections = notes?.sections?.length ? notes.sections : track.sections || [];
    this.player.setSections(sections);
    if (notes) this.roll.set(notes);
    const mix = await this.engine.decode(await fetchBytes(urls.mix(id), abort.signal));
    if (abort.signal.aborted) return;
    this.engine.setMix(mix);
    this.root.dataset.state = "ready";
    if ((track.duration || 0) <= AUTO_STEMS_S) {
      this.loadStems(track, abort.signal); // in the background: the mix plays meanwhile
    } else {
      this.mixer.offerStems(track.files?.stems?.length || 0, () => this.loadStems(track, abort.signal));
    }
  }

  /** A new record of the open track (retitled or retagged in the library). */
  update(track) {
    if (this.track?.id !== track.id) return;
    this.track = track;
    this.renderInfo(track);
  }

  /** Close the track (it was deleted). */
  close() {
    if (this._abort) this._abort.abort();
    this.engine.clear();
    this.track = null;
    this.root.hidden = true;
    for (const key of ["trackId", "state", "stems"]) delete this.root.dataset[key];
  }

  async loadStems(track, signal) {
    const files = track.files?.stems || [];
    if (!files.length) { this.mixer.setStatus("This track has no stems."); return; }
    this.mixer.setStatus(`Loading ${files.length} stems…`);
    try {
      const stems = await Promise.all(files.map(async (name, i) => ({
        name, buffer: await this.engine.decode(await fetchBytes(urls.stem(track.id, i + 1), signal)),
      })));
      if (signal.aborted) return;
      this.engine.setStems(stems);
      this.mixer.setStatus(`${stems.length} stems, started together on one clock.`);
      this.root.dataset.stems = "ready";
    } catch (err) {
      if (signal.aborted) return;
      this.mixer.setStatus("The stems could not be loaded.");
      this.onError(err);
    }
  }

  renderInfo(t) {
    const q = (s) => this.root.querySelector(s);
    q("#track-title").textContent = t.title || t.prompt || t.id;
    q("#track-prompt").textContent = t.prompt && t.prompt !== t.title ? `“${t.prompt}”` : "";
    const facts = [
      ["style", t.style], ["mood", t.mood], ["key", t.key], ["tempo", t.tempo ? `${Math.round(t.tempo)} bpm` : ""],
      ["meter", t.meter], ["length", formatTime(t.duration)], ["seed", t.seed], ["loop", t.loopable ? "yes" : "no"],
      ["made by", t.parent ? `${t.operation} of ${t.parent}` : t.operation],
    ];
    const box = q("#track-facts");
    box.replaceChildren();
    for (const [k, v] of facts) {
      if (v === undefined || v === null || v === "") continue;
      const item = document.createElement("span");
      item.className = "fact";
      const label = document.createElement("span");
      label.textContent = k;
      const value = document.createElement("b");
      value.textContent = String(v);
      item.append(label, " ", value);
      box.append(item);
    }
    const base = (t.title || t.id).replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-|-$/g, "").slice(0, 60) || t.id;
    const mixExt = (t.files?.mix || "mix.wav").split(".").pop();
    const link = (sel, href, name) => { const a = q(sel); a.href = href; a.download = name; };
    link("#dl-mix", urls.mix(t.id), `${base}.${mixExt}`);
    link("#dl-stems", urls.stemsZip(t.id), `${base}-stems.zip`);
    link("#dl-midi", urls.midi(t.id), `${base}.mid`);
    link("#dl-musicxml", urls.musicxml(t.id), `${base}.musicxml`);
    q("#dl-musicxml").hidden = !t.files?.musicxml;
    link("#dl-json", urls.json(t.id), `${base}.json`);
    q("#dl-stems").hidden = !(t.files?.stems || []).length;
    // Sensible starting values for the actions.
    const f = this.actions.elements;
    f["extend-to"].value = formatTime(Math.min(600, Math.round((t.duration || 60) * 1.5)));
    f["edit-tempo"].placeholder = t.tempo ? String(Math.round(t.tempo)) : "";
    f["edit-key"].placeholder = t.key || "";
  }

  async act(kind) {
    if (!this.track || !kind) return;
    const f = this.actions.elements;
    const id = this.track.id;
    try {
      let answer;
      if (kind === "extend") {
        answer = await api.extend(id, { to: f["extend-to"].value.trim() });
      } else if (kind === "edit") {
        const body = {};
        if (f["edit-tempo"].value.trim()) body.tempo = Number(f["edit-tempo"].value);
        if (f["edit-key"].value.trim()) body.key = f["edit-key"].value.trim();
        const lead = f["edit-lead"].value.trim();
        if (lead) body.instruments = { lead };
        const mute = f["edit-mute"].value.split(/[ ,]+/).filter(Boolean);
        if (mute.length) body.mute = mute;
        if (Number(f["edit-intensity"].value)) body.intensity = Number(f["edit-intensity"].value);
        answer = await api.edit(id, body);
      } else if (kind === "vary") {
        answer = await api.vary(id, { count: Number(f["vary-count"].value) || 1 });
      } else if (kind === "loop") {
        answer = await api.loop(id);
      }
      if (answer?.job) this.onJob(answer.job, `${kind} of “${this.track.title || id}”`);
    } catch (err) {
      const name = { to: "extend-to", tempo: "edit-tempo", key: "edit-key", mute: "edit-mute", instruments: "edit-lead",
        intensity: "edit-intensity", count: "vary-count" }[err.field];
      const control = name && f[name];
      if (control) {
        control.classList.add("invalid");
        control.addEventListener("input", () => control.classList.remove("invalid"), { once: true });
      }
      this.onError(err);
    }
  }
}
