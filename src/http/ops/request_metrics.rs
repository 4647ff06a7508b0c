//! `http_requests_total` and `http_request_duration_seconds`, counted through handles registered
//! once per route, method and status.
//!
//! Why: `metrics::counter!` with labels builds the label set and looks it up in the recorder's
//! registry on every call; with the route, method and status as owned strings that was three
//! allocations, five label clones and two registry lookups a request, on every path. The handles
//! are the recorder's own (cheap clones of a shared cell), so what they count is what a scrape
//! shows. The set is bounded: routes are matched patterns, and the cache is bounded too.

use std::sync::LazyLock;

use axum::http::Method;
use metrics::{Counter, Histogram};
use quick_cache::Equivalent;
use quick_cache::sync::Cache;

/// Distinct (route, method, status) triples held; past that the coldest is registered again
/// when it comes back, which costs what every request cost before.
const CAPACITY: usize = 1024;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Series {
    route: String,
    method: Method,
    status: u16,
}

/// [`Series`] borrowed from the request, to look one up without building it. Hashes as `Series`
/// does: the same fields in the same order, `&str` as `String`.
#[derive(Hash)]
struct SeriesRef<'a> {
    route: &'a str,
    method: &'a Method,
    status: u16,
}

impl Equivalent<Series> for SeriesRef<'_> {
    fn equivalent(&self, key: &Series) -> bool {
        self.route == key.route && *self.method == key.method && self.status == key.status
    }
}

static HANDLES: LazyLock<Cache<Series, (Counter, Histogram)>> =
    LazyLock::new(|| Cache::new(CAPACITY));

/// The request counter of `route`, `method` and `status`, and the latency histogram of `route`
/// and `method`, from the process-wide recorder (no-ops when none is installed).
pub fn handles(route: &str, method: &Method, status: u16) -> (Counter, Histogram) {
    let wanted = SeriesRef {
        route,
        method,
        status,
    };
    if let Some(found) = HANDLES.get(&wanted) {
        return found;
    }
    let labels = [
        ("route", route.to_owned()),
        ("method", method.as_str().to_owned()),
        ("status", status.to_string()),
    ];
    let found = (
        metrics::counter!("http_requests_total", &labels),
        metrics::histogram!("http_request_duration_seconds", &labels[..2]),
    );
    let series = Series {
        route: route.to_owned(),
        method: method.clone(),
        status,
    };
    HANDLES.insert(series, found.clone());
    found
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test")]
mod tests {
    use super::*;
    use crate::telemetry;

    #[test]
    fn a_series_counts_through_the_handles_it_registered_once() {
        let recorder = telemetry::metrics_handle().unwrap();
        let route = "/test/request-metrics";
        for _ in 0..3 {
            let (counter, histogram) = handles(route, &Method::PATCH, 418);
            counter.increment(1);
            histogram.record(0.002);
        }
        let (counter, _) = handles(route, &Method::PATCH, 419);
        counter.increment(1);
        let text = recorder.render();
        assert!(
            text.contains(
                "http_requests_total{route=\"/test/request-metrics\",method=\"PATCH\",status=\"418\"} 3"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "http_requests_total{route=\"/test/request-metrics\",method=\"PATCH\",status=\"419\"} 1"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "http_request_duration_seconds_count{route=\"/test/request-metrics\",method=\"PATCH\"} 3"
            ),
            "{text}"
        );
    }
}
