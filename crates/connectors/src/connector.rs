//! The one trait every system's connector implements, and what it is built from.

use std::collections::BTreeMap;

use async_trait::async_trait;
use steward_domain::{ObjectType, Timestamp};
use tokio_util::sync::CancellationToken;

use crate::error::ConnectorError;
use crate::model::{Crosswalk, Page, ReadRequest, SourceField};

/// Receives pages as a read produces them, so a 1M-record read never sits in memory.
/// An error stops the read; it comes back from [`Connector::read`] as
/// [`ConnectorError::Sink`].
pub trait PageSink: Send {
    fn accept(&mut self, object: ObjectType, page: Page) -> Result<(), String>;
}

/// A connected system. Few required methods; paging, pacing and retries live in the shared
/// driver ([`crate::driver`]), not here.
#[async_trait]
pub trait Connector: Send + Sync {
    /// The objects this system holds, in the order a sync reads them.
    fn objects(&self) -> Vec<ObjectType>;

    /// Fields in which this system keeps the hub's ids.
    fn crosswalks(&self) -> Vec<Crosswalk> {
        Vec::new()
    }

    /// Whether [`ReadRequest::since`] narrows a read (files are always read whole).
    fn incremental(&self) -> bool {
        false
    }

    /// API calls made so far through this connector (0 for files and databases).
    fn api_calls(&self) -> u64 {
        0
    }

    /// A cheap call that proves the system answers and accepts the credential.
    async fn healthcheck(&self) -> Result<(), ConnectorError>;

    /// The fields of one object as the system names and types them.
    async fn describe(&self, object: ObjectType) -> Result<Vec<SourceField>, ConnectorError>;

    /// How many records a read would return, when the system can say cheaply (for progress).
    async fn count(
        &self,
        _object: ObjectType,
        _since: Option<Timestamp>,
    ) -> Result<Option<u64>, ConnectorError> {
        Ok(None)
    }

    /// Reads one object, page by page into `sink`.
    async fn read(
        &self,
        object: ObjectType,
        request: &ReadRequest,
        sink: &mut dyn PageSink,
    ) -> Result<(), ConnectorError>;

    /// Whether `write_values` can change this system's records.
    fn writable(&self) -> bool {
        false
    }

    /// One record's current values of `fields` (under the system's own names; an empty
    /// field is absent). `None` when the system has no such record.
    async fn read_values(
        &self,
        _object: ObjectType,
        _external_id: &str,
        _fields: &[String],
    ) -> Result<Option<BTreeMap<String, String>>, ConnectorError> {
        Err(ConnectorError::ReadOnly)
    }

    /// The merge API, for a CRM that has one.
    fn merger(&self) -> Option<&dyn Merger> {
        None
    }

    /// Test-record calls for write-back probes, for a system that takes them.
    fn prober(&self) -> Option<&dyn Prober> {
        None
    }

    /// Writes `values` (system field → value) into one record.
    async fn write_values(
        &self,
        _object: ObjectType,
        _external_id: &str,
        _values: &BTreeMap<String, String>,
    ) -> Result<(), ConnectorError> {
        Err(ConnectorError::ReadOnly)
    }
}

/// What every connector is given besides its own settings.
#[derive(Debug, Clone)]
pub struct Context {
    /// The workspace's id of the system, stamped on every record key.
    pub system_id: i64,
    /// The system's display name, for messages.
    pub system_name: String,
    pub cancel: CancellationToken,
}

impl Context {
    pub fn check_cancelled(&self) -> Result<(), ConnectorError> {
        if self.cancel.is_cancelled() {
            Err(ConnectorError::Cancelled)
        } else {
            Ok(())
        }
    }
}

/// Hands a page to the sink, turning its refusal into a connector error.
pub(crate) fn deliver(
    sink: &mut dyn PageSink,
    object: ObjectType,
    page: Page,
) -> Result<(), ConnectorError> {
    sink.accept(object, page).map_err(ConnectorError::Sink)
}

