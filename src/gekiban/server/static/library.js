// The library: GET /v1/tracks with a search box and filters, newest first, paged. Each row opens
// the track; its ▶ button opens it and starts playing (audition); ✎ renames and tags it (PATCH)
// and ✕ deletes it after a confirm in the row (DELETE).

import { api } from "./api.js";
import { el, formatTime } from "./util.js";

const PAGE = 20;

export class Library {
  constructor(root, { onOpen, onError, onChange, onDelete }) {
    this.onOpen = onOpen;
    this.onError = onError;
    this.onChange = onChange; // (record) after a rename or retag
    this.onDelete = onDelete; // (id) after a delete
    this.list = root.querySelector("#library-list");
    this.count = root.querySelector("#library-count");
    this.more = root.querySelector("#library-more");
    this.form = root.querySelector("#library-filters");
    this.items = [];
    this.total = 0;
    this.currentId = null;
    this.editing = null; // {id, mode: "edit" | "delete"}: the row that shows a form instead
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
      const mode = this.editing?.id === t.id ? this.editing.mode : null;
      this.list.append(mode === "edit" ? this.editRow(t) : mode === "delete" ? this.deleteRow(t) : this.row(t));
    }
    this.count.textContent = `${this.total} track${this.total === 1 ? "" : "s"}`;
    this.more.hidden = this.items.length >= this.total;
    if (this.currentId) this.select(this.currentId);
    this.list.querySelector(".editing [data-autofocus]")?.focus();
  }

  row(t) {
    const made = t.operation && t.operation !== "compose" ? t.operation : null;
    const meta = [made, t.style, t.mood, t.key, t.tempo ? `${Math.round(t.tempo)} bpm` : null, t.meter,
      formatTime(t.duration), t.loopable ? "loop" : null]
      .filter(Boolean).join(" · ");
    const tool = (testid, title, text, mode) => el("button", { class: "ghost small", type: "button", title,
      "aria-label": title, "data-testid": testid,
      onclick: (ev) => { ev.stopPropagation(); this.setEditing(t.id, mode); } }, text);
    const open = () => this.onOpen(t.id, { play: false });
    return el("li", { class: "track-row", "data-testid": "library-item", "data-id": t.id, tabindex: "0",
      onclick: open, onkeydown: (ev) => { if (ev.key === "Enter" && ev.target === ev.currentTarget) open(); } },
      el("button", { class: "audition", type: "button", title: "Open and play", "data-testid": "library-play",
        onclick: (ev) => { ev.stopPropagation(); this.onOpen(t.id, { play: true }); } }, "▶"),
      el("div", { class: "track-text" },
        el("div", { class: "track-title", lang: "ja" }, t.title || t.prompt || t.id),
        el("div", { class: "track-meta" }, meta),
        t.tags?.length ? el("div", { class: "track-tags", "data-testid": "library-tags" },
          t.tags.map((tag) => el("span", { class: "tag", lang: "ja" }, tag))) : null,
        el("div", { class: "track-date" }, new Date(t.created).toLocaleString())),
      el("div", { class: "track-tools" },
        tool("library-edit", "Rename and tag", "✎", "edit"),
        tool("library-delete", "Delete", "✕", "delete")));
  }

  // The row as a form: title and tags (comma-separated), saved with PATCH.
  editRow(t) {
    const title = el("input", { name: "title", value: t.title || "", maxlength: "200", lang: "ja",
      "aria-label": "Title", "data-testid": "library-title-input", "data-autofocus": true });
    const tags = el("input", { name: "tags", value: (t.tags || []).join(", "), placeholder: "battle, night",
      lang: "ja", "aria-label": "Tags, separated by commas", "data-testid": "library-tags-input" });
    const form = el("form", { class: "track-edit", autocomplete: "off",
      onsubmit: (ev) => { ev.preventDefault(); this.save(t.id, title.value, tags.value); },
      onkeydown: (ev) => { if (ev.key === "Escape") this.setEditing(null); } },
      el("label", {}, "Title", title),
      el("label", {}, "Tags", tags),
      el("div", { class: "row-buttons" },
        el("button", { type: "button", class: "ghost small", "data-testid": "library-cancel",
          onclick: () => this.setEditing(null) }, "Cancel"),
        el("button", { type: "submit", class: "primary small", "data-testid": "library-save" }, "Save")));
    return el("li", { class: "track-row editing", "data-testid": "library-item", "data-id": t.id }, form);
  }

  // The confirm of a delete, in the row itself.
  deleteRow(t) {
    return el("li", { class: "track-row editing confirm", "data-testid": "library-item", "data-id": t.id,
      role: "alertdialog", "aria-label": "Delete this track?" },
      el("p", { lang: "ja" }, "Delete ", el("b", {}, `“${t.title || t.prompt || t.id}”`),
        "? Its mix, stems and score go too."),
      el("div", { class: "row-buttons" },
        el("button", { type: "button", class: "ghost small", "data-testid": "library-cancel", "data-autofocus": true,
          onclick: () => this.setEditing(null) }, "Keep"),
        el("button", { type: "button", class: "danger small", "data-testid": "library-confirm-delete",
          onclick: () => this.remove(t.id) }, "Delete")));
  }

  setEditing(id, mode) {
    this.editing = id ? { id, mode } : null;
    this.render();
  }

  async save(id, title, tags) {
    try {
      const list = tags.split(/[,、]/).map((x) => x.trim()).filter(Boolean); // "、" too: Japanese commas
      const record = await api.patch(id, { title: title.trim(), tags: list });
      this.items = this.items.map((t) => (t.id === id ? record : t));
      this.setEditing(null);
      this.onChange(record);
    } catch (err) {
      this.onError(err);
    }
  }

  async remove(id) {
    try {
      await api.remove(id);
      this.items = this.items.filter((t) => t.id !== id);
      this.total = Math.max(0, this.total - 1);
      if (this.currentId === id) this.currentId = null;
      this.setEditing(null);
      this.onDelete(id);
    } catch (err) {
      this.onError(err);
    }
  }

  /** Fill the style filter's choices. */
  setStyles(styles) {
    const select = this.form.querySelector("#filter-style");
    for (const s of styles) select.append(el("option", { value: s.name }, s.name));
  }
}
