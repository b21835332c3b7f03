// The HTTP API of docs/server.md, as small async functions. Every failure becomes an ApiError
// carrying the server's {"error": {"code", "message", "field"}} so the page can show it.
//
// Every request goes through authFetch: a server started with --token answers 401 without
// `Authorization: Bearer TOKEN`, so the token (kept in localStorage) rides on every fetch, and a
// 401 asks the page for the token (setTokenPrompt) and tries again with it.

export class ApiError extends Error {
  constructor(status, code, message, field = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

const TOKEN_KEY = "gekiban.token";
let tokenPrompt = null; // async ({rejected}) => token, set by the page
let asking = null;      // the prompt now open: every request refused meanwhile waits on it

/** The page's way of asking the user for the token; without one a 401 is an ordinary error. */
export function setTokenPrompt(prompt) {
  tokenPrompt = prompt;
}

/** Whether requests carry a token (then downloads go through authFetch too). */
export function hasToken() {
  return Boolean(localStorage.getItem(TOKEN_KEY));
}

function askToken(rejected) {
  if (!asking) {
    asking = tokenPrompt({ rejected }).then((token) => {
      localStorage.setItem(TOKEN_KEY, token);
      asking = null;
    });
  }
  return asking;
}

/** fetch() with the bearer token; on 401 it asks for the token and tries again. */
export async function authFetch(url, init = {}) {
  for (;;) {
    const token = localStorage.getItem(TOKEN_KEY);
    const headers = new Headers(init.headers);
    if (token) headers.set("Authorization", `Bearer ${token}`);
    let res;
    try {
      res = await fetch(url, { ...init, headers });
    } catch (err) {
      if (err.name === "AbortError") throw err;
      throw new ApiError(0, "network", `the server did not answer (${err.message})`);
    }
    if (res.status !== 401 || !tokenPrompt) return res;
    if (localStorage.getItem(TOKEN_KEY) !== token) continue; // a new token came meanwhile: try it
    await askToken(Boolean(token));
  }
}

// An ApiError from a failed response: the API's JSON error, else the method, address and status.
async function failure(res, what) {
  let e = null;
  try { e = (await res.json()).error; } catch { /* not JSON */ }
  if (e) return new ApiError(res.status, e.code || "error", e.message || res.statusText, e.field || null);
  // Not the API's JSON (a proxy, a server that is not gekiban): say what was asked and the status.
  return new ApiError(res.status, "http_" + res.status, `${what}: ${res.status} ${res.statusText}`.trim());
}

async function request(method, path, body) {
  const init = { method, headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await authFetch(path, init);
  if (!res.ok) throw await failure(res, `${method} ${path}`);
  if (res.status === 204) return null;
  const text = await res.text();
  try { return text ? JSON.parse(text) : null; } catch { return null; }
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === "") continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? "?" + s : "";
}

const enc = encodeURIComponent;

export const api = {
  health: () => request("GET", "/v1/health"),
  styles: () => request("GET", "/v1/styles"),
  explain: (params) => request("GET", "/v1/explain" + query(params)),
  compose: (options) => request("POST", "/v1/tracks", options),
  extend: (id, body) => request("POST", `/v1/tracks/${enc(id)}/extend`, body),
  edit: (id, body) => request("POST", `/v1/tracks/${enc(id)}/edit`, body),
  vary: (id, body) => request("POST", `/v1/tracks/${enc(id)}/vary`, body),
  loop: (id) => request("POST", `/v1/tracks/${enc(id)}/loop`, {}),
  job: (id) => request("GET", `/v1/jobs/${enc(id)}`),
  cancel: (id) => request("DELETE", `/v1/jobs/${enc(id)}`),
  tracks: (params) => request("GET", "/v1/tracks" + query(params)),
  track: (id) => request("GET", `/v1/tracks/${enc(id)}`),
  notes: (id) => request("GET", `/v1/tracks/${enc(id)}/notes`),
  patch: (id, body) => request("PATCH", `/v1/tracks/${enc(id)}`, body),
  remove: (id) => request("DELETE", `/v1/tracks/${enc(id)}`),
};

/** Addresses of a track's files (for <a download> and for fetching audio). */
export const urls = {
  mix: (id) => `/v1/tracks/${enc(id)}/mix`,
  stem: (id, n) => `/v1/tracks/${enc(id)}/stems/${n}`,
  stemsZip: (id) => `/v1/tracks/${enc(id)}/stems.zip`,
  midi: (id) => `/v1/tracks/${enc(id)}/midi`,
  musicxml: (id) => `/v1/tracks/${enc(id)}/musicxml`,
  json: (id) => `/v1/tracks/${enc(id)}/json`,
};

/** Fetch a file as an ArrayBuffer, with API errors turned into ApiError. */
export async function fetchBytes(url, signal) {
  const res = await authFetch(url, { signal });
  if (!res.ok) throw await failure(res, url);
  return res.arrayBuffer();
}

/** The file name in a Content-Disposition header (filename*=UTF-8'' or filename=), else null. */
function dispositionName(header) {
  if (!header) return null;
  const star = header.match(/filename\*\s*=\s*UTF-8''([^;]+)/i);
  if (star) { try { return decodeURIComponent(star[1].trim()); } catch { /* malformed: try filename= */ } }
  const plain = header.match(/filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;]+)/i);
  return plain ? (plain[1] ?? plain[2]).trim() : null;
}

/** Download a file through authFetch: the blob is saved from an object URL, named as the server
 *  says (Content-Disposition), else `name`. */
export async function download(url, name) {
  const res = await authFetch(url);
  if (!res.ok) throw await failure(res, url);
  const blob = await res.blob();
  const href = URL.createObjectURL(blob);
  const a = Object.assign(document.createElement("a"), {
    href, download: dispositionName(res.headers.get("Content-Disposition")) || name,
  });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}

const TERMINAL = new Set(["done", "failed", "cancelled"]);

/** Server-sent events from a streamed fetch body: calls onEvent(name, data) per event. */
async function readEvents(res, onEvent) {
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) continue; // a comment: the keep-alive
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") name = text;
        else if (field === "data") data.push(text);
      }
      if (data.length) {
        let parsed = {};
        try { parsed = JSON.parse(data.join("\n")); } catch { /* not JSON: no fields */ }
        onEvent(name, parsed);
      }
    }
  }
}

/**
 * Follow a job to its end: the server-sent events of /v1/jobs/{id}/events, read from a fetch
 * (EventSource cannot send the token), feed onProgress ({stage, progress}); resolves with the
 * final job record (the final event's data). If the stream ends without that event, it polls
 * GET /v1/jobs/{id} every second instead.
 */
export async function followJob(jobId, onProgress) {
  let final = null;
  const stream = new AbortController();
  try {
    const res = await authFetch(`/v1/jobs/${enc(jobId)}/events`,
      { headers: { Accept: "text/event-stream" }, signal: stream.signal });
    if (res.ok && res.body) {
      await readEvents(res, (name, data) => {
        if (name === "progress") onProgress(data);
        else if (TERMINAL.has(name)) { final = data; stream.abort(); }
      });
    }
  } catch {
    // The stream broke (or was closed after the final event): the job itself says the rest.
  }
  if (final?.state) return final;
  for (;;) {
    const job = await api.job(jobId);
    if (TERMINAL.has(job.state)) return job;
    onProgress({ stage: job.stage, progress: job.progress });
    await new Promise((r) => setTimeout(r, 1000));
  }
}
