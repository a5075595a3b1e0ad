//! Request metrics: for each label set (endpoint, method, status code) a request counter and a
//! latency histogram with fixed log-scale buckets.
//!
//! The [`Registry`] maps label sets to series behind a `RwLock`; recording takes the read lock,
//! finds the series without allocating (the lookup borrows the request's endpoint) and updates
//! atomics, so concurrent recorders never block each other once their label set exists. Only the
//! first request of a new label set takes the write lock and allocates.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{OnceLock, PoisonError, RwLock};
use std::time::Duration;

/// How many latency buckets each series has: [`FINITE_BUCKETS`] plus one for anything slower.
pub const LATENCY_BUCKETS: usize = FINITE_BUCKETS + 1;

/// How many buckets have a finite upper bound: 1 µs, 2 µs, 4 µs, … 2²³ µs (about 8.4 s).
pub const FINITE_BUCKETS: usize = 24;

/// The inclusive upper bound of bucket `index` in microseconds; `None` for the last (overflow) one.
pub const fn bucket_upper_bound_us(index: usize) -> Option<u64> {
    if index < FINITE_BUCKETS {
        Some(1 << index)
    } else {
        None
    }
}

/// The bucket a latency falls in: the first whose upper bound is at least the latency.
pub fn bucket_index(latency: Duration) -> usize {
    let us = duration_ns(latency).div_ceil(1000);
    if us <= 1 {
        0
    } else {
        // ceil(log2(us)): the smallest i with 2^i >= us.
        let index = (u64::BITS - (us - 1).leading_zeros()) as usize;
        index.min(LATENCY_BUCKETS - 1)
    }
}

fn duration_ns(latency: Duration) -> u64 {
    u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX)
}

/// An HTTP request method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HttpMethod {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
    /// `HEAD`
    Head,
    /// `OPTIONS`
    Options,
}

impl HttpMethod {
    /// The method's name, e.g. `"GET"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
            Self::Head => "HEAD",
            Self::Options => "OPTIONS",
        }
    }
}

impl fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One served API request, as the metrics see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiRequest {
    /// The route that served it: a template such as `/api/v1/tools/{name}`, not the raw path, so
    /// the number of label sets stays bounded.
    pub endpoint: String,
    /// The HTTP method.
    pub method: HttpMethod,
    /// The response's status code.
    pub status: u16,
    /// How long it took to serve.
    pub latency: Duration,
}

/// The labels that identify one series.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Labels {
    /// The route template.
    pub endpoint: Box<str>,
    /// The HTTP method.
    pub method: HttpMethod,
    /// The status code.
    pub status: u16,
}

impl Labels {
    /// The status class: 2 for 2xx, 5 for 5xx, and so on.
    pub fn status_class(&self) -> u16 {
        self.status / 100
    }
}

/// A view of a label set, owned ([`Labels`]) or borrowed from a request ([`LabelsRef`]), so the
/// map can be searched without building an owned key.
trait LabelKey {
    fn parts(&self) -> (&str, HttpMethod, u16);
}

/// Labels borrowed from an [`ApiRequest`].
struct LabelsRef<'a> {
    endpoint: &'a str,
    method: HttpMethod,
    status: u16,
}

impl LabelKey for LabelsRef<'_> {
    fn parts(&self) -> (&str, HttpMethod, u16) {
        (self.endpoint, self.method, self.status)
    }
}

impl LabelKey for Labels {
    fn parts(&self) -> (&str, HttpMethod, u16) {
        (&self.endpoint, self.method, self.status)
    }
}

// `Borrow` requires the owned and borrowed forms to hash and compare alike: both go through `parts`.
impl<'a> Borrow<dyn LabelKey + 'a> for Labels {
    fn borrow(&self) -> &(dyn LabelKey + 'a) {
        self
    }
}

impl Hash for dyn LabelKey + '_ {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.parts().hash(state);
    }
}

impl PartialEq for dyn LabelKey + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.parts() == other.parts()
    }
}

impl Eq for dyn LabelKey + '_ {}

impl Hash for Labels {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.parts().hash(state);
    }
}

/// The live counters of one label set.
struct Series {
    count: AtomicU64,
    latency_sum_ns: AtomicU64,
    buckets: [AtomicU64; LATENCY_BUCKETS],
}

impl Series {
    fn new() -> Self {
        Self {
            count: AtomicU64::new(0),
            latency_sum_ns: AtomicU64::new(0),
            buckets: std::array::from_fn(|_| AtomicU64::new(0)),
        }
    }

    fn record(&self, latency: Duration) {
        // Relaxed is enough: each counter is exact on its own, and readers that need all of them
        // consistent (tests, scrapes after a join) are ordered by the lock or the join.
        self.count.fetch_add(1, Ordering::Relaxed);
        self.latency_sum_ns
            .fetch_add(duration_ns(latency), Ordering::Relaxed);
        self.buckets[bucket_index(latency)].fetch_add(1, Ordering::Relaxed);
    }

