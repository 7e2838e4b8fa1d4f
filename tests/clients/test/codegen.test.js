// GraphQL Code Generator: types for a TE front end's operations from the role's SDL file,
// type-checked by tsc; the same operations run on the live server.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { print } from "graphql";
import { operation } from "../lib/operations.js";
import { demoServer, post, root } from "../lib/server.js";
import { runTool } from "../lib/tools.js";

describe("GraphQL Code Generator", () => {
  let generated = false;

  test("generates types for the operations from schema/roles/TE_EXPERT.graphql", () => {
    rmSync(path.join(root, "generated/codegen"), { recursive: true, force: true });
    const { status, output } = runTool("graphql-codegen", ["--config", "codegen/codegen.yml"]);
    assert.equal(status, 0, output);
    const types = readFileSync(path.join(root, "generated/codegen/graphql.ts"), "utf8");
    for (const name of ["MeQuery", "ClientsPageQuery", "CaseViewQuery"]) {
      assert.match(types, new RegExp(`export type ${name} =`));
    }
    generated = true;
  });

  test("tsc --noEmit type-checks code that uses them", (t) => {
    if (!generated) {
      t.skip("nothing generated");
      return;
    }
    const { status, output } = runTool("tsc", ["--noEmit", "-p", "codegen/tsconfig.json"]);
    assert.equal(status, 0, output);
  });

  describe("the operations on the live server, as TE_EXPERT", () => {
    const server = demoServer();

    const run = async (name, variables) => {
      const { status, body } = await post(server.url, server.tokens.TE_EXPERT, print(operation(name)), variables);
      assert.equal(status, 200, JSON.stringify(body));
      // Refusals of single fields are expected; anything else is not.
      for (const e of body.errors ?? []) assert.equal(e.extensions?.code, "FORBIDDEN", JSON.stringify(e));
      return body.data;
    };

    test("Me, ClientsPage and CaseView answer", async () => {
      const me = await run("Me");
      assert.ok(me.me.roles.includes("TE_EXPERT"));
      const page = await run("ClientsPage", { first: 10 });
      assert.equal(page.clients.edges.length, 10);
      const view = await run("CaseView", { clientId: page.clients.edges[0].node.id });
      assert.equal(view.caseView.client.id, page.clients.edges[0].node.id);
    });
  });
});
