//! The TypeScript types of the UI's IPC contract, generated from the DTOs. The committed copy
//! is `ui/src/lib/ipc/bindings.ts`; a test fails when it is stale.

use std::fmt::Write;

use steward_domain::{Lifecycle, Population, Role, SystemKind};
use ts_rs::{Config, TS};

use crate::activity::{AuditEntryView, AuditPage, AuditVerification};
use crate::error::{AppError, ErrorCode};
use crate::systems::{AddSystemRequest, CredentialState, RemoveReport, SystemView};
use crate::workspace::WorkspaceInfo;

fn string_union(out: &mut String, name: &str, values: impl Iterator<Item = &'static str>) {
    let values: Vec<String> = values.map(|v| format!("\"{v}\"")).collect();
    let _ = writeln!(out, "export type {name} = {};\n", values.join(" | "));
    let _ = writeln!(out, "export const {}: readonly {name}[] = [{}];\n", all_name(name), values.join(", "));
}

/// `SystemKind` → `SYSTEM_KINDS`, so the UI's pickers list exactly what the backend accepts.
fn all_name(name: &str) -> String {
    let mut snake = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            snake.push('_');
        }
        snake.push(c.to_ascii_uppercase());
    }
    format!("{snake}S")
}

/// The whole `bindings.ts` file.
pub fn typescript_bindings() -> String {
    let cfg = Config::new().with_large_int("number");
    let mut out = String::from(
        "// Generated from crates/app by `UPDATE_BINDINGS=1 cargo test -p steward-app --test bindings`.\n\
         // Do not edit by hand: a test fails when this file is stale.\n\n",
    );
    string_union(&mut out, "SystemKind", SystemKind::ALL.iter().map(|k| k.as_str()));
    string_union(&mut out, "Role", Role::ALL.iter().map(|k| k.as_str()));
    string_union(&mut out, "Lifecycle", Lifecycle::ALL.iter().map(|k| k.as_str()));
    string_union(&mut out, "Population", Population::ALL.iter().map(|k| k.as_str()));
    for decl in [
        ErrorCode::decl(&cfg),
        AppError::decl(&cfg),
        WorkspaceInfo::decl(&cfg),
        CredentialState::decl(&cfg),
        SystemView::decl(&cfg),
        AddSystemRequest::decl(&cfg),
        RemoveReport::decl(&cfg),
        AuditEntryView::decl(&cfg),
        AuditPage::decl(&cfg),
        AuditVerification::decl(&cfg),
    ] {
        let _ = writeln!(out, "export {decl}\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}
