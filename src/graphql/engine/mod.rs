//! The GraphQL engine pieces every domain shares: request limits and trusted documents,
//! the per-request loaders, the field guard and its directive, scalars, batching and the
//! per-role SDL.

pub mod batch;
pub mod directive;
pub mod documents;
pub mod guard;
pub mod limits;
pub mod loader;
pub mod nulls;
pub mod persisted;
pub mod role_schema;
pub mod role_sdl;
pub mod scalars;
