// The studio's entry point: builds the panels, asks for the token when the server needs one,
// follows jobs (progress bar fed by the job's server-sent events, cancel), and opens finished tracks.

import { api, followJob, setTokenPrompt } from "./api.js";
import { AudioEngine } from "./engine.js";
import { Player } from "./player.js";
import { Mixer } from "./mixer.js";
import { PianoRoll } from "./pianoroll.js";
import { Library } from "./library.js";
import { ComposePanel } from "./compose.js";
import { TrackView } from "./track.js";
import { Messages } from "./messages.js";
import { TokenDialog } from "./token.js";

const $ = (s) => document.querySelector(s);

const tokenDialog = new TokenDialog($("#token-dialog"));
setTokenPrompt((state) => tokenDialog.ask(state));

const messages = new Messages($("#messages"));
const showError = (err) => messages.error(err);
const engine = new AudioEngine();
const player = new Player($("#player"), engine);
const mixer = new Mixer($("#mixer"), engine);
const roll = new PianoRoll($("#roll"), engine);

class JobProgress {
  constructor(root) {
    this.root = root;
    this.bar = root.querySelector("#progress-bar");
    this.fill = root.querySelector("#progress-fill");
    this.label = root.querySelector("#progress-label");
    this.cancelBtn = root.querySelector("#cancel");
    this.job = null;
    this.cancelBtn.addEventListener("click", () => this.cancel());
  }

  show(job, what) {
    this.job = job;
    this.what = what;
    this.root.hidden = false;
    this.root.dataset.state = job.state || "queued";
    this.cancelBtn.disabled = false;
    this.set({ stage: job.stage || job.state || "queued", progress: job.progress || 0 });
  }

  set({ stage, progress, state }) {
    if (state) this.root.dataset.state = state;
    const p = Math.max(0, Math.min(1, Number(progress) || 0));
    this.fill.style.width = `${(p * 100).toFixed(1)}%`;
    this.bar.setAttribute("aria-valuenow", String(Math.round(p * 100)));
    this.label.textContent = `${this.what}: ${stage || "working"} · ${Math.round(p * 100)}%`;
  }

  end(job) {
    this.root.dataset.state = job.state;
    this.cancelBtn.disabled = true;
    if (job.state === "done") this.set({ stage: "done", progress: 1 });
    else this.label.textContent = `${this.what}: ${job.state}${job.error ? ` — ${job.error}` : ""}`;
  }

  async cancel() {
    if (!this.job) return;
    this.cancelBtn.disabled = true;
    try { await api.cancel(this.job.id); } catch (err) { showError(err); }
  }
}

const progress = new JobProgress($("#job"));
const generateBtn = $("#generate");

// The ids of the tracks a finished job made (one for most jobs; a list for vary).
function jobTracks(job) {
  const t = (Array.isArray(job.tracks) && job.tracks.length ? job.tracks : null) ?? job.track ?? job.result?.tracks;
  if (Array.isArray(t)) return t.map((x) => (typeof x === "object" ? x.id : x));
  if (t && typeof t === "object") return [t.id];
  return t ? [t] : [];
}

async function follow(job, what) {
  progress.show(job, what);
  generateBtn.disabled = true;
  document.body.classList.add("busy");
  try {
    const final = await followJob(job.id, (ev) => progress.set(ev));
    progress.end(final);
    if (final.state === "done") {
      const ids = jobTracks(final);
      await library.refresh();
      if (ids.length > 1) messages.notice(`${ids.length} new tracks are in the library.`);
      if (ids.length) await openTrack(ids[0], { play: false });
    } else if (final.state === "failed") {
      messages.error({ code: "job_failed", message: final.error || "the job failed" });
    } else {
      messages.notice(`${what}: cancelled.`);
    }
  } catch (err) {
    showError(err);
  } finally {
    generateBtn.disabled = false;
    document.body.classList.remove("busy");
  }
}

async function openTrack(id, { play = false } = {}) {
  library.select(id);
  $("#track-empty").hidden = true;
  history.replaceState(null, "", `#track=${id}`);
  try {
    await trackView.open(id);
    if (play) await engine.play();
  } catch (err) {
    if (err.name !== "AbortError") showError(err);
  }
}

const trackView = new TrackView($("#track"), { engine, player, mixer, roll, onJob: follow, onError: showError });
const library = new Library($("#library"), {
  onOpen: openTrack,
  onError: showError,
  onChange: (track) => trackView.update(track),
  onDelete: (id) => {
    if (trackView.track?.id !== id) return;
    trackView.close();
    $("#track-empty").hidden = false;
    history.replaceState(null, "", location.pathname);
  },
});
const compose = new ComposePanel($("#compose"), {
  onError: showError,
  onSubmit: async (options) => {
    compose.clearInvalid();
    try {
      const { job } = await api.compose(options);
      await follow(job, options.prompt ? `“${options.prompt.slice(0, 40)}”` : options.style || "compose");
    } catch (err) {
      compose.markInvalid(err.field);
      showError(err);
    }
  },
});

document.addEventListener("keydown", (ev) => {
  if (ev.code === "Space" && !ev.target.closest("input, textarea, select, button")) {
    ev.preventDefault();
    engine.toggle();
  }
});

async function start() {
  try {
    const health = await api.health();
    $("#server-info").textContent = `gekiban ${health.version}${health.soundfont ? ` · ${health.soundfont}` : ""}`;
  } catch (err) {
    showError(err);
  }
  try {
    const { styles } = await api.styles();
    compose.setStyles(styles);
    library.setStyles(styles);
  } catch (err) {
    showError(err);
  }
  await library.refresh();
  const m = location.hash.match(/track=([0-9a-f]+)/);
  if (m) openTrack(m[1]);
  document.body.dataset.ready = "true";
}

// For tests and the console: the live objects.
window.studio = { engine, player, mixer, roll, library, compose, trackView, messages };
start();
