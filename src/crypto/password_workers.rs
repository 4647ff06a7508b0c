//! The threads that hash and verify passwords. A fixed number of them (one per core by default)
//! take argon2id jobs from one queue, so a burst of logins waits in line instead of starving
//! every other request of CPU and memory, and a thread that finishes a job starts the next one
//! at once: with a semaphore in front of `spawn_blocking`, each hand-over went through the async
//! workers and left a core idle in between.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, OnceLock};

use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

/// The queue of password jobs. Its threads start with the first job and stop when it is dropped.
pub struct PasswordWorkers {
    threads: usize,
    queue: OnceLock<Sender<Job>>,
}

/// No worker thread is left to run the job (none could be started, or the job panicked).
#[derive(Debug, thiserror::Error)]
#[error("no password worker thread is running")]
pub struct WorkersGone;

impl PasswordWorkers {
    pub fn new(threads: usize) -> PasswordWorkers {
        PasswordWorkers {
            threads: threads.max(1),
            queue: OnceLock::new(),
        }
    }

    /// Runs `work` on a password thread once one is free, and answers its result.
    pub async fn run<R: Send + 'static>(
        &self,
        work: impl FnOnce() -> R + Send + 'static,
    ) -> Result<R, WorkersGone> {
        let queue = self.queue.get_or_init(|| start(self.threads));
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move || {
            // The caller may have gone (its client disconnected): nothing to tell.
            let _ = answer.send(work());
        });
        queue.send(job).map_err(|_| WorkersGone)?;
        answered.await.map_err(|_| WorkersGone)
    }
}

fn start(threads: usize) -> Sender<Job> {
    let (queue, jobs) = mpsc::channel::<Job>();
    let jobs = Arc::new(Mutex::new(jobs));
    for n in 0..threads {
        let jobs = Arc::clone(&jobs);
        let started = std::thread::Builder::new()
            .name(format!("sesame-password-{n}"))
            .spawn(move || work_through(&jobs));
        if let Err(err) = started {
            tracing::error!(%err, "could not start a password worker thread");
        }
    }
    // If no thread started, the last receiver goes with `jobs` here and every `run` fails
    // instead of waiting for ever.
    queue
}

fn work_through(jobs: &Mutex<Receiver<Job>>) {
    loop {
        let next = match jobs.lock() {
            Ok(jobs) => jobs.recv(),
            Err(_) => return,
        };
        let Ok(job) = next else {
            return; // the queue was dropped with its AppState
        };
        // A panicking job loses its answer (the caller sees `WorkersGone`), not the thread.
        if catch_unwind(AssertUnwindSafe(job)).is_err() {
            tracing::error!("a password job panicked");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_on_the_worker_threads_and_answer() {
        let workers = PasswordWorkers::new(2);
        let name = workers
            .run(|| std::thread::current().name().map(str::to_owned))
            .await;
        let name = name.ok().flatten().unwrap_or_default();
        assert!(name.starts_with("sesame-password-"), "{name}");
        let sum = workers.run(|| 2 + 2).await.ok();
        assert_eq!(sum, Some(4));
    }

    #[tokio::test]
    async fn a_panicking_job_fails_alone() {
        let workers = PasswordWorkers::new(1);
        let panicked = workers.run(|| -> u8 { panic!("boom") }).await;
        assert!(panicked.is_err());
        assert_eq!(workers.run(|| 7).await.ok(), Some(7), "the thread survived");
    }
}
