//! The shared HTTP driver against a scripted server on loopback: it honours `Retry-After`,
//! retries server errors, gives up quickly on a refused connection, and stops on cancel.

#![allow(clippy::unwrap_used)] // a test should fail loudly at the first surprise

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use steward_connectors::ConnectorError;
use steward_connectors::driver::{HttpDriver, Pacer, default_verdict};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Serves the scripted raw responses in order (the last one forever); counts requests.
async fn scripted(responses: Vec<&'static str>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let served = count.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let n = served.fetch_add(1, Ordering::SeqCst);
            let response = responses[n.min(responses.len() - 1)];
            let mut buf = [0_u8; 4096];
            let _ = socket.read(&mut buf).await;
            let _ = socket.write_all(response.as_bytes()).await;
            let _ = socket.shutdown().await;
        }
    });
    (url, count)
}

const OK: &str = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
const LIMITED: &str = "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
const UNAVAILABLE: &str =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

fn driver(cancel: CancellationToken) -> HttpDriver {
    HttpDriver::new("Test CRM", Pacer::new(100, Duration::from_secs(1)), cancel)
        .unwrap()
        .with_min_backoff(Duration::from_millis(20))
}

#[tokio::test]
async fn a_429_waits_as_long_as_retry_after_says_then_succeeds() {
    let (url, count) = scripted(vec![LIMITED, OK]).await;
    let driver = driver(CancellationToken::new());
    let started = Instant::now();
    let reply = driver
        .send("reading", |c| c.get(&url), default_verdict)
        .await
        .unwrap();
    assert_eq!(reply.status.as_u16(), 200);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(count.load(Ordering::SeqCst), 2);
    assert_eq!(driver.calls(), 2);
}

#[tokio::test]
async fn server_errors_are_retried_with_backoff() {
    let (url, count) = scripted(vec![UNAVAILABLE, UNAVAILABLE, OK]).await;
    let reply = driver(CancellationToken::new())
        .send("reading", |c| c.get(&url), default_verdict)
        .await
        .unwrap();
    assert_eq!(reply.status.as_u16(), 200);
    assert_eq!(count.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_server_that_keeps_failing_is_reported_unreachable() {
    let (url, _) = scripted(vec![UNAVAILABLE]).await;
    let err = driver(CancellationToken::new())
        .send("reading", |c| c.get(&url), default_verdict)
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Unreachable { .. }), "{err}");
    assert!(err.to_string().contains("after 9 attempts"), "{err}");
}

#[tokio::test]
async fn a_refused_connection_gives_up_after_three_quick_attempts() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/?access_token=SECRET",
        closed.local_addr().unwrap()
    );
    drop(closed);
    let started = Instant::now();
    let err = driver(CancellationToken::new())
        .send("reading", |c| c.get(&url), default_verdict)
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    let message = err.to_string();
    assert!(message.contains("after 3 attempts"), "{message}");
    assert!(
        !message.contains("SECRET"),
        "errors never print the URL: {message}"
    );
}

#[tokio::test]
async fn cancel_stops_a_request_waiting_out_a_rate_limit() {
    let (url, _) = scripted(vec![
        "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 60\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    ])
    .await;
    let cancel = CancellationToken::new();
    let driver = driver(cancel.clone());
    let stop = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        stop.cancel();
    });
    let started = Instant::now();
    let err = driver
        .send("reading", |c| c.get(&url), default_verdict)
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Cancelled));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_server_that_always_says_retry_after_is_given_up_on() {
    let (url, count) = scripted(vec![
        "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    ])
    .await;
    let err = driver(CancellationToken::new())
        .send("reading", |c| c.get(&url), default_verdict)
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::RateLimited { .. }), "{err}");
    assert_eq!(count.load(Ordering::SeqCst), 9, "one try and eight retries");
}

#[tokio::test]
async fn a_malformed_body_is_reported_without_its_values() {
    let (url, _) = scripted(vec![
        "HTTP/1.1 200 OK\r\nContent-Length: 26\r\nConnection: close\r\n\r\n{\"email\": \"ana@acme.test\"}",
    ])
    .await;
    let reply = driver(CancellationToken::new())
        .send("reading", |c| c.get(&url), default_verdict)
        .await
        .unwrap();
    let err = reply
        .json::<std::collections::BTreeMap<String, u64>>("Test CRM", "a record")
        .unwrap_err()
        .to_string();
    assert!(err.contains("unexpected JSON shape at line 1"), "{err}");
    assert!(!err.contains("ana@acme.test"), "{err}");
}
