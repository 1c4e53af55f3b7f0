//! Running independent pieces of `validate` on every core: the machine an editor or a
//! pre-commit hook runs on has several, and `validate` is what they wait for (issue 15).

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A piece of work that returns a `T`.
pub type Job<'a, T> = Box<dyn FnOnce() -> T + Send + 'a>;

/// How many threads to use: the cores there are, at least one.
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

/// Runs `jobs` on up to [`threads`] threads, each thread taking the next job not yet taken,
/// and returns their results in the jobs' order, so that the outcome is the same as running
/// them one after another. A panic in a job is resumed in the caller.
pub fn ordered<'a, T: Send>(jobs: Vec<Job<'a, T>>) -> Vec<T> {
    let workers = threads().min(jobs.len());
    if workers < 2 {
        return jobs.into_iter().map(|job| job()).collect();
    }
    let count = jobs.len();
    let jobs: Vec<Mutex<Option<Job<'a, T>>>> =
        jobs.into_iter().map(|job| Mutex::new(Some(job))).collect();
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(slot) = jobs.get(index) else {
                return done;
            };
            let job = slot
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .take();
            if let Some(job) = job {
                done.push((index, job()));
            }
        }
    };
    let mut results: Vec<Option<T>> = (0..count).map(|_| None).collect();
    std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..workers).map(|_| scope.spawn(work)).collect();
        let mut finished = work();
        for helper in helpers {
            finished.extend(
                helper
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        for (index, result) in finished {
            results[index] = Some(result);
        }
    });
    results.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_the_jobs_order() {
        let jobs: Vec<Job<'_, usize>> = (0..50_usize)
            .map(|n| Box::new(move || n * 2) as Job<'_, usize>)
            .collect();
        assert_eq!(ordered(jobs), (0..50).map(|n| n * 2).collect::<Vec<_>>());
    }

    #[test]
    fn no_jobs_is_no_results() {
        assert!(ordered::<u8>(Vec::new()).is_empty());
    }
}
