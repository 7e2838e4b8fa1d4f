//! The listener: HTTP/1.1 connections served by hyper with a deadline for each request's
//! head, a deadline for its body, and a cap on the connections one address holds open.
//!
//! Without them a caller opening connections and sending nothing (or a byte now and then)
//! holds sockets and tasks for as long as it likes, and the per-address rate limit never
//! sees it: it counts requests, and such a connection never completes one.
//!
//! - The head of each request must arrive within [`TransportConfig::header_timeout`] of the
//!   moment the connection is ready for it: its opening, or the end of the previous
//!   response on a kept-alive connection. hyper runs one timer for both, so this is also the
//!   idle keep-alive timeout.
//! - The whole body must arrive within [`TransportConfig::body_timeout`] of its head
//!   ([`read_body`]); a body trickled in byte by byte does not restart the clock.
//! - An address (an IPv6 one by its /64, as the rate limit counts) holds at most
//!   [`TransportConfig::connections_per_address`] connections; one more is closed at once.
//!   Trusted proxies (`TYPGRAPH_TRUSTED_PROXIES`) carry everyone's connections and are not
//!   capped: the proxy caps its own clients.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, HttpBody};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt;

use crate::app::AppState;
use crate::config::AddressRange;
pub use crate::config::TransportConfig;
use crate::error::AppError;
use crate::http::ratelimit::address_bucket;
use crate::telemetry::Metrics;

/// Open connections per address bucket.
struct ConnectionCounts {
    limit: u32,
    open: Mutex<HashMap<IpAddr, u32>>,
}

/// One admitted connection; its address's count goes down when it is dropped.
struct Admitted {
    counts: Arc<ConnectionCounts>,
    bucket: IpAddr,
}

impl ConnectionCounts {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, u32>> {
        // A poisoned lock only means a task panicked while counting; the counts stand.
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts a new connection from `addr`, or `None` when its address holds the cap.
    fn admit(self: &Arc<Self>, addr: IpAddr) -> Option<Admitted> {
        let bucket = address_bucket(addr);
        let mut open = self.lock();
        let n = open.entry(bucket).or_insert(0);
        if *n >= self.limit {
            return None;
        }
        *n += 1;
        Some(Admitted {
            counts: self.clone(),
            bucket,
        })
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut open = self.counts.lock();
        if let Some(n) = open.get_mut(&self.bucket) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&self.bucket);
            }
        }
    }
}

/// Serves `router` on `listener` until `shutdown` resolves; then stops accepting, lets the
/// How long shutdown waits for open connections to finish their requests.
const DRAIN_DEADLINE: std::time::Duration = std::time::Duration::from_secs(30);

/// requests in flight finish and closes idle connections.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    config: TransportConfig,
    trusted_proxies: Vec<AddressRange>,
    metrics: Arc<Metrics>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let counts = Arc::new(ConnectionCounts {
        limit: config.connections_per_address,
        open: Mutex::new(HashMap::new()),
    });
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(config.header_timeout);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        answer_at_once(&stream);
        let admitted = if config.connections_per_address == 0
            || trusted_proxies.iter().any(|r| r.contains(peer.ip()))
        {
            None
        } else {
            match counts.admit(peer.ip()) {
                Some(admitted) => Some(admitted),
                None => {
                    metrics.connections_refused.inc();
                    drop(stream);
                    continue;
                }
            }
        };
        let service = TowerToHyperService::new(router.clone().map_request(
            move |mut req: axum::http::Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
                req
            },
        ));
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        let metrics = metrics.clone();
        tokio::spawn(async move {
            metrics.connections_open.inc();
            // A connection ends in an error when its client goes or is too slow: nothing
            // to report beyond the connection's end.
            let _ = connection.await;
            metrics.connections_open.dec();
            drop(admitted);
        });
    }
    drop(listener);
    // A client that never reads its response would hold the drain forever: bounded.
    if tokio::time::timeout(DRAIN_DEADLINE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            seconds = DRAIN_DEADLINE.as_secs(),
            "connections still open at shutdown after the drain deadline are dropped"
        );
    }
    Ok(())
}

