// The library: GET /v1/tracks with a search box and filters, newest first, paged. Each row opens
// the track; its ▶ button opens it and starts playing (audition).

import { api } from "./api.js";
import { el, formatTime } from "./util.js";

const PAGE = 20;

export class Library {
  constructor(root, { onOpen, onError }) {
    this.onOpen = onOpen;
    this.onError = onError;
    this.list = root.querySelector("#library-list");
    this.count = root.querySelector("#library-count");
    this.more = root.querySelector("#library-more");
    this.form = root.querySelector("#library-filters");
    this.items = [];
    this.total = 0;
    this.currentId = null;
    let timer = null;
    this.form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(() => this.refresh(), 250); });
    this.form.addEventListener("submit", (ev) => { ev.preventDefault(); this.refresh(); });
    this.more.addEventListener("click", () => this.load(this.items.length));
  }

  filters() {
    const f = new FormData(this.form);
    const params = {};
    for (const [k, v] of f.entries()) if (String(v).trim() !== "") params[k] = String(v).trim();
    if (params.loopable === "on") params.loopable = "true";
    return params;
  }

  refresh() {
    return this.load(0);
  }

  async load(offset) {
    try {
      const page = await api.tracks({ ...this.filters(), limit: PAGE, offset });
      this.items = offset ? this.items.concat(page.items) : page.items;
      this.total = page.total;
      this.render();
    } catch (err) {
      this.onError(err);
    }
  }

  select(id) {
    this.currentId = id;
    this.list.querySelectorAll(".track-row").forEach((row) => row.classList.toggle("current", row.dataset.id === id));
  }

  render() {
    this.list.replaceChildren();
    if (!this.items.length) {
      this.list.append(el("li", { class: "empty" }, "No tracks yet — compose one, or loosen the filters."));
    }
    for (const t of this.items) {
      const made = t.operation && t.operation !== "compose" ? t.operation : null;
      const meta = [made, t.style, t.mood, t.key, t.tempo ? `${Math.round(t.tempo)} bpm` : null, t.meter,
        formatTime(t.duration), t.loopable ? "loop" : null]
        .filter(Boolean).join(" · ");
      const row = el("li", { class: "track-row", "data-testid": "library-item", "data-id": t.id, tabindex: "0",
        onclick: () => this.onOpen(t.id, { play: false }),
        onkeydown: (ev) => { if (ev.key === "Enter") this.onOpen(t.id, { play: false }); } },
        el("button", { class: "audition", type: "button", title: "Open and play", "data-testid": "library-play",
          onclick: (ev) => { ev.stopPropagation(); this.onOpen(t.id, { play: true }); } }, "▶"),
        el("div", { class: "track-text" },
          el("div", { class: "track-title", lang: "ja" }, t.title || t.prompt || t.id),
          el("div", { class: "track-meta" }, meta),
          el("div", { class: "track-date" }, new Date(t.created).toLocaleString())));
      this.list.append(row);
    }
    this.count.textContent = `${this.total} track${this.total === 1 ? "" : "s"}`;
    this.more.hidden = this.items.length >= this.total;
    if (this.currentId) this.select(this.currentId);
  }

  /** Fill the style filter's choices. */
  setStyles(styles) {
    const select = this.form.querySelector("#filter-style");
    for (const s of styles) select.append(el("option", { value: s.name }, s.name));
  }
}
