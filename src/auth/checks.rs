//! The threads that hash passwords. One hash takes 19 MiB and tens of milliseconds of a
//! core; hashed on the request threads, 64 sign-ins at once took a process from 189 MB to
//! 1.4 GB, kept 952 MB of it, and made searches wait behind them for a second. Here at
//! most [`AT_ONCE`] hashes run at a time, on threads of their own (at nice 10, so that the
//! threads answering requests come first), however many sign-ins arrive; the others wait
//! for a slot, at most [`SLOT_WAIT`], and then get 503. Each hash maps its memory and
//! unmaps it when done (`password`), so what a burst took goes back to the system.

use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use actix_web::rt::time::timeout;
use tokio::sync::{Semaphore, SemaphorePermit, oneshot};

use super::password;
use crate::error::ApiError;

/// How many passwords are hashed at once, per process.
pub const AT_ONCE: usize = 2;
/// How long a sign-in waits for a free slot before it gets 503.
pub const SLOT_WAIT: Duration = Duration::from_secs(10);

type Job = Box<dyn FnOnce() + Send>;

/// The slots and the threads behind them.
pub struct PasswordChecks {
    slots: Semaphore,
    jobs: mpsc::Sender<Job>,
}

/// Every slot stayed taken for [`SLOT_WAIT`].
#[derive(Debug)]
pub struct AllBusy;

impl From<AllBusy> for ApiError {
    fn from(_: AllBusy) -> ApiError {
        ApiError::Unavailable("every password check of this instance is busy; retry shortly".into())
    }
}

/// One slot: while it is held, one hash may run.
pub struct Slot<'a> {
    _permit: SemaphorePermit<'a>,
    jobs: &'a mpsc::Sender<Job>,
}

impl PasswordChecks {
    /// Starts [`AT_ONCE`] threads; they end when this value is dropped.
    pub fn start() -> PasswordChecks {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..AT_ONCE {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("password-{n}"))
                .spawn(move || {
                    // SAFETY: sets the nice value of the calling thread (on Linux a thread id
                    // names one thread); nothing else is touched.
                    unsafe {
                        libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, 10);
                    }
                    loop {
                        let job = match queue.lock().map(|q| q.recv()) {
                            Ok(Ok(job)) => job,
                            _ => return,
                        };
                        // A job that panics loses its answer (the caller sees the slot
                        // fail), not the thread.
                        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                    }
                })
                .expect("start a password thread");
        }
        PasswordChecks {
            slots: Semaphore::new(AT_ONCE),
            jobs,
        }
    }

    /// Waits for a free slot, first come first served, at most [`SLOT_WAIT`].
    pub async fn slot(&self) -> Result<Slot<'_>, AllBusy> {
        match timeout(SLOT_WAIT, self.slots.acquire()).await {
            Ok(Ok(permit)) => Ok(Slot {
                _permit: permit,
                jobs: &self.jobs,
            }),
            _ => Err(AllBusy),
        }
    }
}

impl Slot<'_> {
    /// [`password::verify`] on a password thread.
    pub async fn verify(&self, password: String, stored: Option<String>) -> bool {
        self.run(move || password::verify(&password, stored.as_deref()))
            .await
            .unwrap_or(false)
    }

    /// [`password::hash`] on a password thread.
    pub async fn hash(&self, password: String) -> Result<String, String> {
        self.run(move || password::hash(&password))
            .await
            .unwrap_or_else(|| Err("the password threads have stopped".into()))
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let (answer, answered) = oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                let _ = answer.send(work());
            }))
            .ok()?;
        answered.await.ok()
    }
}
