//! A deadline for a child process a test reads from: a service that never says what the test
//! waits for is killed, so its pipe closes and the test fails on what it read instead of
//! hanging. Not a wait: the test goes on as soon as the line it reads is out.

use std::sync::mpsc::{Sender, channel};
use std::thread::JoinHandle;
use std::time::Duration;

/// Kills process `pid` (SIGKILL) unless dropped within `after`.
pub struct KillAfter {
    done: Option<Sender<()>>,
    watchdog: Option<JoinHandle<()>>,
}

impl KillAfter {
    pub fn new(pid: u32, after: Duration) -> KillAfter {
        let (done, watched) = channel::<()>();
        let watchdog = std::thread::spawn(move || {
            if watched.recv_timeout(after).is_err() {
                let _ = std::process::Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
            }
        });
        KillAfter {
            done: Some(done),
            watchdog: Some(watchdog),
        }
    }
}

impl Drop for KillAfter {
    fn drop(&mut self) {
        if let Some(done) = self.done.take() {
            let _ = done.send(());
        }
        if let Some(watchdog) = self.watchdog.take() {
            let _ = watchdog.join();
        }
    }
}
