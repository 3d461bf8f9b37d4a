//! Prometheus metrics without a second listener: request counts and
//! latencies by route, database pool gauges and build info, rendered at
//! `GET /metrics` in the text exposition format.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;

/// Latency bucket bounds in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<(String, String), Histogram>>,
}

impl Metrics {
    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        if let Ok(mut r) = self.requests.lock() {
            *r.entry((method.into(), route.into(), status)).or_default() += 1;
        }
        if let Ok(mut l) = self.latency.lock() {
            let h = l.entry((method.into(), route.into())).or_default();
            h.count += 1;
            h.sum += seconds;
            for (i, bound) in BUCKETS.iter().enumerate() {
                if seconds <= *bound {
                    h.counts[i] += 1;
                }
            }
        }
    }

    pub fn render(&self, pool: (u32, usize, u32), backend: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# HELP yiwang_build_info Build information.");
        let _ = writeln!(out, "# TYPE yiwang_build_info gauge");
        let _ = writeln!(
            out,
            "yiwang_build_info{{version=\"{}\",database=\"{backend}\"}} 1",
            env!("CARGO_PKG_VERSION")
        );
        let _ = writeln!(
            out,
            "# HELP yiwang_http_requests_total HTTP requests by route and status."
        );
        let _ = writeln!(out, "# TYPE yiwang_http_requests_total counter");
        if let Ok(r) = self.requests.lock() {
            for ((method, route, status), n) in r.iter() {
                let _ = writeln!(
                    out,
                    "yiwang_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP yiwang_http_request_duration_seconds HTTP request latency by route."
        );
        let _ = writeln!(out, "# TYPE yiwang_http_request_duration_seconds histogram");
        if let Ok(l) = self.latency.lock() {
            for ((method, route), h) in l.iter() {
                let labels = format!("method=\"{method}\",route=\"{}\"", escape(route));
                for (i, bound) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "yiwang_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {}",
                        h.counts[i]
                    );
                }
                let _ = writeln!(
                    out,
                    "yiwang_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(
                    out,
                    "yiwang_http_request_duration_seconds_sum{{{labels}}} {}",
                    h.sum
                );
                let _ = writeln!(
                    out,
                    "yiwang_http_request_duration_seconds_count{{{labels}}} {}",
                    h.count
                );
            }
        }
        let (size, idle, max) = pool;
        let _ = writeln!(
            out,
            "# HELP yiwang_db_pool_connections Database pool connections by state."
        );
        let _ = writeln!(out, "# TYPE yiwang_db_pool_connections gauge");
        let _ = writeln!(out, "yiwang_db_pool_connections{{state=\"open\"}} {size}");
        let _ = writeln!(out, "yiwang_db_pool_connections{{state=\"idle\"}} {idle}");
        let _ = writeln!(out, "yiwang_db_pool_connections{{state=\"max\"}} {max}");
        memory(&mut out);
        out
    }
}

/// The process's memory by part: resident (from `/proc`, Linux), the C
/// allocator's heap in use and held, and SQLite's own count (its page
/// caches are bounded by `cache_size`; the rest of the heap should stay
/// level in a long run: `yiwang bench soak` judges that).
fn memory(out: &mut String) {
    let u = yiwang_malloc::usage();
    let _ = writeln!(
        out,
        "# HELP yiwang_memory_bytes Process memory by part (resident, heap_in_use, heap_held, sqlite, sqlite_peak)."
    );
    let _ = writeln!(out, "# TYPE yiwang_memory_bytes gauge");
    let mut parts = vec![
        ("heap_in_use", u.in_use),
        ("heap_held", u.held),
        ("sqlite", u.sqlite),
        ("sqlite_peak", u.sqlite_peak),
    ];
    if let Some(rss) = yiwang_malloc::resident() {
        parts.insert(0, ("resident", rss));
    }
    for (part, bytes) in parts {
        let _ = writeln!(out, "yiwang_memory_bytes{{part=\"{part}\"}} {bytes}");
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Middleware: time every request and count it under its route template
/// (`/api/v1/reports/{id}`, never the raw path, so labels stay bounded).
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().as_str().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let resp = next.run(req).await;
    state.metrics.observe(
        &method,
        &route,
        resp.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::Metrics;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let m = Metrics::default();
        m.observe("GET", "/healthz", 200, 0.002);
        m.observe("GET", "/healthz", 200, 0.2);
        let text = m.render((3, 2, 16), "sqlite");
        assert!(text.contains(
            "yiwang_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2"
        ));
        assert!(text.contains("le=\"0.0025\"} 1"));
        assert!(text.contains("le=\"0.25\"} 2"));
        assert!(text.contains("le=\"+Inf\"} 2"));
        assert!(text.contains("yiwang_db_pool_connections{state=\"max\"} 16"));
        assert!(text.contains("database=\"sqlite\""));
    }
}
