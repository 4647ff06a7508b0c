//! The public listener's connections, with the limits `axum::serve` has no setting for: a request
//! head must arrive within `header_read_timeout` and fit in `max_header_size` (else 431, RFC 6585
//! §5), a connection that moves no byte for `keep_alive_timeout` between requests is closed, and
//! at most `max_connections` are open: past that the listener stops accepting (the kernel's
//! backlog holds the next ones) instead of failing `accept` with "too many open files".

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::Service as _;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::time::Instant;

use crate::config::Config;

/// hyper refuses a read buffer smaller than this.
const MIN_BUF_SIZE: usize = 8192;
/// How long the listener pauses after a failed `accept` (out of file descriptors, say) so a
/// persistent failure does not spin a core.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// What a connection may cost: the settings of the same names.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    pub header_read_timeout: Duration,
    pub keep_alive_timeout: Duration,
    /// Bytes, the request line included.
    pub max_header_size: usize,
    pub max_connections: usize,
}

impl ConnectionLimits {
    pub fn from_config(config: &Config) -> ConnectionLimits {
        ConnectionLimits {
            header_read_timeout: config.header_read_timeout,
            keep_alive_timeout: config.keep_alive_timeout,
            max_header_size: config.max_header_size,
            max_connections: config.max_connections,
        }
    }
}

/// Serves `router` on `listener` within `limits` until `shutdown` resolves, then lets open
/// connections finish their requests and returns once every one is closed.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let (closing, closing_rx) = watch::channel(());
    let mut http = http1::Builder::new();
    let buf_size = limits.max_header_size.max(MIN_BUF_SIZE);
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_header_size(limits.max_header_size)
        .max_buf_size(buf_size);
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = accept(&listener, &permits) => accepted,
        };
        let Some((stream, peer, permit)) = accepted else {
            continue;
        };
        let connection = Connection {
            http: http.clone(),
            router: router.clone(),
            peer,
            idle: limits.keep_alive_timeout,
            closing: closing_rx.clone(),
            _permit: permit,
        };
        tokio::spawn(connection.run(stream));
    }
    drop(listener);
    // Every connection task holds a receiver; each closes gracefully once told.
    let _ = closing.send(());
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ = permits.acquire_many(all).await;
}

/// The next connection, once one of `permits` is free: while every permit is taken, nothing is
/// accepted. `None` after a failed `accept`, which is logged and paced.
async fn accept(
    listener: &TcpListener,
    permits: &Arc<Semaphore>,
) -> Option<(TcpStream, SocketAddr, OwnedSemaphorePermit)> {
    let permit = Arc::clone(permits).acquire_owned().await.ok()?;
    match listener.accept().await {
        Ok((stream, peer)) => Some((stream, peer, permit)),
        Err(err) => {
            tracing::error!(error = %err, "accept failed; pausing the listener briefly");
            tokio::time::sleep(ACCEPT_BACKOFF).await;
            None
        }
    }
}

/// One accepted connection and what it needs to be served.
struct Connection {
    http: http1::Builder,
    router: Router,
    peer: SocketAddr,
    idle: Duration,
    closing: watch::Receiver<()>,
    _permit: OwnedSemaphorePermit,
}

impl Connection {
    async fn run(mut self, stream: TcpStream) {
        let activity = Arc::new(Activity::new());
        let io = TokioIo::new(Watched {
            stream,
            activity: Arc::clone(&activity),
        });
        let router = TowerToHyperService::new(self.router);
        let peer = self.peer;
        let requests = Arc::clone(&activity);
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            let in_flight = InFlight::start(Arc::clone(&requests));
            let response = router.call(request);
            async move {
                let response = response.await;
                drop(in_flight);
                response
            }
        });
        let conn = self.http.serve_connection(io, service);
        tokio::pin!(conn);
        let mut shutting = false;
        loop {
            tokio::select! {
                result = conn.as_mut() => {
                    if let Err(err) = result {
                        tracing::debug!(%peer, error = %err, "connection ended with an error");
                    }
                    return;
                }
                () = activity.idle_for(self.idle), if !shutting => {
                    conn.as_mut().graceful_shutdown();
                    shutting = true;
                }
                _ = self.closing.changed(), if !shutting => {
                    conn.as_mut().graceful_shutdown();
                    shutting = true;
                }
            }
        }
    }
}

/// When a connection last moved a byte, and how many of its requests are being answered.
struct Activity {
    opened: Instant,
    /// Milliseconds after `opened`.
    last: AtomicU64,
    in_flight: AtomicUsize,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            opened: Instant::now(),
            last: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
        }
    }

    fn touch(&self) {
        let millis = u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last.store(millis, Ordering::Relaxed);
    }

    /// Resolves once no byte has moved for `idle` and no request is being answered.
    async fn idle_for(&self, idle: Duration) {
        loop {
            let last = self.last.load(Ordering::Relaxed);
            tokio::time::sleep_until(self.opened + Duration::from_millis(last) + idle).await;
            let moved = self.last.load(Ordering::Relaxed) != last;
            if !moved && self.in_flight.load(Ordering::Relaxed) == 0 {
                return;
            }
            if !moved {
                // A slow handler is not an idle client: wait a whole period more.
                self.touch();
            }
        }
    }
}

/// Counts a request as being answered until dropped.
struct InFlight(Arc<Activity>);

impl InFlight {
    fn start(activity: Arc<Activity>) -> InFlight {
        activity.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(activity)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
        self.0.touch();
    }
}

/// A TCP stream that records in its [`Activity`] every time a byte moves.
struct Watched {
    stream: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Raises this process's open-file soft limit to its hard limit, so `max_connections` is not cut
/// short by a distribution's default of 1,024; answers the limit now in force. A failure is
/// logged and leaves the limit as it was.
pub fn raise_open_file_limit() -> Option<u64> {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => Some(limit),
        Err(err) => {
            tracing::warn!(error = %err, "cannot raise the open-file limit");
            rlimit::getrlimit(rlimit::Resource::NOFILE)
                .ok()
                .map(|(soft, _)| soft)
        }
    }
}
