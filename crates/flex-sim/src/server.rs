//! The accept loop. We drive hyper per connection ourselves (instead of `axum::serve`) so that the
//! fault layer can close a request's TCP connection without answering: each connection gets a
//! cancellation token in its request extensions, and cancelling it drops the connection.

use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use crate::edge::ConnKill;

/// Serve `app` on `listener` until `shutdown` is cancelled; then every open connection is closed.
pub async fn serve(listener: TcpListener, app: Router, shutdown: CancellationToken) {
    loop {
        let accepted = tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, _)) = accepted else {
            // Out of file descriptors and similar: back off briefly instead of spinning.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let kill = shutdown.child_token();
        let app = app.clone();
        tokio::spawn(async move {
            let token = kill.clone();
            let service = tower::service_fn(move |mut req: Request<Incoming>| {
                req.extensions_mut().insert(ConnKill(token.clone()));
                app.clone().oneshot(req.map(axum::body::Body::new))
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
            tokio::select! {
                _ = conn => {}
                () = kill.cancelled() => {}
            }
        });
    }
}
