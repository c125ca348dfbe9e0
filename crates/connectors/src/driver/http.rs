//! Sends requests for a connector: paced, retried with exponential backoff (honouring
//! `Retry-After`), cancellable, and counted.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use reqwest::header::HeaderMap;
use reqwest::{RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use tokio_util::sync::CancellationToken;

use super::pacer::Pacer;
use crate::error::ConnectorError;

/// A finished HTTP exchange.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json<T: DeserializeOwned>(&self, system: &str, what: &str) -> Result<T, ConnectorError> {
        serde_json::from_slice(&self.body).map_err(|e| ConnectorError::Protocol {
            system: system.to_owned(),
            what: what.to_owned(),
            // serde's own message can quote the offending value: keep only where and what kind.
            reason: format!(
                "{} at line {} column {}",
                match e.classify() {
                    serde_json::error::Category::Io => "unreadable body",
                    serde_json::error::Category::Syntax => "not valid JSON",
                    serde_json::error::Category::Data => "unexpected JSON shape",
                    serde_json::error::Category::Eof => "truncated JSON",
                },
                e.line(),
                e.column()
            ),
        })
    }

    /// The `Retry-After` header in seconds, if present (the HTTP-date form is rare from
    /// APIs and is treated as absent).
    pub fn retry_after(&self) -> Option<Duration> {
        let text = self.headers.get("retry-after")?.to_str().ok()?;
        let secs: f64 = text.trim().parse().ok()?;
        (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(600.0)))
    }
}

/// How a connector judges a reply the server sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Final: hand it to the caller (success or an error it will report).
    Done,
    /// The rate limit was hit; wait this long if the server said, else back off.
    RateLimited(Option<Duration>),
    /// Worth trying again (a 5xx, a gateway hiccup).
    Transient,
}

/// The default judgement: 429 is a rate limit, 500/502/503/504 are transient.
pub fn default_verdict(reply: &Reply) -> Verdict {
    match reply.status.as_u16() {
        429 => Verdict::RateLimited(reply.retry_after()),
        500 | 502 | 503 | 504 => Verdict::Transient,
        _ => Verdict::Done,
    }
}

/// Header names under which a server announces its limit (HubSpot's
/// `X-HubSpot-RateLimit-Max` / `-Remaining` / `-Interval-Milliseconds`).
#[derive(Debug, Clone, Copy)]
pub struct RateHeaders {
    pub max: &'static str,
    pub remaining: &'static str,
    pub interval_ms: &'static str,
}

#[derive(Debug)]
enum Failure {
    RateLimited(Option<Duration>),
    Transient(String),
    /// Nothing listens at the address: retried briefly (a restarting server), not for
    /// the full backoff a busy one gets.
    Refused(String),
    Fatal(ConnectorError),
}

/// Attempts at a connection that is refused outright before giving up.
const REFUSED_ATTEMPTS: u32 = 3;

pub struct HttpDriver {
    client: reqwest::Client,
    system: String,
    pacer: Pacer,
    rate_headers: Option<RateHeaders>,
    cancel: CancellationToken,
    calls: AtomicU64,
    max_attempts: u32,
    min_backoff: Duration,
}

