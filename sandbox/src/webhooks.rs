//! Webhooks: notifications go into a persisted outbox in the same transaction as the
//! state change, and a worker delivers them, signed, retrying with exponential backoff
//! until the merchant acknowledges with a 2xx. A restart picks up where it stopped.

use std::time::Duration;

use rusqlite::{params, Transaction};
use serde_json::Value;

use super::state::State;
use paykka_api::signing::{self, now_ms};

/// Longest wait between two attempts.
const MAX_BACKOFF_MS: i64 = 10 * 60 * 1000;

/// Queues a notification once per `event_key`.
pub fn enqueue(
    tx: &Transaction<'_>,
    event_key: &str,
    url: &str,
    body: &Value,
    app_id: &str,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT OR IGNORE INTO outbox (event_key, url, app_id, body, next_attempt_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![event_key, url, app_id, body.to_string(), now_ms()],
    )?;
    Ok(())
}

struct Due {
    id: i64,
    url: String,
    app_id: String,
    body: String,
    attempts: i64,
}

/// Delivers due notifications until the process stops.
pub async fn run(gateway: State) {
    loop {
        if let Err(error) = deliver_due(&gateway).await {
            tracing::warn!("webhook outbox: {error:#}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn deliver_due(gateway: &State) -> anyhow::Result<()> {
    let now = now_ms();
    let due = gateway
        .db
        .call(move |conn| {
            let mut statement = conn.prepare(
                "SELECT id, url, app_id, body, attempts FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= ?1 ORDER BY id LIMIT 20",
            )?;
            let rows = statement.query_map([now], |r| {
                Ok(Due { id: r.get(0)?, url: r.get(1)?, app_id: r.get(2)?, body: r.get(3)?, attempts: r.get(4)? })
            })?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
        })
        .await?;
    for item in due {
        let outcome = send(gateway, &item).await;
        let attempts = item.attempts + 1;
        let backoff = (gateway.webhook_backoff_ms << attempts.min(20)).min(MAX_BACKOFF_MS);
        let (delivered, status) = match &outcome {
            Ok(code) => (code.is_success(), code.as_u16().to_string()),
            Err(_) => (false, "unreachable".to_owned()),
        };
        tracing::info!(id = item.id, attempts, status = %status, delivered, "webhook delivery");
        let id = item.id;
        gateway
            .db
            .call(move |conn| {
                let now = now_ms();
                if delivered {
                    conn.execute(
                        "UPDATE outbox SET attempts = ?1, delivered_at = ?2, last_status = ?3 WHERE id = ?4",
                        params![attempts, now, status, id],
                    )
                } else {
                    conn.execute(
                        "UPDATE outbox SET attempts = ?1, next_attempt_at = ?2, last_status = ?3 WHERE id = ?4",
                        params![attempts, now + backoff, status, id],
                    )
                }
            })
            .await?;
    }
    Ok(())
}

/// The path of a URL (what the signature covers).
fn path_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    url[after_scheme..]
        .find('/')
        .map_or("/", |i| &url[after_scheme + i..])
}

async fn send(gateway: &State, item: &Due) -> anyhow::Result<reqwest::StatusCode> {
    let path = path_of(&item.url);
    let path = path.split('?').next().unwrap_or(path);
    let body = item.body.clone().into_bytes();
    let signed = paykka_api::guesses::sign_webhook(&gateway.platform_key, path, &body);
    let response = signing::post_signed(&gateway.http, &item.url, &item.app_id, &signed, body)
        .timeout(Duration::from_secs(10))
        .send()
        .await?;
    Ok(response.status())
}

#[cfg(test)]
mod tests {
    use super::path_of;

    #[test]
    fn paths() {
        assert_eq!(
            path_of("http://127.0.0.1:8080/api/webhooks/paykka"),
            "/api/webhooks/paykka"
        );
        assert_eq!(path_of("https://shop.example"), "/");
    }
}
