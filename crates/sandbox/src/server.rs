//! Starting the sandbox's servers on loopback.

use std::net::SocketAddr;

use serde::Serialize;
use tokio::net::TcpListener;

use crate::hubspot::{self, Crm, CrmServer, rate_limit::Tier};
use crate::seed::{self, Manifest};

/// How to start the sandbox.
#[derive(Debug, Clone)]
pub struct Config {
    pub seed: u64,
    pub size: usize,
    /// 0 picks a free port.
    pub port: u16,
    pub tier: Tier,
}

/// Where each running system is, as `steward sandbox serve` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct Endpoints {
    pub crm: Endpoint,
}

#[derive(Debug, Clone, Serialize)]
pub struct Endpoint {
    pub kind: &'static str,
    pub base_url: String,
    /// A sandbox-only token, derived from the seed; it opens nothing outside this machine.
    pub token: String,
}

pub struct Running {
    pub endpoints: Endpoints,
    pub manifest: Manifest,
    pub crm: std::sync::Arc<CrmServer>,
    pub addr: SocketAddr,
}

/// The sandbox's token for a seed: stable, so a demo workspace keeps working across restarts.
pub fn token_for(seed: u64) -> String {
    let mut rng = seed::rng::Rng::new(seed ^ 0x5EED_70CE);
    format!("pat-sandbox-{:016x}{:016x}", rng.next_u64(), rng.next_u64())
}

/// Generates the world, binds 127.0.0.1 and serves until the runtime stops.
pub async fn start(config: &Config) -> std::io::Result<Running> {
    let world = seed::generate(config.seed, config.size);
    let crm = CrmServer::new(Crm::from_world(&world), token_for(config.seed), config.tier);
    let listener = TcpListener::bind(("127.0.0.1", config.port)).await?;
    let addr = listener.local_addr()?;
    let app = hubspot::router(crm.clone());
    tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, app).await {
            tracing::error!(error = %err, "the sandbox CRM stopped");
        }
    });
    Ok(Running {
        endpoints: Endpoints {
            crm: Endpoint {
                kind: "hubspot",
                base_url: format!("http://{addr}"),
                token: token_for(config.seed),
            },
        },
        manifest: world.manifest,
        crm,
        addr,
    })
}
