// Small helpers shared by the studio's modules.

/** "1:05" from 65.2 seconds. */
export function formatTime(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) seconds = 0;
  const m = Math.floor(seconds / 60), s = Math.floor(seconds % 60);
  return `${m}:${String(s).padStart(2, "0")}`;
}

/** Size a canvas's backing store to its CSS box at the device pixel ratio. */
export function fitCanvas(canvas, cssWidth = null, cssHeight = null) {
  const rect = canvas.getBoundingClientRect();
  const width = cssWidth ?? rect.width, height = cssHeight ?? rect.height;
  if (!width || !height) return { ctx: null, width, height };
  const dpr = window.devicePixelRatio || 1;
  const w = Math.round(width * dpr), h = Math.round(height * dpr);
  if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { ctx, width, height };
}

/** Create an element: el("button", {class: "x", onclick: f}, "text", child). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (v === true) node.setAttribute(k, "");
    else node.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** Colours per part role (the piano roll and the mixer share them). */
export const ROLE_COLOURS = {
  lead: "#ff8a8a", counter: "#ffc46b", "counter-line": "#ffc46b", pad: "#7fd1b9",
  ostinato: "#8fb8ff", arp: "#8fb8ff", bass: "#c49bff", drums: "#9aa3b5",
  percussion: "#d6a88a", fx: "#6fd3ef", swells: "#6fd3ef",
};

export function roleColour(role) {
  if (!role) return "#b7bfd3";
  const key = Object.keys(ROLE_COLOURS).find((k) => role.toLowerCase().startsWith(k));
  return key ? ROLE_COLOURS[key] : "#b7bfd3";
}

/** The role of a stem from its file name, "01-lead-french-horn.wav" → "lead". */
export function stemLabel(file) {
  const base = String(file).replace(/\.[a-z0-9]+$/i, "");
  const m = base.match(/^(\d+)-([a-z]+)-(.+)$/i);
  if (!m) return { role: "", instrument: base };
  return { role: m[2], instrument: m[3].replace(/-/g, " ") };
}
