//! Building and running the application. The app is a library: tests build
//! the real thing on port 0 against a real database.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use tokio::net::TcpListener;

use crate::config::Settings;
use crate::metrics::Metrics;
use crate::state::AppState;

/// A startup failure, as one line for the operator.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: String,
        source: std::io::Error,
    },
    #[error("database: {0}")]
    Store(#[from] store::StoreError),
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
}

impl Application {
    /// Open (and migrate) the database, then bind the listener.
    pub async fn build(settings: Settings) -> Result<Application, StartupError> {
        let store = store::Store::open(&settings.store_config()).await?;
        Self::build_with_store(settings, store).await
    }

    /// Bind the listener for an already-opened store.
    pub async fn build_with_store(
        settings: Settings,
        store: store::Store,
    ) -> Result<Application, StartupError> {
        let listener = TcpListener::bind(&settings.listen)
            .await
            .map_err(|source| StartupError::Listen {
                addr: settings.listen.clone(),
                source,
            })?;
        let audit_key =
            store::audit::load_or_create_key(&settings.data, settings.audit_key.as_deref())?;
        let public_limiter = Arc::new(crate::routes::public::Limiter::new(
            settings.public_complaints_per_hour,
        ));
        let audit_key = Arc::new(audit_key);
        let database_url = settings
            .store_config()
            .database_url
            .filter(|_| store.backend() == store::Backend::Postgres);
        let settings = Arc::new(settings);
        let intake = Arc::new(
            crate::group_commit::GroupCommit::start(
                settings.store_config(),
                audit_key.clone(),
                settings.clone(),
            )
            .map_err(|e| {
                store::StoreError::Unavailable(format!("cannot start the intake writer: {e}"))
            })?,
        );
        let sessions = Arc::new(crate::session_cache::SessionCache::new(
            Duration::from_millis(settings.session_cache_ms),
        ));
        let tokens = Arc::new(crate::session_cache::TokenCache::new(
            Duration::from_millis(settings.session_cache_ms),
        ));
        let state = AppState {
            store,
            settings,
            metrics: Arc::new(Metrics::default()),
            started: Instant::now(),
            audit_key,
            grids: Arc::new(crate::grid_index::GridIndexCell::default()),
            calendar: Arc::new(crate::deadlines::CalendarCell::new(
                domain::calendar::Calendar::builtin(),
            )),
            // with PostgreSQL, several instances hear each other's changes
            live: Arc::new(match &database_url {
                Some(url) => crate::live::Live::with_postgres(url),
                None => crate::live::Live::default(),
            }),
            public_limiter,
            sessions,
            tokens,
            token_touched: Arc::new(crate::session_cache::TtlCache::new(Duration::from_secs(60))),
            intake,
        };
        state.grids.refresh(&state.store).await?;
        if let Err(e) = crate::deadlines::reload(&state).await {
            tracing::warn!(error = ?e.0, "the stored working-day calendar could not be loaded; using the built-in one");
        }
        if state.settings.supervision_interval_secs > 0 {
            crate::supervisor::spawn(state.clone());
        }
        state
            .grids
            .clone()
            .watch(state.store.clone(), Duration::from_secs(10));
        let router = crate::routes::router(state.clone());
        Ok(Application {
            listener,
            router,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.local_addr().port()
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("bound listener")
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serve until SIGTERM or SIGINT, then let in-flight requests finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serve until `shutdown` completes; in-flight requests then get up to
    /// `shutdown_grace_secs` to finish.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let grace = Duration::from_secs(self.state.settings.shutdown_grace_secs);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let signalled = async move {
            shutdown.await;
            tracing::info!("shutdown requested: finishing in-flight requests");
            let _ = tx.send(());
        };
        let serve = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(signalled);
        let store = self.state.store.clone();
        tokio::select! {
            r = serve => { store.close().await; r }
            _ = async { let _ = rx.await; tokio::time::sleep(grace).await } => {
                tracing::warn!(seconds = grace.as_secs(), "grace period over: stopping with requests still open");
                Ok(())
            }
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
