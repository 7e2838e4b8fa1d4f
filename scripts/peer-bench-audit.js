// A PostGraphile 4 server plugin (`postgraphile --plugins <this file> ...`) for the RLS peer of
// scripts/peer-bench: every request writes one audit row (peer_bench.audit, see
// scripts/peer-bench-rls.sql) inside the transaction PostGraphile opens for it (a token's
// claims become transaction settings, so each request runs BEGIN, set_config, its query,
// COMMIT), before its query, and the row commits with the answer, as typgraph's access-log
// row does. The row names the operation and the client viewed (the variable `c`), if any.
module.exports = {
  withPostGraphileContext(withContext) {
    return (options, callback) =>
      withContext(options, async (context) => {
        const variables = options.variables || {};
        const client = typeof variables.c === 'string' ? variables.c : null;
        await context.pgClient.query({
          name: 'peer_audit',
          text: 'SELECT peer_bench.audit_request($1, $2)',
          values: [options.operationName || null, client],
        });
        return callback(context);
      });
  },
};
