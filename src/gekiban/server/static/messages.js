// The message area: API errors ({"error": {"code", "message"}}) and notices, visible until
// dismissed (notices fade on their own).

import { el } from "./util.js";

export class Messages {
  constructor(root) {
    this.root = root;
  }

  error(err) {
    const code = err && err.code ? err.code : "error";
    const text = err && err.message ? err.message : String(err);
    const field = err && err.field ? ` (${err.field})` : "";
    this._add("error", el("b", {}, code), `${field}: ${text}`);
    console.warn("gekiban:", code, text);
  }

  notice(text) {
    const node = this._add("notice", text);
    setTimeout(() => node.remove(), 6000);
  }

  clear() {
    this.root.replaceChildren();
  }

  _add(kind, ...content) {
    const node = el("div", { class: `message ${kind}`, role: kind === "error" ? "alert" : "status",
      "data-testid": kind === "error" ? "error-message" : "notice" },
    el("span", { class: "message-text" }, ...content),
    el("button", { type: "button", class: "ghost small", "aria-label": "Dismiss", onclick: () => node.remove() }, "×"));
    this.root.append(node);
    return node;
  }
}
