// The operations of operations.graphql, one at a time.
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "graphql";
import { root } from "./server.js";

const document = parse(readFileSync(path.join(root, "operations.graphql"), "utf8"));

/** The document holding only the operation `name`. */
export function operation(name) {
  const definitions = document.definitions.filter((d) => d.name?.value === name);
  if (definitions.length !== 1) throw new Error(`no operation ${name} in operations.graphql`);
  return { kind: "Document", definitions };
}
