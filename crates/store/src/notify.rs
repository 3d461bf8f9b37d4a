//! PostgreSQL LISTEN/NOTIFY for instances sharing one database: send
//! payloads on a channel, and hear the payloads sent there. Each runs on a
//! connection of its own, reconnecting after a failure; what is sent while
//! a listener is away is not replayed.

use std::time::Duration;

use sqlx::Connection;
use tokio::sync::mpsc;

const RETRY: Duration = Duration::from_secs(2);

/// Send every payload from `rx` with `pg_notify(channel, payload)`, until
/// the sending side is dropped. What waits is sent together: one statement
/// and one commit for all of it (each on its own was a transaction, and a
/// commit, per report received), delivered in order. Payloads that cannot
/// be sent after one reconnection are dropped (and logged).
pub async fn send_loop(url: String, channel: String, mut rx: mpsc::UnboundedReceiver<String>) {
    let mut conn: Option<sqlx::PgConnection> = None;
    let mut payloads: Vec<String> = Vec::new();
    while rx.recv_many(&mut payloads, SEND_AT_ONCE).await > 0 {
        for _attempt in 0..2 {
            if conn.is_none() {
                match sqlx::PgConnection::connect(&url).await {
                    Ok(c) => conn = Some(c),
                    Err(e) => {
                        tracing::warn!(error = %e, "notify: cannot connect");
                        break;
                    }
                }
            }
            let Some(c) = conn.as_mut() else { break };
            match sqlx::query("SELECT pg_notify($1, p) FROM unnest(CAST($2 AS TEXT[])) AS p")
                .bind(&channel)
                .bind(&payloads)
                .execute(&mut *c)
                .await
            {
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "notify failed; reconnecting");
                    conn = None;
                }
            }
        }
        payloads.clear();
    }
}

/// Payloads sent in one statement at most.
const SEND_AT_ONCE: usize = 256;

/// Listen on `channel` for ever, handing each payload to `heard`.
pub async fn listen_loop(url: String, channel: String, heard: impl Fn(&str) + Send + 'static) {
    loop {
        let mut listener = match sqlx::postgres::PgListener::connect(&url).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "listen: cannot connect");
                tokio::time::sleep(RETRY).await;
                continue;
            }
        };
        if let Err(e) = listener.listen(&channel).await {
            tracing::warn!(error = %e, "LISTEN failed");
            tokio::time::sleep(RETRY).await;
            continue;
        }
        loop {
            match listener.recv().await {
                Ok(n) => heard(n.payload()),
                Err(e) => {
                    tracing::warn!(error = %e, "the listening connection dropped");
                    break;
                }
            }
        }
        tokio::time::sleep(RETRY).await;
    }
}
