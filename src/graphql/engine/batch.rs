//! Deterministic batching for the per-request DataLoaders.
//!
//! async-graphql's DataLoader starts a batch on a spawned task that waits a short delay, so
//! on a busy machine a batch can fire before every sibling in a list has asked for its key,
//! and a page of 100 clients would take more statements than a page of 10. Here the batch
//! futures are not spawned: they are queued and polled by the request's own task, only after
//! the resolver pass that registered the keys has gone as far as it can. Every key asked for
//! in one pass is therefore in one batch, whatever the machine's speed.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

type Batch = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// Batch futures waiting to be polled by the request's task.
#[derive(Clone, Default)]
pub struct BatchQueue(Arc<Mutex<Vec<Batch>>>);

impl BatchQueue {
    /// The spawner given to `DataLoader::new`.
    pub fn spawner(&self) -> impl Fn(Batch) + Send + Sync + 'static {
        let queue = self.0.clone();
        move |fut| {
            queue.lock().unwrap_or_else(|e| e.into_inner()).push(fut);
        }
    }

    fn take(&self) -> Vec<Batch> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// Runs `main` and the batches it queues on one task.
pub fn drive<F: Future>(main: F, queue: BatchQueue) -> Driven<F> {
    Driven {
        main: Box::pin(main),
        queue,
        running: Vec::new(),
    }
}

pub struct Driven<F: Future> {
    main: Pin<Box<F>>,
    queue: BatchQueue,
    running: Vec<Batch>,
}

/// A waker that notes whether it was woken, and passes the wake on.
struct Noting {
    woken: AtomicBool,
    inner: Waker,
}

impl Wake for Noting {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        self.inner.wake_by_ref();
    }
}

/// How often the main future may yield in a row (e.g. a list resolver taking a breath every
/// 32 items) before the queued batches are started anyway.
const MAX_YIELDS: usize = 10_000;

impl<F: Future> Future for Driven<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let mut yields = 0;
        loop {
            let noting = Arc::new(Noting {
                woken: AtomicBool::new(false),
                inner: cx.waker().clone(),
            });
            let waker = Waker::from(noting.clone());
            if let Poll::Ready(out) = self.main.as_mut().poll(&mut Context::from_waker(&waker)) {
                return Poll::Ready(out);
            }
            // Woken while being polled: the resolver pass only paused (a cooperative
            // yield), so more keys may still come. Go on with it before any batch starts.
            if noting.woken.load(Ordering::SeqCst) && yields < MAX_YIELDS {
                yields += 1;
                continue;
            }
            let queued = self.queue.take();
            self.running.extend(queued);
            let before = self.running.len();
            self.running
                .retain_mut(|batch| batch.as_mut().poll(cx).is_pending());
            let finished = before != self.running.len();
            // A finished batch may let the main future go on; otherwise everything waits.
            if !finished {
                return Poll::Pending;
            }
        }
    }
}
