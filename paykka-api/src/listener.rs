//! The servers' listeners: every connection they accept sends without delay
//! (`TCP_NODELAY`). With Nagle's algorithm on, a response written in two pieces (headers,
//! then the body) holds its second piece until the browser acknowledges the first, and a
//! browser delays that acknowledgement by up to 40 ms. A cold card form measured such
//! stalls on its script fetches, one in every few loads.

use axum::serve::{ListenerExt, TapIo};
use tokio::net::{TcpListener, TcpStream};

/// `listener`, with `TCP_NODELAY` set on each connection it accepts.
pub fn without_delay(listener: TcpListener) -> TapIo<TcpListener, fn(&mut TcpStream)> {
    listener.tap_io(send_without_delay)
}

/// A connection whose option cannot be set is still served: it is slower, not wrong.
fn send_without_delay(stream: &mut TcpStream) {
    if let Err(error) = stream.set_nodelay(true) {
        tracing::debug!(%error, "TCP_NODELAY could not be set");
    }
}

#[cfg(test)]
mod tests {
    use axum::serve::Listener;

    use super::without_delay;

    #[tokio::test]
    async fn accepted_connections_send_without_delay() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let mut listener = without_delay(listener);
        let client = tokio::spawn(tokio::net::TcpStream::connect(address));
        let (accepted, _) = listener.accept().await;
        assert!(accepted.nodelay().unwrap());
        drop(client.await.unwrap().unwrap());
    }
}
