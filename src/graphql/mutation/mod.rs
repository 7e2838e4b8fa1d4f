//! The mutation root, merged from one object per domain. Resolvers are thin: each calls one
//! service. Every mutation runs inside the request's transaction (writes of several rows in
//! a savepoint of their own, so nothing is half-written) and leaves its access-log rows there.

mod cases;
mod clients;
mod meetings;
mod rehab;

use async_graphql::MergedObject;

use super::request;

#[derive(MergedObject, Default)]
pub struct Mutation(
    clients::ClientMutations,
    cases::CaseMutations,
    rehab::RehabMutations,
    meetings::MeetingMutations,
);
