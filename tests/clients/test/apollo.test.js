// Apollo Client 4: a clients page as TE_EXPERT, whose `cases` is refused (FORBIDDEN,
// OUT_OF_SCOPE) on some rows, goes through the normalised cache and reads back.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { ApolloClient, CombinedGraphQLErrors, HttpLink, InMemoryCache } from "@apollo/client";
import { createPersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { operation } from "../lib/operations.js";
import { demoServer } from "../lib/server.js";

// id, names, municipality and `cases { id phase openedOn }` of each client.
const CLIENTS_PAGE = operation("ClientsPage");
const variables = { first: 100 };

describe("Apollo Client", () => {
  const server = demoServer();

  const client = (options = {}) =>
    new ApolloClient({
      cache: new InMemoryCache(),
      link: new HttpLink({
        uri: server.url,
        headers: { authorization: `Bearer ${server.tokens.TE_EXPERT}` },
      }),
      ...options,
    });

  test("the default error policy rejects a page with a refused field with its FORBIDDEN errors", async () => {
    const apollo = client();
    await assert.rejects(apollo.query({ query: CLIENTS_PAGE, variables }), (e) => {
      assert.ok(CombinedGraphQLErrors.is(e), `${e}`);
      assert.ok(e.errors.length > 0);
      for (const err of e.errors) {
        assert.equal(err.extensions?.code, "FORBIDDEN", JSON.stringify(err));
        assert.equal(err.path.at(-1), "cases", JSON.stringify(err));
      }
      // The response's data came along with the errors.
      assert.ok(e.data?.clients?.edges?.length > 0);
      return true;
    });
  });

  test('errorPolicy "all": the page resolves with the errors, and cache.readQuery gives it back with the refused fields null', async () => {
    const apollo = client();
    const result = await apollo.query({ query: CLIENTS_PAGE, variables, errorPolicy: "all" });
    assert.ok(CombinedGraphQLErrors.is(result.error), `${result.error}`);
    const refused = result.error.errors.map((e) => {
      assert.equal(e.extensions?.code, "FORBIDDEN", JSON.stringify(e));
      assert.deepEqual(e.path.slice(0, 2), ["clients", "edges"]);
      assert.deepEqual(e.path.slice(3), ["node", "cases"]);
      return e.path[2];
    });
    assert.ok(refused.length > 0, "the demo has TE_EXPERT clients whose cases are out of scope");

    const edges = result.data.clients.edges;
    assert.ok(refused.length < edges.length, "some rows' cases are shown");
    for (const [i, edge] of edges.entries()) {
      assert.ok(edge.node, `edge ${i} has its node`);
      assert.ok(Object.hasOwn(edge.node, "cases"), `edge ${i}: cases is present (null when refused)`);
      if (refused.includes(i)) assert.equal(edge.node.cases, null, `edge ${i}`);
      else assert.ok(Array.isArray(edge.node.cases), `edge ${i}`);
    }

    const cached = apollo.cache.readQuery({ query: CLIENTS_PAGE, variables });
    assert.notEqual(cached, null, "readQuery returns the page written with errors");
    assert.deepEqual(cached, result.data);
    for (const i of refused) assert.equal(cached.clients.edges[i].node.cases, null);
  });

  test("the persisted-query link: a hash the server does not know is resent with its text, then the hash alone runs", async () => {
    const sent = [];
    const counting = (uri, options) => {
      sent.push(JSON.parse(options.body));
      return fetch(uri, options);
    };
    const apq = () =>
      new ApolloClient({
        cache: new InMemoryCache(),
        link: createPersistedQueryLink({
          sha256: (text) => createHash("sha256").update(text).digest("hex"),
        }).concat(
          new HttpLink({
            uri: server.url,
            fetch: counting,
            headers: { authorization: `Bearer ${server.tokens.TE_EXPERT}` },
          }),
        ),
      });
    const first = await apq().query({ query: CLIENTS_PAGE, variables, errorPolicy: "all" });
    assert.ok(first.data.clients.edges.length > 0);
    // Hash only, refused as unknown; then hash and text.
    assert.equal(sent.length, 2, JSON.stringify(sent.map((b) => Object.keys(b))));
    assert.equal(sent[0].query, undefined);
    assert.ok(sent[0].extensions.persistedQuery.sha256Hash);
    assert.ok(sent[1].query);
    // A new client (empty cache) now runs the page from its hash alone.
    const again = await apq().query({ query: CLIENTS_PAGE, variables, errorPolicy: "all" });
    assert.equal(sent.length, 3);
    assert.equal(sent[2].query, undefined);
    assert.deepEqual(again.data, first.data);
  });
});
