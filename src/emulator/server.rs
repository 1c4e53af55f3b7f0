//! The emulator's own HTTP server: bind first, then spawn (once bound, it accepts). Each
//! connection gets a kill switch so the `drop_rate` fault can close it without an answer.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::Response;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tower::ServiceExt;

use super::error::Refusal;
use super::faults::ConnectionKill;
use super::{EmulatorConfig, EmulatorError, Shared, app};

/// Starts emulators.
#[derive(Debug)]
pub struct Emulator;

/// A running emulator; dropping it stops the server too.
#[derive(Debug)]
pub struct RunningEmulator {
    addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Emulator {
    /// Bind `config.listen`, open the state (loading an existing data file), and serve in
    /// the background. When this returns, the port accepts connections.
    pub async fn start(config: EmulatorConfig) -> Result<RunningEmulator, EmulatorError> {
        let listener =
            TcpListener::bind(config.listen)
                .await
                .map_err(|source| EmulatorError::Bind {
                    addr: config.listen,
                    source,
                })?;
        let addr = listener
            .local_addr()
            .map_err(|source| EmulatorError::Bind {
                addr: config.listen,
                source,
            })?;
        let state = Shared::open(config.data_file, config.seed)?;
        let router = app(state);
        let (shutdown, stop) = watch::channel(false);
        let task = tokio::spawn(serve(listener, router, stop));
        Ok(RunningEmulator {
            addr,
            shutdown,
            task: Some(task),
        })
    }
}

impl RunningEmulator {
    /// `http://ADDR`, the base URL of both hosts.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stop accepting, close the connections, and wait for the server to end.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Serve until the process is stopped (for the CLI).
    pub async fn wait(mut self) {
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

async fn serve(listener: TcpListener, router: Router, mut stop: watch::Receiver<bool>) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.changed() => return,
        };
        let Ok((stream, _peer)) = accepted else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let kill = Arc::new(Notify::new());
            let switch = ConnectionKill(kill.clone());
            let service =
                hyper::service::service_fn(move |mut request: Request<hyper::body::Incoming>| {
                    request.extensions_mut().insert(switch.clone());
                    router.clone().oneshot(request.map(axum::body::Body::new))
                });
            let connection = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                _ = kill.notified() => {}
                _ = stop.changed() => {}
            }
        });
    }
}

/// Unknown paths, answered in the host's envelope.
pub async fn not_found(request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let refusal = Refusal::NoSuchApi(format!("{} {path}", request.method()));
    let mut response = super::host::refusal_response(&path, refusal);
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}
