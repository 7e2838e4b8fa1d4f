//! The integration suite: one test binary; each test starts the real app with a fresh
//! database (SQLite, and PostgreSQL when `TEST_DATABASE_URL` is set).

mod helpers;
mod policy;
mod schema;
mod sdl;
