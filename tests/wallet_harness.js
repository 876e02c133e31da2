// Helpers for the wallet browser tests: an event recorder for a button's `on…` options,
// waiting for an event, a fresh mount target, and answers the merchant "backend" gives.

const EVENTS = ["ready", "unavailable", "click", "authorized", "cancel", "success", "failed", "action", "error"];

export function recorder() {
  const r = { events: [], waiters: [], callbacks: {} };
  for (const name of EVENTS) {
    r.callbacks[`on${name[0].toUpperCase()}${name.slice(1)}`] = (detail) => {
      r.events.push([name, detail]);
      for (const w of r.waiters.filter((w) => w.name === name)) w.resolve(detail);
      r.waiters = r.waiters.filter((w) => w.name !== name);
    };
  }
  return r;
}

/** The recorded event names, comma-separated. */
export const eventNames = (r) => r.events.map(([name]) => name).join(",");

/** The first `name` event's detail (waits up to `ms`). */
export function nextEvent(r, name, ms = 4000) {
  const seen = r.events.find(([n]) => n === name);
  if (seen) return Promise.resolve(seen[1]);
  return new Promise((resolve, reject) => {
    r.waiters.push({ name, resolve });
    setTimeout(() => reject(new Error(`no ${name} event; got ${eventNames(r)}`)), ms);
  });
}

/** A fresh mount target in the page. */
export function target() {
  const el = document.createElement("div");
  document.body.append(el);
  return el;
}

/** Options: `base` (JSON text) merged with the recorder's callbacks and `extra`. */
export const options = (base, r, extra = {}) => ({ ...JSON.parse(base), ...r.callbacks, ...extra });

/** A backend callback that records what it got and answers `answer` after `delayMs`. */
export function backend(answer, delayMs = 0) {
  const calls = [];
  const f = (arg) => {
    calls.push(arg);
    return new Promise((resolve) => setTimeout(() => resolve(answer), delayMs));
  };
  f.calls = calls;
  return f;
}

/** A backend callback that never answers. */
export const silentBackend = () => () => new Promise(() => {});

/** A callback that rejects. */
export const failingBackend = () => () => Promise.reject(new Error("backend down"));

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