/// A record's full state before a merge: every property (current value and history),
/// associations by object, and the ids already merged into it. Stored as the backup a
/// restore recreates the record from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RecordBackup {
    pub id: String,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub properties: BTreeMap<String, String>,
    /// Property → versions, newest first, as the API gives them.
    #[serde(default)]
    pub history: BTreeMap<String, Vec<BackupVersion>>,
    /// Associated object type (`companies`) → ids.
    #[serde(default)]
    pub associations: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub merged_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BackupVersion {
    pub value: String,
    pub at: Option<String>,
    pub source: Option<String>,
}

/// Where a record id stands in the CRM now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Whereabouts {
    /// A live record under this id.
    Live,
    /// Merged: the id answers with this record.
    MergedInto(String),
    /// Not there (archived or deleted).
    Gone,
}

/// A CRM that merges records through its API. Merges are irreversible: callers back up
/// first, journal each call and settle an unanswered one with [`Merger::whereabouts`].
#[async_trait]
pub trait Merger: Send + Sync {
    fn merge_api(&self) -> steward_domain::MergeApi;

    /// The full state of each live record in `ids` (those not live are left out; a record
    /// answered under another id is left out too: it was merged elsewhere).
    async fn backup_records(
        &self,
        object: ObjectType,
        ids: &[String],
    ) -> Result<Vec<RecordBackup>, ConnectorError>;

    /// One merge call: `absorbed` (within the API's per-call limit) into `survivor`.
    /// Never retried after the request may have reached the server. Returns the id the CRM
    /// answered with (the record that holds the merge), when it says.
    async fn merge(
        &self,
        object: ObjectType,
        survivor: &str,
        absorbed: &[String],
    ) -> Result<Option<String>, ConnectorError>;

    async fn whereabouts(
        &self,
        object: ObjectType,
        id: &str,
    ) -> Result<Whereabouts, ConnectorError>;

    /// Writes values into several records; per input, the reason it was refused (`None`:
    /// written).
    async fn write_many(
        &self,
        object: ObjectType,
        writes: &[(String, BTreeMap<String, String>)],
    ) -> Result<Vec<Option<String>>, ConnectorError>;

    /// Each enumeration property's allowed values (properties without a fixed list are
    /// left out): surviving values are checked before the irreversible merge, not after.
    async fn property_options(
        &self,
        object: ObjectType,
    ) -> Result<BTreeMap<String, Vec<String>>, ConnectorError>;

    /// Ids of records created at or after `since_ms` whose properties equal `equal_to`: how
    /// a restore interrupted after its create call finds the record it made.
    async fn find_created(
        &self,
        object: ObjectType,
        equal_to: &BTreeMap<String, String>,
        since_ms: i64,
    ) -> Result<Vec<String>, ConnectorError>;

    /// Creates a new record from a backup's writable properties (leaving out `leave_out`)
    /// with its associations; returns the new id.
    async fn recreate(
        &self,
        object: ObjectType,
        backup: &RecordBackup,
        leave_out: &std::collections::BTreeSet<String>,
    ) -> Result<String, ConnectorError>;
}

/// What a write-back probe needs of a system besides `read_values`/`write_values`: creating,
/// finding and deleting its own tagged test person.
#[async_trait]
pub trait Prober: Send + Sync {
    /// Creates a test person holding `values` (the system's own field names); its id.
    async fn create_test_person(
        &self,
        values: &BTreeMap<String, String>,
    ) -> Result<String, ConnectorError>;

    /// Ids of the people whose `field` equals `value` exactly.
    async fn find_people(&self, field: &str, value: &str) -> Result<Vec<String>, ConnectorError>;

    /// Deletes a test person; `false` when it was not there.
    async fn delete_person(&self, id: &str) -> Result<bool, ConnectorError>;
}
