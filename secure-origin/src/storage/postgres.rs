//! `Storage` on PostgreSQL, for several instances of the service over one database: the
//! same migrations as SQLite (`super::MIGRATIONS`), and every check-and-write that makes a payment safe — a nonce spent once,
//! one forward per `trans_id`, one current key — done by the database in one statement or
//! transaction, so it holds whichever instance asks.

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::error::SqlState;
use tokio_postgres::Row;

use super::{
    state_from_columns, Claim, Forward, ForwardClaim, ForwardState, SessionFailure, StateColumns,
    Storage, StoreFuture, StoredKey, MIGRATIONS, REQUEST_NONCE_MS,
};

/// `Storage` on a PostgreSQL database shared by every instance.
pub struct Postgres {
    pool: Pool,
}

impl Postgres {
    /// Connects to `url` (`postgres://user@host:port/database`; TLS when the server offers
    /// it, or as `sslmode` asks) and applies the migrations not applied yet — one instance
    /// at a time (an advisory lock), so instances starting together do not race.
    pub async fn open(url: &str) -> anyhow::Result<Postgres> {
        let config: tokio_postgres::Config = url.parse()?;
        let tls = postgres_native_tls::MakeTlsConnector::new(native_tls::TlsConnector::new()?);
        let manager = Manager::from_config(
            config,
            tls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager).max_size(16).build()?;
        let storage = Postgres { pool };
        storage.migrate().await?;
        Ok(storage)
    }

