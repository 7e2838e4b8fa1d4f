// A clients page as TypeScript consumes the generated types: a refused `cases` is null,
// never missing, and every edge has its node.
import type { CaseViewQuery, ClientsPageQuery, MeQuery, Role } from "../generated/codegen/graphql";

export function rows(page: ClientsPageQuery): { id: string; name: string; cases: string }[] {
  return page.clients.edges.map((edge) => ({
    id: edge.node.id,
    name: [edge.node.firstName, edge.node.lastName].filter((n): n is string => n != null).join(" "),
    cases:
      edge.node.cases === null
        ? "not shared"
        : edge.node.cases.map((c) => `${c.phase ?? "?"} ${c.openedOn ?? ""}`).join(", "),
  }));
}

export function nextPage(page: ClientsPageQuery): string | null {
  return page.clients.pageInfo.hasNextPage ? (page.clients.pageInfo.endCursor ?? null) : null;
}

export function isTeExpert(me: MeQuery): boolean {
  const role: Role = "TE_EXPERT";
  return me.me.roles.includes(role);
}

export function consentsInForce(view: CaseViewQuery): number {
  return view.caseView?.consents?.filter((c) => c.inForce === true).length ?? 0;
}
