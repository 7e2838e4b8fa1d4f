// relay-compiler compiles a paginated fragment (@connection, @refetchable) on the clients
// connection against the TE_EXPERT schema file, and the query it emits runs on the server.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { demoServer, post, root } from "../lib/server.js";
import { runTool } from "../lib/tools.js";

const artifacts = path.join(root, "generated/relay");

describe("Relay", () => {
  let compiled = false;

  test("relay-compiler compiles the @connection fragment against schema/roles/TE_EXPERT.graphql", () => {
    rmSync(artifacts, { recursive: true, force: true });
    mkdirSync(artifacts, { recursive: true });
    // The config's paths are taken from the directory the compiler runs in.
    const { status, output } = runTool("relay-compiler", ["relay.config.json"], path.join(root, "relay"));
    assert.equal(status, 0, output);
    for (const name of ["ClientsList_query", "ClientsListQuery", "ClientsListPaginationQuery"]) {
      assert.ok(existsSync(path.join(artifacts, `${name}.graphql.js`)), `${name}.graphql.js: ${output}`);
    }
    compiled = true;
  });

  describe("the emitted pagination query on the live server", () => {
    const server = demoServer();

    test("runs as TE_EXPERT: every edge has its node, refusals are FORBIDDEN nulls, pageInfo is complete", async (t) => {
      if (!compiled) {
        t.skip("relay-compiler did not compile");
        return;
      }
      const { default: artifact } = await import(
        pathToFileURL(path.join(artifacts, "ClientsListPaginationQuery.graphql.js")).href
      );
      const text = artifact.params.text;
      assert.match(text, /pageInfo/);
      const { status, body } = await post(server.url, server.tokens.TE_EXPERT, text, { first: 50 });
      assert.equal(status, 200, JSON.stringify(body));
      for (const e of body.errors ?? []) assert.equal(e.extensions?.code, "FORBIDDEN", JSON.stringify(e));
      const { edges, pageInfo } = body.data.clients;
      assert.equal(edges.length, 50);
      for (const edge of edges) {
        assert.equal(typeof edge.cursor, "string");
        assert.equal(typeof edge.node?.id, "string");
      }
      assert.equal(pageInfo.hasNextPage, true);
      assert.equal(pageInfo.endCursor, edges.at(-1).cursor);
    });
  });
});
