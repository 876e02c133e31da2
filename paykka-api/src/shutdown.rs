//! Waiting for the signal to stop: SIGINT (Ctrl-C) or SIGTERM (what a supervisor sends),
//! for `axum::serve(..).with_graceful_shutdown` — or, for a program another one launched,
//! its standard input closing (the launcher went away, however it ended).

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

/// Resolves on SIGINT or SIGTERM, or (with `watch_stdin`) when standard input closes.
pub async fn requested_or_orphaned(watch_stdin: bool) {
    let orphaned = async {
        if !watch_stdin {
            return std::future::pending::<()>().await;
        }
        let mut stdin = tokio::io::stdin();
        let mut buffer = [0u8; 64];
        while !matches!(
            tokio::io::AsyncReadExt::read(&mut stdin, &mut buffer).await,
            Ok(0) | Err(_)
        ) {}
    };
    tokio::select! {
        () = requested() => {},
        () = orphaned => {},
    }
}
