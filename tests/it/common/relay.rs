//! Real middlemen between dingform and the emulator, each on 127.0.0.1:0 in a thread of its
//! own: [`Relay`] passes bytes through (terminating TLS with a throwaway certificate when
//! asked), counts connections and can close them all; [`Proxy`] is an HTTP proxy (plain
//! forwarding and `CONNECT`) that records what it was asked.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot, watch};

use super::Target;

/// A certificate for `127.0.0.1` and `localhost`, self-signed: its PEM, which a client trusts
/// through `SSL_CERT_FILE`, and the server side of it.
pub struct Certificate {
    pub pem: String,
    server: Arc<rustls::ServerConfig>,
}

impl Certificate {
    pub fn new() -> Certificate {
        let rcgen::CertifiedKey { cert, signing_key } =
            rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()])
                .expect("a certificate");
        let key =
            rustls::pki_types::PrivateKeyDer::try_from(signing_key.serialize_der()).expect("a key");
        let server = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], key)
        .expect("a server config");
        Certificate {
            pem: cert.pem(),
            server: Arc::new(server),
        }
    }

    /// Write the PEM to `path` (for `SSL_CERT_FILE`).
    pub fn write(&self, path: &Path) {
        std::fs::write(path, &self.pem).expect("write the certificate");
    }
}

/// Start `serve` on a listener of its own, in a thread with its own runtime (so that what it
/// does is seen by the code under test as a real peer would, not interleaved with it).
fn spawn<F, Fut>(serve: F) -> SocketAddr
where
    F: FnOnce(TcpListener) -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            tx.send(listener.local_addr().expect("address")).ok();
            serve(listener).await;
        });
    });
    rx.recv().expect("the listener is bound")
}

/// Bytes passed through to the emulator, over TLS or plain TCP.
pub struct Relay {
    base: String,
    connections: Arc<AtomicUsize>,
    close: mpsc::UnboundedSender<oneshot::Sender<()>>,
}

impl Target for Relay {
    fn base(&self) -> &str {
        &self.base
    }
}

impl Relay {
    /// A plain relay to `upstream` (`http://127.0.0.1:PORT`).
    pub fn plain(upstream: &str) -> Relay {
        Relay::start(upstream, None)
    }

    /// A relay that terminates TLS with `certificate` (its base is `https://127.0.0.1:PORT`).
    pub fn tls(upstream: &str, certificate: &Certificate) -> Relay {
        Relay::start(upstream, Some(certificate.server.clone()))
    }

    fn start(upstream: &str, tls: Option<Arc<rustls::ServerConfig>>) -> Relay {
        let upstream = upstream.trim_start_matches("http://").to_owned();
        let connections = Arc::new(AtomicUsize::new(0));
        let (close, mut close_requests) = mpsc::unbounded_channel::<oneshot::Sender<()>>();
        let counted = connections.clone();
        let https = tls.is_some();
        let address = spawn(move |listener| async move {
            let (closing, _) = watch::channel(0u64);
            let mut open = tokio::task::JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((client, _)) = accepted else { continue };
                        counted.fetch_add(1, Ordering::SeqCst);
                        let upstream = upstream.clone();
                        let tls = tls.clone();
                        let mut closed = closing.subscribe();
                        open.spawn(async move {
                            let Ok(server) = TcpStream::connect(&upstream).await else { return };
                            let relay = async {
                                match tls {
                                    Some(config) => {
                                        let acceptor = tokio_rustls::TlsAcceptor::from(config);
                                        if let Ok(client) = acceptor.accept(client).await {
                                            pipe(client, server).await;
                                        }
                                    }
                                    None => pipe(client, server).await,
                                }
                            };
                            tokio::select! {
                                () = relay => {}
                                _ = closed.changed() => {}
                            }
                        });
                    }
                    Some(done) = close_requests.recv() => {
                        closing.send_modify(|n| *n += 1);
                        while open.join_next().await.is_some() {}
                        done.send(()).ok();
                    }
                }
            }
        });
        Relay {
            base: format!("{}://{address}", if https { "https" } else { "http" }),
            connections,
            close,
        }
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Close every open connection (both ways), and return once they are closed.
    pub async fn close_all(&self) {
        let (done, closed) = oneshot::channel();
        self.close.send(done).expect("the relay runs");
        closed.await.expect("the relay closed its connections");
    }
}

/// Copy both ways until either side is done.
async fn pipe(
    mut a: impl AsyncRead + AsyncWrite + Unpin,
    mut b: impl AsyncRead + AsyncWrite + Unpin,
) {
    tokio::io::copy_bidirectional(&mut a, &mut b).await.ok();
}

/// What a proxy was asked: each connection's first request head.
#[derive(Clone, Debug)]
pub struct Asked {
    /// The request line (`CONNECT host:port HTTP/1.1`, `POST http://host/path HTTP/1.1`).
    pub line: String,
    /// Its `Proxy-Authorization` header, if any.
    pub authorization: Option<String>,
}

/// An HTTP proxy: `CONNECT` opens a tunnel; any other request is forwarded, with what follows
/// on its connection, to the host its absolute URI names.
pub struct Proxy {
    pub url: String,
    asked: Arc<Mutex<Vec<Asked>>>,
}

impl Proxy {
    pub fn start() -> Proxy {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let recorded = asked.clone();
        let address = spawn(move |listener| async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(proxy_one(client, recorded.clone()));
            }
        });
        Proxy {
            url: format!("http://{address}"),
            asked,
        }
    }

    /// What it was asked so far.
    pub fn asked(&self) -> Vec<Asked> {
        self.asked.lock().unwrap().clone()
    }
}

async fn proxy_one(mut client: TcpStream, asked: Arc<Mutex<Vec<Asked>>>) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match client.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let line = text.lines().next().unwrap_or_default().to_owned();
    let authorization = text.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("proxy-authorization")
            .then(|| value.trim().to_owned())
    });
    asked.lock().unwrap().push(Asked {
        line: line.clone(),
        authorization,
    });
    let mut words = line.split(' ');
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    if method == "CONNECT" {
        let Ok(server) = TcpStream::connect(target).await else {
            client
                .write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n")
                .await
                .ok();
            return;
        };
        client
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .await
            .ok();
        pipe(client, server).await;
    } else {
        let host = target
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap_or_default();
        let Ok(mut server) = TcpStream::connect(host).await else {
            client
                .write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n")
                .await
                .ok();
            return;
        };
        // The emulator takes absolute-form targets as they are.
        if server.write_all(&head).await.is_ok() {
            pipe(client, server).await;
        }
    }
}
