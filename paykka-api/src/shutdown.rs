//! Waiting for the signal to stop: SIGINT (Ctrl-C) or SIGTERM (what a supervisor sends),
//! for `axum::serve(..).with_graceful_shutdown`.

/// Resolves on SIGINT or SIGTERM.
pub async fn requested() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