impl HttpDriver {
    pub fn new(
        system: &str,
        pacer: Pacer,
        cancel: CancellationToken,
    ) -> Result<Self, ConnectorError> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("steward/", env!("CARGO_PKG_VERSION")))
            .timeout(Duration::from_secs(60))
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| ConnectorError::config(format!("HTTP client: {e}")))?;
        Ok(Self {
            client,
            system: system.to_owned(),
            pacer,
            rate_headers: None,
            cancel,
            calls: AtomicU64::new(0),
            max_attempts: 8,
            min_backoff: Duration::from_millis(250),
        })
    }

    pub fn with_rate_headers(mut self, headers: RateHeaders) -> Self {
        self.rate_headers = Some(headers);
        self
    }

    /// Shorter backoff for tests that inject many faults.
    pub fn with_min_backoff(mut self, min: Duration) -> Self {
        self.min_backoff = min;
        self
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    pub fn system(&self) -> &str {
        &self.system
    }

    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    pub fn pacer(&self) -> &Pacer {
        &self.pacer
    }

    /// Sends the request `make` builds (once per attempt) until `judge` accepts a reply or
    /// the retries run out. `what` names the call in errors ("listing contacts").
    pub async fn send(
        &self,
        what: &str,
        make: impl Fn(&reqwest::Client) -> RequestBuilder,
        judge: impl Fn(&Reply) -> Verdict,
    ) -> Result<Reply, ConnectorError> {
        self.send_with(what, make, judge, true).await
    }

    /// For a call that must not happen twice (a merge): retried only when the server
    /// certainly did nothing (a 429, a refused connection). A dropped answer, a timeout or
    /// a 5xx comes back as an error, and the caller asks the server what happened.
    pub async fn send_once(
        &self,
        what: &str,
        make: impl Fn(&reqwest::Client) -> RequestBuilder,
        judge: impl Fn(&Reply) -> Verdict,
    ) -> Result<Reply, ConnectorError> {
        self.send_with(what, make, judge, false).await
    }

    async fn send_with(
        &self,
        what: &str,
        make: impl Fn(&reqwest::Client) -> RequestBuilder,
        judge: impl Fn(&Reply) -> Verdict,
        idempotent: bool,
    ) -> Result<Reply, ConnectorError> {
        let backoff = ExponentialBuilder::default()
            .with_min_delay(self.min_backoff)
            .with_max_delay(Duration::from_secs(30))
            .with_max_times(self.max_attempts as usize)
            .with_jitter();
        let attempt = || async {
            if !self.pacer.acquire(&self.cancel).await {
                return Err(Failure::Fatal(ConnectorError::Cancelled));
            }
            self.calls.fetch_add(1, Ordering::Relaxed);
            let response = match make(&self.client).send().await {
                Ok(r) => r,
                Err(e) if e.is_builder() => {
                    return Err(Failure::Fatal(ConnectorError::config(format!(
                        "{what}: {}",
                        without_url(&e)
                    ))));
                }
                Err(e) if e.is_connect() => return Err(Failure::Refused(without_url(&e))),
                Err(e) => return Err(Failure::Transient(without_url(&e))),
            };
            let status = response.status();
            let headers = response.headers().clone();
            let body = match response.bytes().await {
                Ok(b) => b.to_vec(),
                Err(e) => return Err(Failure::Transient(without_url(&e))),
            };
            let reply = Reply {
                status,
                headers,
                body,
            };
            self.observe_limits(&reply);
            match judge(&reply) {
                Verdict::Done => Ok(reply),
                Verdict::RateLimited(wait) => {
                    if let Some(wait) = wait {
                        self.pacer.pause(wait);
                    }
                    tracing::debug!(system = %self.system, %what, status = status.as_u16(), "rate limited");
                    Err(Failure::RateLimited(wait))
                }
                Verdict::Transient => Err(Failure::Transient(format!("HTTP {status}"))),
            }
        };
        let refused = std::sync::atomic::AtomicU32::new(0);
        let retried = attempt
            .retry(backoff)
            .when(|f| match f {
                Failure::Fatal(_) => false,
                Failure::Transient(_) if !idempotent => false,
                Failure::Refused(_) => refused.fetch_add(1, Ordering::Relaxed) + 1 < REFUSED_ATTEMPTS,
                _ => true,
            })
            // A server that says how long to wait is believed (the pacer is paused too), but
            // only while attempts remain: backon stops when `delay` is `None`.
            .adjust(|f, delay| match f {
                Failure::RateLimited(Some(wait)) => delay.map(|_| *wait),
                _ => delay,
            })
            .notify(|f, delay| {
                tracing::debug!(system = %self.system, %what, ?delay, failure = ?kind(f), "retrying");
            });
        let outcome = tokio::select! {
            () = self.cancel.cancelled() => return Err(ConnectorError::Cancelled),
            outcome = retried => outcome,
        };
        outcome.map_err(|f| match f {
            Failure::Fatal(e) => e,
            Failure::RateLimited(_) => ConnectorError::RateLimited {
                system: self.system.clone(),
                attempts: self.max_attempts + 1,
            },
            Failure::Transient(reason) if !idempotent => ConnectorError::Unreachable {
                system: self.system.clone(),
                reason: format!("{what}: {reason} (not retried: it may have been done)"),
            },
            Failure::Transient(reason) => ConnectorError::Unreachable {
                system: self.system.clone(),
                reason: format!("{what}: {reason}, after {} attempts", self.max_attempts + 1),
            },
            Failure::Refused(reason) => ConnectorError::Unreachable {
                system: self.system.clone(),
                reason: format!("{what}: {reason}, after {REFUSED_ATTEMPTS} attempts"),
            },
        })
    }

    fn observe_limits(&self, reply: &Reply) {
        let Some(names) = self.rate_headers else {
            return;
        };
        let number = |name: &str| -> Option<u64> {
            reply.headers.get(name)?.to_str().ok()?.trim().parse().ok()
        };
        let as_usize = |n: u64| usize::try_from(n).ok();
        self.pacer.observe(
            number(names.max).and_then(as_usize),
            number(names.interval_ms).map(Duration::from_millis),
            number(names.remaining).and_then(as_usize),
        );
    }
}

fn kind(f: &Failure) -> &'static str {
    match f {
        Failure::RateLimited(_) => "rate limited",
        Failure::Transient(_) => "transient",
        Failure::Refused(_) => "refused",
        Failure::Fatal(_) => "fatal",
    }
}

/// reqwest's errors print the URL, which may carry a token in its query (Marketo's
/// `access_token`): keep only the kind of failure.
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "the response body broke off"
    } else if e.is_request() {
        "the request failed"
    } else {
        "HTTP error"
    };
    kind.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_read_in_seconds() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", "2".parse().unwrap());
        let reply = Reply {
            status: StatusCode::TOO_MANY_REQUESTS,
            headers,
            body: Vec::new(),
        };
        assert_eq!(reply.retry_after(), Some(Duration::from_secs(2)));
        assert_eq!(
            default_verdict(&reply),
            Verdict::RateLimited(Some(Duration::from_secs(2)))
        );
    }
}
