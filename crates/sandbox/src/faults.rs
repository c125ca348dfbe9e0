//! Fault injection for the sandbox's HTTP servers: a share of requests answered with a 429, a
//! 5xx, slowly, with the connection dropped mid-answer, or carried out and then their answer
//! lost (the client cannot tell whether a write happened). Drawn from a seeded generator, so
//! a test that sets a rate sees the same faults on every run.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::seed::rng::Rng;

/// Percentages (0–100) of requests that get each fault.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultRates {
    pub too_many_requests: u8,
    pub server_error: u8,
    pub slow: u8,
    pub dropped: u8,
    /// Carried out, then the answer is lost on the way back.
    pub lost_reply: u8,
    pub slow_by: Duration,
}

impl FaultRates {
    pub fn none() -> Self {
        Self::default()
    }

    pub fn validate(&self) -> Result<(), String> {
        let total = u16::from(self.too_many_requests)
            + u16::from(self.server_error)
            + u16::from(self.slow)
            + u16::from(self.dropped)
            + u16::from(self.lost_reply);
        if total > 100 {
            return Err(format!("fault rates add up to {total}%; at most 100%"));
        }
        Ok(())
    }
}

/// How a system says "too many requests" in its own dialect.
#[derive(Debug, Clone, Copy)]
pub enum Dialect {
    HubSpot,
    Marketo,
}

pub struct Faults {
    rates: FaultRates,
    dialect: Dialect,
    rng: Mutex<Rng>,
    /// Counts a fault in the server's stats.
    on_fault: Box<dyn Fn() + Send + Sync>,
}

enum Fault {
    TooMany,
    ServerError,
    Slow,
    Dropped,
    LostReply,
}

impl Faults {
    pub fn new(
        rates: FaultRates,
        dialect: Dialect,
        seed: u64,
        on_fault: impl Fn() + Send + Sync + 'static,
    ) -> Arc<Self> {
        Arc::new(Self {
            rates,
            dialect,
            rng: Mutex::new(Rng::new(seed ^ 0xFA17)),
            on_fault: Box::new(on_fault),
        })
    }

    fn draw(&self) -> Option<Fault> {
        let roll = self.rng.lock().map(|mut r| r.below(100)).unwrap_or(100);
        let mut edge = 0;
        for (rate, fault) in [
            (self.rates.too_many_requests, Fault::TooMany),
            (self.rates.server_error, Fault::ServerError),
            (self.rates.slow, Fault::Slow),
            (self.rates.dropped, Fault::Dropped),
            (self.rates.lost_reply, Fault::LostReply),
        ] {
            edge += u64::from(rate);
            if roll < edge {
                return Some(fault);
            }
        }
        None
    }
}

/// The middleware. `/_sandbox/*` is never faulted: observers must always see the truth.
pub async fn inject(State(faults): State<Arc<Faults>>, request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/_sandbox/") {
        return next.run(request).await;
    }
    let Some(fault) = faults.draw() else {
        return next.run(request).await;
    };
    (faults.on_fault)();
    match fault {
        Fault::Slow => {
            tokio::time::sleep(faults.rates.slow_by).await;
            next.run(request).await
        }
        Fault::TooMany => match faults.dialect {
            Dialect::HubSpot => {
                let mut response = (
                    StatusCode::TOO_MANY_REQUESTS,
                    axum::Json(json!({"status": "error", "message": "You have reached your ten_secondly_rolling limit.", "errorType": "RATE_LIMIT", "correlationId": "fault-injected", "policyName": "TEN_SECONDLY_ROLLING"})),
                )
                    .into_response();
                response.headers_mut().insert("retry-after", HeaderValue::from_static("1"));
                response
            }
            Dialect::Marketo => axum::Json(json!({"requestId": "fault#injected", "success": false, "errors": [{"code": "606", "message": "Max rate limit '100' exceeded with in '20' secs"}]})).into_response(),
        },
        Fault::ServerError => (StatusCode::BAD_GATEWAY, "<html><body><h1>502 Bad Gateway</h1></body></html>").into_response(),
        Fault::Dropped => broken_answer(),
        Fault::LostReply => {
            // The server does the work; only the answer is lost.
            let _done = next.run(request).await;
            broken_answer()
        }
    }
}

/// Headers go out, then the body fails: the client sees the connection close before the
/// message completes.
fn broken_answer() -> Response {
    let broken = futures_util::stream::once(async {
        Err::<axum::body::Bytes, std::io::Error>(std::io::Error::other(
            "fault injected: connection dropped",
        ))
    });
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "application/json")
        .header("content-length", "1024")
        .body(Body::from_stream(broken))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}
