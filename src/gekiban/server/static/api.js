// The HTTP API of docs/server.md, as small async functions. Every failure becomes an ApiError
// carrying the server's {"error": {"code", "message", "field"}} so the page can show it.

export class ApiError extends Error {
  constructor(status, code, message, field = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

async function request(method, path, body) {
  const init = { method, headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    throw new ApiError(0, "network", `the server did not answer (${err.message})`);
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { /* not JSON: handled below */ }
  if (!res.ok) {
    const e = data && data.error;
    if (e) throw new ApiError(res.status, e.code || "error", e.message || res.statusText, e.field || null);
    // Not the API's JSON (a proxy, a server that is not gekiban): say what was asked and the status.
    throw new ApiError(res.status, "http_" + res.status, `${method} ${path}: ${res.status} ${res.statusText}`.trim());
  }
  return data;
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
  json: (id) => `/v1/tracks/${enc(id)}/json`,
};

/** Fetch a file as an ArrayBuffer, with API errors turned into ApiError. */
export async function fetchBytes(url, signal) {
  const res = await fetch(url, { signal });
  if (!res.ok) {
    let e = null;
    try { e = (await res.json()).error; } catch { /* not JSON */ }
    throw new ApiError(res.status, e ? e.code : "http_" + res.status, e ? e.message : `${url}: ${res.statusText}`);
  }
  return res.arrayBuffer();
}

const TERMINAL = new Set(["done", "failed", "cancelled"]);

/**
 * Follow a job to its end: server-sent events from /v1/jobs/{id}/events feed onProgress
 * ({stage, progress}); resolves with the final job record (GET /v1/jobs/{id}). If the event
 * stream breaks, it falls back to polling the job every second.
 */
export function followJob(jobId, onProgress) {
  return new Promise((resolve, reject) => {
    let finished = false;
    let poller = null;
    const source = new EventSource(`/v1/jobs/${enc(jobId)}/events`);
    const finish = async () => {
      if (finished) return;
      finished = true;
      source.close();
      if (poller) clearInterval(poller);
      try { resolve(await api.job(jobId)); } catch (err) { reject(err); }
    };
    const parse = (ev) => { try { return JSON.parse(ev.data); } catch { return {}; } };
    source.addEventListener("progress", (ev) => onProgress(parse(ev)));
    for (const name of TERMINAL) source.addEventListener(name, finish);
    source.onerror = () => {
      if (finished || poller) return;
      source.close();
      // The stream closed without a final event (proxy, restart): ask the job itself.
      poller = setInterval(async () => {
        try {
          const job = await api.job(jobId);
          onProgress({ stage: job.stage, progress: job.progress });
          if (TERMINAL.has(job.state)) finish();
        } catch (err) {
          clearInterval(poller);
          if (!finished) { finished = true; reject(err); }
        }
      }, 1000);
    };
  });
}
