//! Starting the sandbox company on loopback: the CRM, the MAP and the bridge between them,
//! and the file spokes written to a folder.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use tokio::net::TcpListener;

use crate::bridge::{self, BridgeConfig};
use crate::faults::{self, Dialect, FaultRates, Faults};
use crate::files::{self, FilePaths};
use crate::hubspot::{self, Crm, CrmServer, rate_limit::Tier};
use crate::map::{self, Leads, MapServer};
use crate::seed::{self, Manifest};

/// How to start the sandbox.
#[derive(Debug, Clone)]
pub struct Config {
    pub seed: u64,
    pub size: usize,
    /// The CRM's port; the MAP listens on the next one. 0 picks free ports.
    pub port: u16,
    pub tier: Tier,
    /// Where the file spokes (CSV, XLSX, portal database) are written.
    pub dir: PathBuf,
    pub bridge: BridgeConfig,
    pub faults: FaultRates,
}

impl Config {
    /// Free ports, the Pro rate tier, the default bridge and no faults.
    pub fn with_defaults(seed: u64, size: usize, dir: PathBuf) -> Self {
        Self {
            seed,
            size,
            port: 0,
            tier: Tier::Pro,
            dir,
            bridge: BridgeConfig::default(),
            faults: FaultRates::none(),
        }
    }
}

/// Where each running system is, as `steward sandbox serve` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct Endpoints {
    pub crm: HttpEndpoint,
    pub map: MapEndpoint,
    pub files: FilePaths,
}

#[derive(Debug, Clone, Serialize)]
pub struct HttpEndpoint {
    pub kind: &'static str,
    pub base_url: String,
    /// A sandbox-only token, derived from the seed; it opens nothing outside this machine.
    pub token: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MapEndpoint {
    pub kind: &'static str,
    pub base_url: String,
    pub client_id: String,
    /// Sandbox-only, derived from the seed.
    pub client_secret: String,
}

pub struct Running {
    pub endpoints: Endpoints,
    pub manifest: Manifest,
    pub crm: Arc<CrmServer>,
    pub map: Arc<MapServer>,
    pub addr: SocketAddr,
}

fn derived(seed: u64, salt: u64, prefix: &str) -> String {
    let mut rng = seed::rng::Rng::new(seed ^ salt);
    format!("{prefix}{:016x}{:016x}", rng.next_u64(), rng.next_u64())
}

/// The CRM's token for a seed: stable, so a demo workspace keeps working across restarts.
pub fn token_for(seed: u64) -> String {
    derived(seed, 0x5EED_70CE, "pat-sandbox-")
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("could not listen on 127.0.0.1:{port}: {source}")]
    Bind { port: u16, source: std::io::Error },
    #[error(transparent)]
    Files(#[from] files::FileError),
}

async fn bind(port: u16) -> Result<TcpListener, StartError> {
    TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|source| StartError::Bind { port, source })
}

/// Generates the world, writes the file spokes, binds 127.0.0.1 and serves until the
/// runtime stops.
pub async fn start(config: &Config) -> Result<Running, StartError> {
    let world = seed::generate(config.seed, config.size);
    let paths = files::write_all(&world.spokes, &config.dir)?;
    let seed::World {
        contacts,
        companies,
        spokes,
        manifest,
    } = world;
    let crm = CrmServer::new(
        Crm::from_seed(companies, contacts),
        token_for(config.seed),
        config.tier,
    );
    let map = MapServer::new(
        Leads::from_seed(spokes.map_leads),
        "steward-sandbox".into(),
        derived(config.seed, 0x3A9, "map-secret-"),
    );

    let crm_listener = bind(config.port).await?;
    let map_listener = bind(if config.port == 0 {
        0
    } else {
        config.port.saturating_add(1)
    })
    .await?;
    let addr = crm_listener
        .local_addr()
        .map_err(|source| StartError::Bind {
            port: config.port,
            source,
        })?;
    let map_addr = map_listener
        .local_addr()
        .map_err(|source| StartError::Bind {
            port: config.port,
            source,
        })?;
    let crm_faults = {
        let crm = crm.clone();
        Faults::new(config.faults, Dialect::HubSpot, config.seed, move || {
            crm.stats.update(|s| s.faults_injected += 1)
        })
    };
    let map_faults = {
        let map = map.clone();
        Faults::new(
            config.faults,
            Dialect::Marketo,
            config.seed ^ 1,
            move || map.stats.update(|s| s.faults_injected += 1),
        )
    };
    let crm_app = hubspot::router(crm.clone()).layer(axum::middleware::from_fn_with_state(
        crm_faults,
        faults::inject,
    ));
    let map_app = map::router(map.clone()).layer(axum::middleware::from_fn_with_state(
        map_faults,
        faults::inject,
    ));
    for (listener, app, name) in [
        (crm_listener, crm_app, "CRM"),
        (map_listener, map_app, "MAP"),
    ] {
        tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, app).await {
                tracing::error!(error = %err, system = name, "a sandbox server stopped");
            }
        });
    }
    bridge::spawn(crm.clone(), map.clone(), config.bridge);

    let mut manifest = manifest;
    manifest.bridge = Some(bridge::describe(&config.bridge));
    Ok(Running {
        endpoints: Endpoints {
            crm: HttpEndpoint {
                kind: "hubspot",
                base_url: format!("http://{addr}"),
                token: token_for(config.seed),
            },
            map: MapEndpoint {
                kind: "marketing",
                base_url: format!("http://{map_addr}"),
                client_id: "steward-sandbox".into(),
                client_secret: derived(config.seed, 0x3A9, "map-secret-"),
            },
            files: paths,
        },
        manifest,
        crm,
        map,
        addr,
    })
}
