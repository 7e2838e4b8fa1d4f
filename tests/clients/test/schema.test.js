// graphql-js: every SDL file in the repository is a valid schema, and the standard
// introspection query against the live server gives back each role's file.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  lexicographicSortSchema,
  printSchema,
  validateSchema,
} from "graphql";
import { demoServer, post, repo } from "../lib/server.js";

const rolesDir = path.join(repo, "schema/roles");
const roleFiles = readdirSync(rolesDir)
  .filter((f) => f.endsWith(".graphql"))
  .sort();
const roleOf = (file) => file.replace(/\.graphql$/, "");
const sdlFiles = [path.join(repo, "schema.graphql"), ...roleFiles.map((f) => path.join(rolesDir, f))];

const printed = (schema) => printSchema(lexicographicSortSchema(schema));

describe("SDL files", () => {
  test("there is a file per role", () => {
    assert.ok(roleFiles.length >= 9, `role files: ${roleFiles.join(", ")}`);
  });

  for (const file of sdlFiles) {
    test(`${path.relative(repo, file)} builds and validates with graphql-js`, () => {
      const schema = buildSchema(readFileSync(file, "utf8"));
      assert.deepEqual(
        validateSchema(schema).map((e) => e.message),
        [],
      );
    });
  }
});

describe("introspection on the live server", () => {
  const server = demoServer();

  test("the demo prints a token for every role that has a schema file", () => {
    const missing = roleFiles.map(roleOf).filter((r) => !server.tokens[r]);
    assert.deepEqual(missing, [], `demo tokens: ${Object.keys(server.tokens).join(", ")}`);
  });

  for (const file of roleFiles) {
    const role = roleOf(file);
    test(`getIntrospectionQuery() as ${role} equals schema/roles/${file}`, async (t) => {
      const token = server.tokens[role];
      if (!token) {
        t.skip(`the demo prints no ${role} token`);
        return;
      }
      const { status, body } = await post(server.url, token, getIntrospectionQuery());
      assert.equal(status, 200, JSON.stringify(body));
      assert.equal(body.errors, undefined, JSON.stringify(body.errors));
      const live = buildClientSchema(body.data);
      assert.deepEqual(
        validateSchema(live).map((e) => e.message),
        [],
      );
      const fromFile = buildSchema(readFileSync(path.join(rolesDir, file), "utf8"));
      assert.equal(printed(live), printed(fromFile));
    });
  }
});
