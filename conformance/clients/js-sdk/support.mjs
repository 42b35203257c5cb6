// Plumbing for scenario.mjs: a quiet SDK logger, a fetch that keeps a journal of every HTTP
// exchange (so a failing step can name the request and the server's answer), waiting on SDK
// events with a re-check of state, and a step runner with a timeout per step.

import { logger } from "matrix-js-sdk/lib/logger.js";

const SDK_LOG_KEEP = 200;
const BODY_KEEP = 1500;

/** The SDK's recent log lines, newest last; printed only when a step fails. */
export const sdkLog = [];

/** Routes every SDK logger (including child loggers made later, which copy the root's method
 * factory) into `sdkLog` instead of the console. RANVIER_SDK_LOG=1 also prints them. */
export function quietSdkLogger() {
  const echo = process.env.RANVIER_SDK_LOG === "1";
  logger.methodFactory = (method, _level, name) => (...args) => {
    const line = `[${name} ${method}] ${args.map(describeLogArg).join(" ")}`;
    sdkLog.push(line);
    if (sdkLog.length > SDK_LOG_KEEP) {
      sdkLog.shift();
    }
    if (echo) {
      process.stderr.write(line + "\n");
    }
  };
  logger.rebuild();
}

function describeLogArg(arg) {
  if (arg instanceof Error) {
    return `${arg.name}: ${arg.message}`;
  }
  return typeof arg === "string" ? arg : safeJson(arg);
}

function safeJson(value) {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** Every HTTP exchange of every client, in the order they started. */
export const journal = [];

// Diagnostics only: RANVIER_SDK_STANDIN_PUSHRULES=1 answers GET /pushrules/ (which the SDK
// needs before its first /sync) with an empty rule set, so the steps after it can be tried on
// a server without push rules. A run that used it never counts as passed (see scenario.mjs).
const PUSHRULES_STANDIN = process.env.RANVIER_SDK_STANDIN_PUSHRULES === "1";
const EMPTY_PUSH_RULES = { global: { override: [], content: [], room: [], sender: [], underride: [] } };

/** True when some request was answered by the push-rules stand-in instead of the server. */
export function usedStandIn() {
  return journal.some((entry) => entry.standIn);
}

/** A fetch for `createClient({fetchFn})` that records method, path, status and, for answers
 * other than 2xx, the request and response bodies (passwords masked). */
export function recordingFetch(clientName) {
  return async (input, init = {}) => {
    const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
    url.searchParams.delete("access_token");
    const entry = {
      client: clientName,
      method: (init.method ?? "GET").toUpperCase(),
      path: url.pathname + url.search,
      requestBody: typeof init.body === "string" ? maskSecrets(init.body) : undefined,
      started: Date.now(),
    };
    journal.push(entry);
    if (PUSHRULES_STANDIN && entry.method === "GET" && url.pathname.endsWith("/pushrules/")) {
      Object.assign(entry, { status: 200, ms: 0, standIn: true });
      return new Response(JSON.stringify(EMPTY_PUSH_RULES), { headers: { "content-type": "application/json" } });
    }
    try {
      const response = await fetch(input, init);
      entry.status = response.status;
      entry.ms = Date.now() - entry.started;
      if (!response.ok) {
        entry.responseBody = (await response.clone().text()).slice(0, BODY_KEEP);
      }
      return response;
    } catch (error) {
      entry.ms = Date.now() - entry.started;
      entry.error = error.name === "AbortError" ? "aborted by the client" : String(error);
      throw error;
    }
  };
}

function maskSecrets(body) {
  return body.replace(/("password"\s*:\s*)"(?:[^"\\]|\\.)*"/g, '$1"***"').slice(0, BODY_KEEP);
}

/** One line per exchange; failed ones carry their bodies. */
export function describeExchange(entry) {
  const outcome = entry.status ?? entry.error ?? `no answer after ${Date.now() - entry.started} ms`;
  let text = `  ${entry.client}: ${entry.method} ${entry.path} -> ${outcome}`;
  if (entry.standIn) {
    text += " [stand-in, not the server]";
  }
  if (entry.ms !== undefined) {
    text += ` (${entry.ms} ms)`;
  }
  if (entry.status !== undefined && (entry.status < 200 || entry.status > 299)) {
    if (entry.requestBody) {
      text += `\n      request body:  ${entry.requestBody}`;
    }
    text += `\n      response body: ${entry.responseBody}`;
  }
  return text;
}

// What the running step waits for, named in its timeout message.
let pendingWait = null;

/** Resolves with the first truthy value of `check()`, evaluated now and after every `eventName`
 * on `emitter`; the listener is removed once it resolves. Checking state (rather than the
 * event's payload) means an event that arrived before the wait began is not missed. `what`
 * describes the wait for a timeout message. */
export function until(emitter, eventName, check, what) {
  pendingWait = what;
  return new Promise((resolve, reject) => {
    const evaluate = () => {
      try {
        const value = check();
        if (value) {
          emitter.off(eventName, evaluate);
          pendingWait = null;
          resolve(value);
        }
      } catch (error) {
        emitter.off(eventName, evaluate);
        reject(error);
      }
    };
    emitter.on(eventName, evaluate);
    evaluate();
  });
}

/** Runs named steps in order, each within `timeoutMs`. The first failure stops the run (later
 * steps build on earlier ones) and prints the exchanges made during that step. Returns true
 * when every step passed. */
export async function runSteps(steps, timeoutMs) {
  let passed = 0;
  let failed = 0;
  for (const [index, [title, body]] of steps.entries()) {
    const label = `step ${index + 1}/${steps.length}: ${title}`;
    const firstExchange = journal.length;
    const started = Date.now();
    console.log(`${label} ...`);
    let timer;
    pendingWait = null;
    try {
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`
          + (pendingWait ? ` waiting for ${pendingWait}` : ""))), timeoutMs);
      });
      const note = await Promise.race([body(), timeout]);
      console.log(`  ok (${Date.now() - started} ms)${note ? ": " + note : ""}`);
      passed += 1;
    } catch (error) {
      failed += 1;
      reportFailure(label, error, exchangesSince(started, firstExchange));
      break;
    } finally {
      clearTimeout(timer);
    }
  }
  const skipped = steps.length - passed - failed;
  console.log(`js-sdk: ${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
  return failed === 0;
}

// The exchanges that started during the step, and earlier ones (long-polls) still open then.
function exchangesSince(started, firstExchange) {
  const overlapping = journal.slice(0, firstExchange).filter(
    (e) => e.ms === undefined || e.started + e.ms >= started);
  return [...overlapping, ...journal.slice(firstExchange)];
}

function reportFailure(label, error, exchanges) {
  console.log(`  FAILED: ${label}`);
  console.log(`  reason: ${error?.message ?? error}`);
  if (error?.httpStatus !== undefined) {
    console.log(`  SDK error: HTTP ${error.httpStatus} ${error.errcode ?? ""} ${safeJson(error.data)}`);
  }
  const failing = exchanges.filter((e) => e.status === undefined || e.status < 200 || e.status > 299);
  console.log(`  HTTP exchanges during this step (${exchanges.length}, ${failing.length} not 2xx or unanswered):`);
  for (const entry of exchanges) {
    console.log(describeExchange(entry));
  }
  if (exchanges.length === 0) {
    console.log("  (none)");
  }
  if (sdkLog.length > 0) {
    console.log("  last SDK log lines:");
    for (const line of sdkLog.slice(-25)) {
      console.log("    " + line.slice(0, 400));
    }
  }
}
