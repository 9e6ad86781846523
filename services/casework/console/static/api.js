// Talking to the services with the signed-in person's own token.
import { t } from "./i18n.js";

const KEY = "gridloop.token";
const host = `${location.protocol}//${location.hostname}`;

// TODO: the other services are assumed on their default ports of the console's host;
// a deployment behind one gateway would need these addresses configurable.
export const SERVICES = {
  casework: location.origin,
  intake: `${host}:8001`,
  router: `${host}:8002`,
  notifier: `${host}:8004`,
};

export class Failure extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || "";
    this.field = error.field || "";
  }

  readable() {
    // A sentence for people, with the server's reason after it.
    const known = [401, 403, 404, 409, 422].includes(this.status);
    const head = this.status === 0 ? t("err.net") : t(known ? `err.${this.status}` : "err.other");
    const detail = this.status ? ` ${t("server_said")}${this.message} (${this.status})` : "";
    return head + detail;
  }
}

export function token() {
  return sessionStorage.getItem(KEY);
}

export function signIn(value) {
  const who = decode(value);
  if (!who) return null;
  sessionStorage.setItem(KEY, value);
  return who;
}

export function signOut() {
  sessionStorage.removeItem(KEY);
}

export function decode(value) {
  // What the token claims, for choosing views only: the services check it themselves.
  const parts = (value || "").trim().split(".");
  if (parts.length !== 3 || parts[0] !== "glt1") return null;
  try {
    const text = atob(parts[1].replace(/-/g, "+").replace(/_/g, "/"));
    const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return claims && claims.role ? claims : null;
  } catch {
    return null;
  }
}

export function me() {
  return decode(token());
}

async function send(url, options = {}) {
  const headers = { ...(options.headers || {}) };
  if (token()) headers.authorization = `Bearer ${token()}`;
  let answer;
  try {
    answer = await fetch(url, { ...options, headers });
  } catch {
    throw new Failure(0, null);
  }
  if (!answer.ok) {
    let body = null;
    try { body = await answer.json(); } catch { body = null; }
    throw new Failure(answer.status, body);
  }
  return answer;
}

export async function getJson(service, path, params) {
  const url = new URL(SERVICES[service] + path);
  for (const [name, value] of Object.entries(params || {})) {
    if (value !== "" && value !== null && value !== undefined) url.searchParams.set(name, value);
  }
  return (await send(url)).json();
}

export async function postJson(service, path, body) {
  const answer = await send(SERVICES[service] + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return answer.json();
}

export async function upload(file) {
  // A photo to intake; its id is what an action names as proof.
  const form = new FormData();
  form.append("file", file);
  const answer = await send(`${SERVICES.intake}/v1/media`, { method: "POST", body: form });
  return (await answer.json()).media_id;
}

export async function photoUrl(mediaId) {
  const answer = await send(`${SERVICES.intake}/v1/media/${encodeURIComponent(mediaId)}`);
  return URL.createObjectURL(await answer.blob());
}

export function commandId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return `c-${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

let places = null;

export async function registry() {
  // Names and boundaries, read once per page load.
  if (!places) places = await getJson("casework", "/console/places");
  return places;
}

export function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
