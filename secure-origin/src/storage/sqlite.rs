//! `Storage` on an embedded SQLite file: the default, for one instance.

use paykka_api::store::Db;
use rusqlite::{params, OptionalExtension};

use super::{
    state_from_columns, Claim, Forward, ForwardClaim, ForwardState, SessionFailure, StateColumns,
    Storage, StoreFuture, StoredKey, MIGRATIONS, REQUEST_NONCE_MS,
};

/// `Storage` on an embedded SQLite file.
pub struct Sqlite {
    db: Db,
}

impl Sqlite {
    pub fn open(path: &std::path::Path) -> anyhow::Result<Sqlite> {
        Ok(Sqlite {
            db: Db::open(path, MIGRATIONS)?,
        })
    }
}

fn key_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredKey> {
    Ok(StoredKey {
        merchant_id: row.get(0)?,
        kid: row.get(1)?,
        sealed: row.get(2)?,
        public_jwk: row.get(3)?,
        created_at: row.get(4)?,
        decrypt_until: row.get(5)?,
    })
}

fn forward_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Forward> {
    let name: String = row.get(1)?;
    Ok(Forward {
        fingerprint: row.get(0)?,
        state: state_from_columns(&name, row.get(2)?, row.get(3)?, row.get(4)?),
    })
}

fn forward_of(
    conn: &rusqlite::Connection,
    merchant_id: &str,
    trans_id: &str,
) -> rusqlite::Result<Option<Forward>> {
    conn.query_row(
        "SELECT fingerprint, state, answer_status, answer_headers, answer_body
         FROM forwards WHERE merchant_id = ?1 AND trans_id = ?2",
        params![merchant_id, trans_id],
        forward_from_row,
    )
    .optional()
}