    fn snapshot(&self, labels: &Labels) -> SeriesSnapshot {
        SeriesSnapshot {
            labels: labels.clone(),
            count: self.count.load(Ordering::Relaxed),
            latency_sum_ns: self.latency_sum_ns.load(Ordering::Relaxed),
            buckets: std::array::from_fn(|i| self.buckets[i].load(Ordering::Relaxed)),
        }
    }
}

/// A thread-safe registry of request metrics.
///
/// ```
/// use std::time::Duration;
/// use mcp_service::metrics::{ApiRequest, HttpMethod, Registry};
///
/// let registry = Registry::new();
/// let request = ApiRequest {
///     endpoint: "/mcp".into(),
///     method: HttpMethod::Post,
///     status: 200,
///     latency: Duration::from_micros(850),
/// };
/// registry.record(&request);
/// registry.record(&request);
/// let snapshot = registry.snapshot();
/// let series = snapshot.get("/mcp", HttpMethod::Post, 200).unwrap();
/// assert_eq!((series.count, series.latency_sum_ns), (2, 1_700_000));
/// ```
#[derive(Default)]
pub struct Registry {
    series: RwLock<HashMap<Labels, Series>>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one request: counts it and adds its latency to its label set's histogram.
    pub fn record(&self, request: &ApiRequest) {
        let key = LabelsRef {
            endpoint: &request.endpoint,
            method: request.method,
            status: request.status,
        };
        {
            // A panic elsewhere cannot leave the map inconsistent (inserts are single calls),
            // so a poisoned lock is still safe to use.
            let series = self.series.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(series) = series.get(&key as &dyn LabelKey) {
                series.record(request.latency);
                return;
            }
        }
        let mut series = self.series.write().unwrap_or_else(PoisonError::into_inner);
        // Another thread may have added the label set since the read lock was released.
        if let Some(series) = series.get(&key as &dyn LabelKey) {
            series.record(request.latency);
            return;
        }
        let labels = Labels {
            endpoint: request.endpoint.as_str().into(),
            method: request.method,
            status: request.status,
        };
        series
            .entry(labels)
            .or_insert_with(Series::new)
            .record(request.latency);
    }

    /// The current values of every series, sorted by labels.
    ///
    /// Each counter is read atomically; while other threads are recording, a series' count,
    /// sum and buckets may reflect slightly different moments.
    pub fn snapshot(&self) -> MetricsSnapshot {
        let map = self.series.read().unwrap_or_else(PoisonError::into_inner);
        let mut series: Vec<SeriesSnapshot> = map
            .iter()
            .map(|(labels, series)| series.snapshot(labels))
            .collect();
        drop(map);
        series.sort_by(|a, b| a.labels.cmp(&b.labels));
        MetricsSnapshot { series }
    }

    /// How many label sets have been recorded.
    pub fn len(&self) -> usize {
        self.series
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Whether nothing has been recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("series", &self.len())
            .finish()
    }
}

/// The process-wide registry [`crate::metrics_collection`] records into.
pub fn global_registry() -> &'static Registry {
    static GLOBAL: OnceLock<Registry> = OnceLock::new();
    GLOBAL.get_or_init(Registry::new)
}

/// The values of every series at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetricsSnapshot {
    /// One entry per label set, sorted by labels.
    pub series: Vec<SeriesSnapshot>,
}

impl MetricsSnapshot {
    /// The series of one label set, if it was recorded.
    pub fn get(&self, endpoint: &str, method: HttpMethod, status: u16) -> Option<&SeriesSnapshot> {
        self.series
            .iter()
            .find(|s| s.labels.parts() == (endpoint, method, status))
    }

    /// How many requests were recorded in all.
    pub fn total_count(&self) -> u64 {
        self.series.iter().map(|s| s.count).sum()
    }
}

/// The values of one series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesSnapshot {
    /// Its labels.
    pub labels: Labels,
    /// Requests recorded.
    pub count: u64,
    /// Sum of their latencies, in nanoseconds (wraps after about 584 years of latency).
    pub latency_sum_ns: u64,
    /// Requests per latency bucket (not cumulative); see [`bucket_upper_bound_us`].
    pub buckets: [u64; LATENCY_BUCKETS],
}

impl SeriesSnapshot {
    /// The mean latency, if any request was recorded.
    pub fn mean_latency(&self) -> Option<Duration> {
        (self.count > 0).then(|| Duration::from_nanos(self.latency_sum_ns / self.count))
    }

