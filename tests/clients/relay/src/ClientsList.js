// A clients list as a Relay front end writes it: a paginated fragment on the clients
// connection, and the query that spreads it. `graphql` is the tag the Relay compiler reads.
const graphql = String.raw;

export const clientsListFragment = graphql`
  fragment ClientsList_query on Query
  @argumentDefinitions(first: { type: "Int", defaultValue: 20 }, after: { type: "String" })
  @refetchable(queryName: "ClientsListPaginationQuery") {
    clients(first: $first, after: $after) @connection(key: "ClientsList_clients") {
      edges {
        node {
          id
          firstName
          lastName
          cases {
            id
            phase
          }
        }
      }
    }
  }
`;

export const clientsListQuery = graphql`
  query ClientsListQuery {
    ...ClientsList_query
  }
`;
