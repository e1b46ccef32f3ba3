// The pages' only way to the system: the public API on the same origin, as any client.
// Tokens live in this browser's localStorage; an expired access token is refreshed once.
"use strict";

// The console and the shopper page sign in apart: an operator is not a shopper here.
const TOKENS = location.pathname.startsWith("/admin") ? "checkin.console.tokens" : "checkin.tokens";

export function tokens() {
  try {
    return JSON.parse(localStorage.getItem(TOKENS) || "null");
  } catch {
    return null;
  }
}

export function keepTokens(pair) {
  localStorage.setItem(
    TOKENS,
    JSON.stringify({ access: pair.access_token, refresh: pair.refresh_token }),
  );
}

export function forgetTokens() {
  localStorage.removeItem(TOKENS);
}

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.code = (problem && problem.code) || "";
    this.problem = problem || {};
  }
}

async function send(method, path, { body, headers = {}, auth = true, accept } = {}) {
  const all = { ...headers };
  if (body !== undefined) all["Content-Type"] = all["Content-Type"] || "application/json";
  if (accept) all.Accept = accept;
  const held = tokens();
  if (auth && held) all.Authorization = `Bearer ${held.access}`;
  const payload =
    body === undefined || typeof body === "string" ? body : JSON.stringify(body);
  return fetch(path, { method, headers: all, body: payload });
}

async function refreshed() {
  const held = tokens();
  if (!held) return false;
  const answer = await send("POST", "/auth/refresh", {
    body: { refresh_token: held.refresh },
    auth: false,
  });
  if (!answer.ok) {
    forgetTokens();
    return false;
  }
  keepTokens(await answer.json());
  return true;
}

// The raw answer (for CSV); a 401 is retried once after a refresh.
export async function raw(method, path, options = {}) {
  let answer = await send(method, path, options);
  if (answer.status === 401 && options.auth !== false && (await refreshed())) {
    answer = await send(method, path, options);
  }
  if (!answer.ok) {
    let problem = null;
    try {
      problem = await answer.json();
    } catch {
      problem = null;
    }
    throw new ApiError(answer.status, problem);
  }
  return answer;
}

export async function api(method, path, options = {}) {
  const answer = await raw(method, path, options);
  if (answer.status === 204) return null;
  return answer.json();
}

export async function login(email, password) {
  keepTokens(await api("POST", "/auth/login", { body: { email, password }, auth: false }));
}

export async function exchange(idToken) {
  const pair = await api("POST", "/auth/token-exchange", {
    auth: false,
    body: {
      subject_token: idToken,
      subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
    },
  });
  keepTokens(pair);
}

export async function logout() {
  const held = tokens();
  forgetTokens();
  if (held) {
    try {
      await send("POST", "/auth/logout", { body: { refresh_token: held.refresh }, auth: false });
    } catch {
      // signed out here either way
    }
  }
}

export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// Small DOM helper: el("p", {class: "x", text: "hi"}, child, ...)
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function formValues(form) {
  const values = {};
  for (const [name, value] of new FormData(form).entries()) {
    const text = String(value).trim();
    if (text !== "") values[name] = text;
  }
  return values;
}
