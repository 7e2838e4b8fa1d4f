// Starts the real server, `typgraph serve --demo`, on a free port over a fresh SQLite
// database in a temporary directory; collects the token the demo prints per role.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { after, before } from "node:test";

const here = path.dirname(fileURLToPath(import.meta.url));
/** tests/clients */
export const root = path.resolve(here, "..");
/** The repository. */
export const repo = path.resolve(root, "../..");

/**
 * The binary under test: TYPGRAPH_BIN (relative to tests/clients), else the debug build in
 * CARGO_TARGET_DIR (relative to the repository, as cargo takes it), else
 * ../../target/debug/typgraph.
 */
export function binary() {
  const bin = process.env.TYPGRAPH_BIN
    ? path.resolve(root, process.env.TYPGRAPH_BIN)
    : process.env.CARGO_TARGET_DIR
      ? path.resolve(repo, process.env.CARGO_TARGET_DIR, "debug/typgraph")
      : path.resolve(root, "../../target/debug/typgraph");
  if (!existsSync(bin)) {
    throw new Error(`no typgraph binary at ${bin}: run cargo build, or set TYPGRAPH_BIN`);
  }
  return bin;
}

const START_TIMEOUT_MS = 120_000;

/**
 * Starts the demo server. Answers { url, tokens: { ROLE: jwt }, stop() }.
 * `url` is the GraphQL endpoint; the tokens are those the demo printed (CLIENT included).
 */
export async function startServer() {
  const dir = mkdtempSync(path.join(tmpdir(), "typgraph-clients-"));
  const env = { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "warn" };
  // The demo signs with its development secret over its own database.
  for (const name of ["TYPGRAPH_DATABASE_URL", "TYPGRAPH_JWT_SECRET", "TYPGRAPH_JWT_PUBLIC_KEY", "TYPGRAPH_LISTEN"]) {
    delete env[name];
  }
  const child = spawn(
    binary(),
    [
      "serve",
      "--demo",
      "--listen",
      "127.0.0.1:0",
      "--database-url",
      `sqlite://${path.join(dir, "typgraph.db")}?mode=rwc`,
    ],
    { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-8000);
  });
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  // Should the test process end without `stop`, the server does not outlive it.
  const orphan = () => child.kill("SIGKILL");
  process.once("exit", orphan);

  const stop = async () => {
    process.off("exit", orphan);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const tokens = {};
    const addr = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the demo server did not print its address")), START_TIMEOUT_MS);
      exited.then(({ code, signal }) =>
        reject(new Error(`typgraph serve --demo exited (${code ?? signal}) before listening:\n${stderr}`)),
      );
      const lines = readline.createInterface({ input: child.stdout });
      lines.on("line", (line) => {
        const token = line.match(/^token (\S+) (\S+) (\S+)$/);
        if (token) {
          tokens[token[1]] = token[3];
        }
        const listening = line.match(/^listening on http:\/\/(\S+)$/);
        if (listening) {
          clearTimeout(timer);
          resolve(listening[1]);
        }
      });
    });
    const base = `http://${addr}`;
    await waitReady(base);
    return { base, url: `${base}/graphql`, tokens, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * The demo server for the enclosing `describe`: started before its tests, stopped after.
 * The returned object gets `url`, `base` and `tokens` once started.
 */
export function demoServer() {
  const server = {};
  before(async () => {
    Object.assign(server, await startServer());
  });
  after(async () => {
    await server.stop?.();
  });
  return server;
}

async function waitReady(base) {
  const started = Date.now();
  for (;;) {
    try {
      const res = await fetch(`${base}/readyz`);
      if (res.ok) return;
    } catch {
      // not accepting yet
    }
    if (Date.now() - started > START_TIMEOUT_MS) throw new Error(`${base}/readyz never answered 200`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** POSTs a GraphQL request with a bearer token; answers { status, body }. */
export async function post(url, token, query, variables = {}) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body };
}