impl Storage for Sqlite {
    fn keys_of(&self, merchant_id: String) -> StoreFuture<'_, Vec<StoredKey>> {
        Box::pin(self.db.call(move |conn| {
            let mut statement = conn.prepare(
                "SELECT merchant_id, kid, sealed, public_jwk, created_at, decrypt_until
                 FROM card_keys WHERE merchant_id = ?1 ORDER BY created_at DESC, rowid DESC",
            )?;
            let rows = statement.query_map([merchant_id], key_from_row)?;
            rows.collect()
        }))
    }

    fn rotate(
        &self,
        current: Option<String>,
        new: StoredKey,
        grace_until: i64,
    ) -> StoreFuture<'_, bool> {
        Box::pin(self.db.call(move |conn| {
            let tx = conn.transaction()?;
            let now_current: Option<String> = tx
                .query_row(
                    "SELECT kid FROM card_keys WHERE merchant_id = ?1 AND decrypt_until IS NULL",
                    [&new.merchant_id],
                    |row| row.get(0),
                )
                .optional()?;
            if now_current != current {
                return Ok(false);
            }
            tx.execute(
                "UPDATE card_keys SET decrypt_until = ?1 WHERE merchant_id = ?2 AND decrypt_until IS NULL",
                params![grace_until, new.merchant_id],
            )?;
            tx.execute(
                "INSERT INTO card_keys (merchant_id, kid, sealed, public_jwk, created_at, decrypt_until)
                 VALUES (?1, ?2, ?3, ?4, ?5, NULL)",
                params![new.merchant_id, new.kid, new.sealed, new.public_jwk, new.created_at],
            )?;
            tx.commit()?;
            Ok(true)
        }))
    }

    fn spend_request_nonce(
        &self,
        app_id: String,
        nonce: String,
        now: i64,
    ) -> StoreFuture<'_, bool> {
        Box::pin(self.db.call(move |conn| {
            conn.execute(
                "DELETE FROM request_nonces WHERE seen_at < ?1",
                [now - REQUEST_NONCE_MS],
            )?;
            let inserted = conn.execute(
                "INSERT INTO request_nonces (app_id, nonce, seen_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT DO NOTHING",
                params![app_id, nonce, now],
            )?;
            Ok(inserted == 1)
        }))
    }

    fn claim_forward(&self, claim: ForwardClaim) -> StoreFuture<'_, Claim> {
        Box::pin(self.db.call(move |conn| {
            let tx = conn.transaction()?;
            let existing = forward_of(&tx, &claim.merchant_id, &claim.trans_id)?;
            if let Some(existing) = existing {
                return Ok(Claim::Existing(existing));
            }
            tx.execute(
                "DELETE FROM card_nonces WHERE keep_until < ?1",
                [claim.now],
            )?;
            for nonce in &claim.nonces {
                let spent = tx.execute(
                    "INSERT INTO card_nonces (merchant_id, nonce, keep_until) VALUES (?1, ?2, ?3)
                     ON CONFLICT DO NOTHING",
                    params![claim.merchant_id, nonce, claim.nonces_until],
                )?;
                if spent == 0 {
                    return Ok(Claim::Replayed);
                }
            }
            tx.execute(
                "INSERT INTO forwards (merchant_id, trans_id, fingerprint, state, created_at, updated_at)
                 VALUES (?1, ?2, ?3, 'in_flight', ?4, ?4)",
                params![claim.merchant_id, claim.trans_id, claim.fingerprint, claim.now],
            )?;
            tx.commit()?;
            Ok(Claim::Claimed)
        }))
    }

    fn forward(&self, merchant_id: String, trans_id: String) -> StoreFuture<'_, Option<Forward>> {
        Box::pin(
            self.db
                .call(move |conn| forward_of(conn, &merchant_id, &trans_id)),
        )
    }

    fn finish_forward(
        &self,
        merchant_id: String,
        trans_id: String,
        state: ForwardState,
    ) -> StoreFuture<'_, ()> {
        Box::pin(self.db.call(move |conn| {
            let now = paykka_api::signing::now_ms();
            let StateColumns {
                name,
                status,
                headers,
                body,
            } = state.into_columns();
            conn.execute(
                "UPDATE forwards SET state = ?1, answer_status = ?2, answer_headers = ?3,
                 answer_body = ?4, updated_at = ?5 WHERE merchant_id = ?6 AND trans_id = ?7",
                params![name, status, headers, body, now, merchant_id, trans_id],
            )?;
            Ok(())
        }))
    }

    fn release_forward(
        &self,
        merchant_id: String,
        trans_id: String,
        nonces: Vec<String>,
    ) -> StoreFuture<'_, ()> {
        Box::pin(self.db.call(move |conn| {
            let tx = conn.transaction()?;
            tx.execute(
                "DELETE FROM forwards WHERE merchant_id = ?1 AND trans_id = ?2 AND state = 'in_flight'",
                params![merchant_id, trans_id],
            )?;
            for nonce in &nonces {
                tx.execute(
                    "DELETE FROM card_nonces WHERE merchant_id = ?1 AND nonce = ?2",
                    params![merchant_id, nonce],
                )?;
            }
            tx.commit()
        }))
    }

    fn record_session_failure(&self, failure: SessionFailure) -> StoreFuture<'_, ()> {
        Box::pin(self.db.call(move |conn| {
            conn.execute(
                "INSERT INTO session_failures (merchant_id, session_id, trans_id, at)
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                params![
                    failure.merchant_id,
                    failure.session_id,
                    failure.trans_id,
                    failure.at
                ],
            )
            .map(drop)
        }))
    }

    fn session_failures(
        &self,
        merchant_id: String,
        session_id: String,
    ) -> StoreFuture<'_, Vec<String>> {
        Box::pin(self.db.call(move |conn| {
            conn.prepare(
                "SELECT trans_id FROM session_failures WHERE merchant_id = ?1 AND session_id = ?2",
            )?
            .query_map(params![merchant_id, session_id], |r| r.get(0))?
            .collect()
        }))
    }

    fn record_ip_failure(&self, ip: String, at: i64, forget_before: i64) -> StoreFuture<'_, ()> {
        Box::pin(self.db.call(move |conn| {
            conn.execute("DELETE FROM ip_failures WHERE at < ?1", [forget_before])?;
            conn.execute(
                "INSERT INTO ip_failures (ip, at) VALUES (?1, ?2)",
                params![ip, at],
            )
            .map(drop)
        }))
    }

    fn ip_failures(&self, ip: String, since: i64) -> StoreFuture<'_, i64> {
        Box::pin(self.db.call(move |conn| {
            conn.query_row(
                "SELECT COUNT(*) FROM ip_failures WHERE ip = ?1 AND at >= ?2",
                params![ip, since],
                |r| r.get(0),
            )
        }))
    }

    fn count_hit(&self, key: String, window: i64, forget_before: i64) -> StoreFuture<'_, i64> {
        Box::pin(self.db.call(move |conn| {
            conn.execute(
                "DELETE FROM rate_counts WHERE window_start < ?1",
                [forget_before],
            )?;
            conn.query_row(
                "INSERT INTO rate_counts (key, window_start, hits) VALUES (?1, ?2, 1)
                 ON CONFLICT (key, window_start) DO UPDATE SET hits = hits + 1 RETURNING hits",
                params![key, window],
                |r| r.get(0),
            )
        }))
    }

    fn ping(&self) -> StoreFuture<'_, ()> {
        Box::pin(
            self.db
                .call(|conn| conn.query_row("SELECT 1", [], |_| Ok(()))),
        )
    }
}