    async fn migrate(&self) -> anyhow::Result<()> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // Any constant: the service's migrations lock.
        tx.execute("SELECT pg_advisory_xact_lock(7311008)", &[])
            .await?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
            .await?;
        let version: i64 = match tx
            .query_opt("SELECT version FROM schema_version", &[])
            .await?
        {
            Some(row) => row.get(0),
            None => {
                tx.execute("INSERT INTO schema_version (version) VALUES (0)", &[])
                    .await?;
                0
            }
        };
        for (index, sql) in MIGRATIONS
            .iter()
            .enumerate()
            .skip(usize::try_from(version)?)
        {
            tx.batch_execute(sql).await?;
            tx.execute(
                "UPDATE schema_version SET version = $1",
                &[&i64::try_from(index + 1)?],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

impl Postgres {
    /// One attempt at a claim; `None` if the row it met was gone before it was read.
    async fn try_claim(&self, claim: &ForwardClaim) -> anyhow::Result<Option<Claim>> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // The row first: a racing claim of the same trans_id waits here for this
        // transaction's end, then sees the row.
        let claimed = tx
            .execute(
                "INSERT INTO forwards (merchant_id, trans_id, fingerprint, state, created_at, updated_at)
                 VALUES ($1, $2, $3, 'in_flight', $4, $4) ON CONFLICT DO NOTHING",
                &[&claim.merchant_id, &claim.trans_id, &claim.fingerprint, &claim.now],
            )
            .await?;
        if claimed == 0 {
            let existing = tx
                .query_opt(FORWARD_COLUMNS, &[&claim.merchant_id, &claim.trans_id])
                .await?;
            tx.rollback().await?;
            return Ok(existing.map(|row| Claim::Existing(forward_from_row(&row))));
        }
        tx.execute(
            "DELETE FROM card_nonces WHERE keep_until < $1",
            &[&claim.now],
        )
        .await?;
        for nonce in &claim.nonces {
            let spent = tx
                .execute(
                    "INSERT INTO card_nonces (merchant_id, nonce, keep_until) VALUES ($1, $2, $3)
                     ON CONFLICT DO NOTHING",
                    &[&claim.merchant_id, nonce, &claim.nonces_until],
                )
                .await?;
            if spent == 0 {
                tx.rollback().await?;
                return Ok(Some(Claim::Replayed));
            }
        }
        tx.commit().await?;
        Ok(Some(Claim::Claimed))
    }
}

fn key_from_row(row: &Row) -> StoredKey {
    StoredKey {
        merchant_id: row.get(0),
        kid: row.get(1),
        sealed: row.get(2),
        public_jwk: row.get(3),
        created_at: row.get(4),
        decrypt_until: row.get(5),
    }
}

fn forward_from_row(row: &Row) -> Forward {
    let name: String = row.get(1);
    let status: Option<i32> = row.get(2);
    let status = status.map(|s| u16::try_from(s).unwrap_or(502));
    Forward {
        fingerprint: row.get(0),
        state: state_from_columns(&name, status, row.get(3), row.get(4)),
    }
}

const FORWARD_COLUMNS: &str =
    "SELECT fingerprint, state, answer_status, answer_headers, answer_body
     FROM forwards WHERE merchant_id = $1 AND trans_id = $2";

fn count(row: &Row) -> i64 {
    row.get(0)
}

impl Storage for Postgres {
    fn keys_of(&self, merchant_id: String) -> StoreFuture<'_, Vec<StoredKey>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let rows = client
                .query(
                    "SELECT merchant_id, kid, sealed, public_jwk, created_at, decrypt_until
                     FROM card_keys WHERE merchant_id = $1 ORDER BY created_at DESC, kid DESC",
                    &[&merchant_id],
                )
                .await?;
            Ok(rows.iter().map(key_from_row).collect())
        })
    }

    fn rotate(
        &self,
        current: Option<String>,
        new: StoredKey,
        grace_until: i64,
    ) -> StoreFuture<'_, bool> {
        Box::pin(async move {
            let mut client = self.pool.get().await?;
            let tx = client.transaction().await?;
            let now_current: Option<String> = tx
                .query_opt(
                    "SELECT kid FROM card_keys WHERE merchant_id = $1 AND decrypt_until IS NULL
                     FOR UPDATE",
                    &[&new.merchant_id],
                )
                .await?
                .map(|row| row.get(0));
            if now_current != current {
                return Ok(false);
            }
            tx.execute(
                "UPDATE card_keys SET decrypt_until = $1 WHERE merchant_id = $2 AND decrypt_until IS NULL",
                &[&grace_until, &new.merchant_id],
            )
            .await?;
            let inserted = tx
                .execute(
                    "INSERT INTO card_keys (merchant_id, kid, sealed, public_jwk, created_at, decrypt_until)
                     VALUES ($1, $2, $3, $4, $5, NULL)",
                    &[&new.merchant_id, &new.kid, &new.sealed, &new.public_jwk, &new.created_at],
                )
                .await;
            match inserted {
                Ok(_) => {}
                // Another instance made the first key at the same moment.
                Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => return Ok(false),
                Err(e) => return Err(e.into()),
            }
            match tx.commit().await {
                Ok(()) => Ok(true),
                Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => Ok(false),
                Err(e) => Err(e.into()),
            }
        })
    }

    fn spend_request_nonce(
        &self,
        app_id: String,
        nonce: String,
        now: i64,
    ) -> StoreFuture<'_, bool> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            client
                .execute(
                    "DELETE FROM request_nonces WHERE seen_at < $1",
                    &[&(now - REQUEST_NONCE_MS)],
                )
                .await?;
            let inserted = client
                .execute(
                    "INSERT INTO request_nonces (app_id, nonce, seen_at) VALUES ($1, $2, $3)
                     ON CONFLICT DO NOTHING",
                    &[&app_id, &nonce, &now],
                )
                .await?;
            Ok(inserted == 1)
        })
    }

    fn claim_forward(&self, claim: ForwardClaim) -> StoreFuture<'_, Claim> {
        Box::pin(async move {
            // A claim released between two of its statements is tried again.
            for _ in 0..3 {
                if let Some(claimed) = self.try_claim(&claim).await? {
                    return Ok(claimed);
                }
            }
            anyhow::bail!("the forward {} keeps changing", claim.trans_id)
        })
    }

    fn forward(&self, merchant_id: String, trans_id: String) -> StoreFuture<'_, Option<Forward>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let row = client
                .query_opt(FORWARD_COLUMNS, &[&merchant_id, &trans_id])
                .await?;
            Ok(row.as_ref().map(forward_from_row))
        })
    }

    fn finish_forward(
        &self,
        merchant_id: String,
        trans_id: String,
        state: ForwardState,
    ) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let now = paykka_api::signing::now_ms();
            let StateColumns {
                name,
                status,
                headers,
                body,
            } = state.into_columns();
            let status = status.map(i32::from);
            client
                .execute(
                    "UPDATE forwards SET state = $1, answer_status = $2, answer_headers = $3,
                     answer_body = $4, updated_at = $5 WHERE merchant_id = $6 AND trans_id = $7",
                    &[
                        &name,
                        &status,
                        &headers,
                        &body,
                        &now,
                        &merchant_id,
                        &trans_id,
                    ],
                )
                .await?;
            Ok(())
        })
    }

    fn release_forward(
        &self,
        merchant_id: String,
        trans_id: String,
        nonces: Vec<String>,
    ) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let mut client = self.pool.get().await?;
            let tx = client.transaction().await?;
            tx.execute(
                "DELETE FROM forwards WHERE merchant_id = $1 AND trans_id = $2 AND state = 'in_flight'",
                &[&merchant_id, &trans_id],
            )
            .await?;
            tx.execute(
                "DELETE FROM card_nonces WHERE merchant_id = $1 AND nonce = ANY($2)",
                &[&merchant_id, &nonces],
            )
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn record_session_failure(&self, failure: SessionFailure) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            client
                .execute(
                    "INSERT INTO session_failures (merchant_id, session_id, trans_id, at)
                     VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                    &[
                        &failure.merchant_id,
                        &failure.session_id,
                        &failure.trans_id,
                        &failure.at,
                    ],
                )
                .await?;
            Ok(())
        })
    }

    fn session_failures(
        &self,
        merchant_id: String,
        session_id: String,
    ) -> StoreFuture<'_, Vec<String>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let rows = client
                .query(
                    "SELECT trans_id FROM session_failures WHERE merchant_id = $1 AND session_id = $2",
                    &[&merchant_id, &session_id],
                )
                .await?;
            Ok(rows.iter().map(|row| row.get(0)).collect())
        })
    }

    fn record_ip_failure(&self, ip: String, at: i64, forget_before: i64) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            client
                .execute("DELETE FROM ip_failures WHERE at < $1", &[&forget_before])
                .await?;
            client
                .execute(
                    "INSERT INTO ip_failures (ip, at) VALUES ($1, $2)",
                    &[&ip, &at],
                )
                .await?;
            Ok(())
        })
    }

    fn ip_failures(&self, ip: String, since: i64) -> StoreFuture<'_, i64> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let row = client
                .query_one(
                    "SELECT COUNT(*) FROM ip_failures WHERE ip = $1 AND at >= $2",
                    &[&ip, &since],
                )
                .await?;
            Ok(count(&row))
        })
    }

    fn count_hit(&self, key: String, window: i64, forget_before: i64) -> StoreFuture<'_, i64> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            client
                .execute(
                    "DELETE FROM rate_counts WHERE window_start < $1",
                    &[&forget_before],
                )
                .await?;
            let row = client
                .query_one(
                    "INSERT INTO rate_counts (key, window_start, hits) VALUES ($1, $2, 1)
                     ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_counts.hits + 1
                     RETURNING hits",
                    &[&key, &window],
                )
                .await?;
            Ok(count(&row))
        })
    }

    fn ping(&self) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            client.query_one("SELECT 1", &[]).await?;
            Ok(())
        })
    }
}
