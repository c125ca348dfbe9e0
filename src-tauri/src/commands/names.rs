/// The app's IPC commands. Shared by build.rs (permissions) and a test that checks the
/// capability file grants each one.
pub const COMMANDS: &[&str] = &[
    "workspace_info",
    "list_systems",
    "add_system",
    "remove_system",
    "audit_page",
    "verify_audit_log",
    "inventory",
    "export_inventory_csv",
    "sync_systems",
    "cancel_sync",
    "duplicates",
    "duplicate_cluster",
    "find_duplicates",
    "cancel_duplicates",
];