/// Turns off Nagle's algorithm on an accepted connection, so that each part of a response
/// leaves when hyper writes it, as `axum::serve` does for its connections (this listener
/// builds hyper's connections itself). With it on, a part written while an earlier one is
/// not yet acknowledged waits for that acknowledgement, which a client may delay by up to
/// 40 ms.
fn answer_at_once(stream: &tokio::net::TcpStream) {
    if let Err(e) = stream.set_nodelay(true) {
        // The connection still works, only its larger answers may wait.
        tracing::warn!(cause = %e, "cannot turn off Nagle's algorithm on a connection");
    }
}

/// An accept that failed: a connection reset before it was accepted is nothing; anything
/// else (out of file descriptors, say) is logged and accepting pauses for a second.
async fn accept_failed(e: std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(cause = %e, "accepting a connection failed");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// Reads a request's body in full within the body timeout before anything handles it, and
/// refuses one over [`super::MAX_BODY_BYTES`]. tower-http's `RequestBodyTimeoutLayer`
/// bounds only the wait for each next piece, so a body trickled a byte at a time would
/// never time out; this bounds the whole of it.
pub async fn read_body(State(app): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    if body.size_hint().exact() == Some(0) {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let too_large = || {
        super::error_response(AppError::LimitExceeded(format!(
            "the request body is larger than {} KiB",
            super::MAX_BODY_BYTES / 1024
        )))
    };
    if body.size_hint().lower() > super::MAX_BODY_BYTES as u64 {
        return closing(too_large());
    }
    let read = tokio::time::timeout(
        app.transport.body_timeout,
        axum::body::to_bytes(body, super::MAX_BODY_BYTES),
    )
    .await;
    match read {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Ok(Err(e)) if is_length_limit(&e) => closing(too_large()),
        Ok(Err(_)) => closing(super::error_response(AppError::bad_input(
            "body",
            "the request body could not be read",
        ))),
        Err(_) => {
            let mut res = super::error_response(AppError::bad_input(
                "body",
                "the request body did not arrive in time",
            ));
            *res.status_mut() = StatusCode::REQUEST_TIMEOUT;
            closing(res)
        }
    }
}

/// Whether a body error is the size limit (axum wraps it).
fn is_length_limit(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = err.source();
    }
    false
}

/// A response after which the connection is closed: the rest of the body is not read.
fn closing(mut res: Response) -> Response {
    res.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_accepted_connection_sends_without_waiting_for_acknowledgements() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let _client = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (stream, _) = listener.accept().await.unwrap();
        assert!(
            !stream.nodelay().unwrap(),
            "Nagle's algorithm is on by default"
        );
        answer_at_once(&stream);
        assert!(stream.nodelay().unwrap());
    }

    #[test]
    fn an_address_holds_at_most_its_cap_and_gets_slots_back_when_they_close() {
        let counts = Arc::new(ConnectionCounts {
            limit: 2,
            open: Mutex::new(HashMap::new()),
        });
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let a = counts.admit(ip("192.0.2.1")).unwrap();
        let _b = counts.admit(ip("::ffff:192.0.2.1")).unwrap();
        assert!(
            counts.admit(ip("192.0.2.1")).is_none(),
            "mapped IPv4 counts as IPv4"
        );
        assert!(counts.admit(ip("192.0.2.2")).is_some(), "another address");
        let _c = counts.admit(ip("2001:db8::1")).unwrap();
        let _d = counts.admit(ip("2001:db8::2")).unwrap();
        assert!(counts.admit(ip("2001:db8::3")).is_none(), "the same /64");
        drop(a);
        assert!(counts.admit(ip("192.0.2.1")).is_some(), "a slot came back");
        drop(_c);
        drop(_d);
        assert!(
            !counts.lock().contains_key(&ip("2001:db8::")),
            "empty counts go"
        );
    }
}
