// Runs a tool installed in node_modules/.bin.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { root } from "./server.js";

/** Runs node_modules/.bin/`tool` with `args` in `cwd`; answers { status, output }. */
export function runTool(tool, args, cwd = root) {
  const run = spawnSync(path.join(root, "node_modules/.bin", tool), args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    timeout: 180_000,
  });
  const output = `${run.stdout ?? ""}${run.stderr ?? ""}${run.error ? String(run.error) : ""}`;
  return { status: run.status, output };
}