    /// Requests at or under each bucket's upper bound (Prometheus `le` buckets).
    pub fn cumulative_buckets(&self) -> [u64; LATENCY_BUCKETS] {
        let mut total = 0;
        self.buckets.map(|n| {
            total += n;
            total
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn request(endpoint: &str, method: HttpMethod, status: u16, latency_us: u64) -> ApiRequest {
        ApiRequest {
            endpoint: endpoint.to_owned(),
            method,
            status,
            latency: Duration::from_micros(latency_us),
        }
    }

    #[test]
    fn buckets_are_powers_of_two_microseconds() {
        let at = |ns: u64| bucket_index(Duration::from_nanos(ns));
        assert_eq!((at(0), at(1), at(1000)), (0, 0, 0));
        assert_eq!((at(1001), at(2000)), (1, 1));
        assert_eq!((at(2001), at(4000), at(4001)), (2, 2, 3));
        assert_eq!(at(1_000_000), 10); // 1 ms <= 1024 µs
        assert_eq!(at((1 << 23) * 1000), FINITE_BUCKETS - 1);
        assert_eq!(at((1 << 23) * 1000 + 1), LATENCY_BUCKETS - 1);
        assert_eq!(bucket_index(Duration::MAX), LATENCY_BUCKETS - 1);
        assert_eq!(bucket_upper_bound_us(0), Some(1));
        assert_eq!(bucket_upper_bound_us(10), Some(1024));
        assert_eq!(bucket_upper_bound_us(FINITE_BUCKETS), None);
    }

    #[test]
    fn records_count_sum_and_buckets_per_label_set() {
        let registry = Registry::new();
        assert!(registry.is_empty());
        registry.record(&request("/mcp", HttpMethod::Post, 200, 3));
        registry.record(&request("/mcp", HttpMethod::Post, 200, 1500));
        registry.record(&request("/mcp", HttpMethod::Post, 500, 10));
        registry.record(&request("/health", HttpMethod::Get, 200, 1));
        assert_eq!(registry.len(), 3);

        let snapshot = registry.snapshot();
        assert_eq!(snapshot.total_count(), 4);
        let labels: Vec<_> = snapshot.series.iter().map(|s| s.labels.parts()).collect();
        assert_eq!(
            labels,
            [
                ("/health", HttpMethod::Get, 200),
                ("/mcp", HttpMethod::Post, 200),
                ("/mcp", HttpMethod::Post, 500)
            ]
        );
        let ok = snapshot.get("/mcp", HttpMethod::Post, 200).unwrap();
        assert_eq!((ok.count, ok.latency_sum_ns), (2, 1_503_000));
        assert_eq!(ok.buckets[2], 1); // 3 µs <= 4 µs
        assert_eq!(ok.buckets[11], 1); // 1500 µs <= 2048 µs
        assert_eq!(ok.buckets.iter().sum::<u64>(), 2);
        assert_eq!(ok.cumulative_buckets()[LATENCY_BUCKETS - 1], 2);
        assert_eq!(ok.cumulative_buckets()[2], 1);
        assert_eq!(
            ok.mean_latency(),
            Some(Duration::from_micros(751) + Duration::from_nanos(500))
        );
        assert_eq!(ok.labels.status_class(), 2);
        assert!(snapshot.get("/mcp", HttpMethod::Get, 200).is_none());
    }

    /// Count, latency sum and buckets of one series.
    type SeriesValues = (u64, u64, [u64; LATENCY_BUCKETS]);

    #[test]
    fn concurrent_recording_is_exact() {
        const THREADS: usize = 8;
        const CALLS: usize = 20_000;
        let requests = crate::payloads::sample_requests();
        let registry = Registry::new();
        std::thread::scope(|scope| {
            for thread in 0..THREADS {
                let (registry, requests) = (&registry, &requests);
                scope.spawn(move || {
                    for call in 0..CALLS {
                        registry.record(&requests[(thread * 7919 + call) % requests.len()]);
                    }
                });
            }
        });

        let mut expected: HashMap<(&str, HttpMethod, u16), SeriesValues> = HashMap::new();
        for thread in 0..THREADS {
            for call in 0..CALLS {
                let r = &requests[(thread * 7919 + call) % requests.len()];
                let entry = expected
                    .entry((r.endpoint.as_str(), r.method, r.status))
                    .or_insert((0, 0, [0; LATENCY_BUCKETS]));
                entry.0 += 1;
                entry.1 += duration_ns(r.latency);
                entry.2[bucket_index(r.latency)] += 1;
            }
        }

        let snapshot = registry.snapshot();
        assert_eq!(snapshot.total_count(), (THREADS * CALLS) as u64);
        assert_eq!(snapshot.series.len(), expected.len());
        for series in &snapshot.series {
            let (count, sum, buckets) = expected[&series.labels.parts()];
            assert_eq!(series.count, count, "{:?}", series.labels);
            assert_eq!(series.latency_sum_ns, sum, "{:?}", series.labels);
            assert_eq!(series.buckets, buckets, "{:?}", series.labels);
        }
    }

    #[test]
    fn metrics_collection_records_into_the_global_registry() {
        let req = request("/test/metrics_collection", HttpMethod::Delete, 204, 42);
        crate::metrics_collection(&req);
        crate::metrics_collection(&req);
        let snapshot = global_registry().snapshot();
        let series = snapshot
            .get("/test/metrics_collection", HttpMethod::Delete, 204)
            .unwrap();
        assert_eq!((series.count, series.latency_sum_ns), (2, 84_000));
    }
}
