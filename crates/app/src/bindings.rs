//! The TypeScript types of the UI's IPC contract, generated from the DTOs. The committed copy
//! is `ui/src/lib/ipc/bindings.ts`; a test fails when it is stale.

use std::fmt::Write;

use steward_domain::{CredentialKind, Lifecycle, Population, Role, SystemKind, Transport};
use ts_rs::{Config, TS};

use crate::activity::{AuditEntryView, AuditPage, AuditVerification};
use crate::audit::{AuditOverview, AuditRunView, PartView, RequirementView};
use crate::deprecation::{DeprecationView, ExportReport, RecordRefView};
use crate::drift::{
    DriftOverview, DriftProgress, DriftRunView, FindingPage, FindingQuery, FindingView, FixView,
    KindCount, KindTotal, SegmentCountView, TrendPoint,
};
use crate::duplicates::{
    ClusterDetail, ClusterSummary, DuplicatesProgress, DuplicatesView, EvidenceView, LinkView,
    MatchRunView, MemberValue, MemberView,
};
use crate::erasure::{ErasureInput, ErasurePreview, ErasureSystemView, ErasureView};
use crate::error::{AppError, ErrorCode};
use crate::fixes::{FixProgress, FixRecordView, FixReport, FixRequest};
use crate::governance::{
    AlertView, ChecklistItemView, GovernanceView, OnboardingView, PermissionView, RoleView,
    SignOffRequest, SignOffView,
};
use crate::inventory::{FieldInventory, InventoryView, ObjectInventory, SyncView, SystemInventory};
use crate::merge::{
    ApproveRequest, DecisionReport, ExecuteReport, ExecuteRequest, GoldenCandidate, GoldenField,
    MergeAssociationView, MergeBackupView, MergeMemberView, MergePolicyView, MergeProgress,
    MergeStepView, ProposalDetail, ProposalSummary, ProposeReport, QueueQuery, QueueView,
    RestoreReport,
};
use crate::probes::{LegView, ProbeProgress, ProbeRequest, ProbeRunView, ProbeView};
use crate::rules::{
    AuthorityRuleView, MappingSuggestion, MappingView, RuleVersionView, RulesView,
    SegmentConditionView, SegmentDefinitionView, StatusModelView, StatusSystemView,
    StatusValueView,
};
use crate::sync::{ProblemView, SyncChoice, SyncProgress, SyncReport};
use crate::systems::{AddSystemRequest, CredentialState, RemoveReport, SystemView};
use crate::workspace::WorkspaceInfo;

fn string_union(out: &mut String, name: &str, values: impl Iterator<Item = &'static str>) {
    let values: Vec<String> = values.map(|v| format!("\"{v}\"")).collect();
    let _ = writeln!(out, "export type {name} = {};\n", values.join(" | "));
    let _ = writeln!(
        out,
        "export const {}: readonly {name}[] = [{}];\n",
        all_name(name),
        values.join(", ")
    );
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

/// What the Add form needs to know per kind, straight from the domain's rules.
fn kind_info(out: &mut String) {
    out.push_str(
        "export type KindInfo = { transport: \"http\" | \"file\" | \"database\", credential: \"none\" | \"access_token\" | \"api_token\" | \"database_password\", canBeHub: boolean };\n\n",
    );
    out.push_str("export const KIND_INFO: Record<SystemKind, KindInfo> = {\n");
    for kind in SystemKind::ALL {
        let transport = match kind.transport() {
            Transport::Http => "http",
            Transport::File => "file",
            Transport::Database => "database",
        };
        let credential = match kind.credential() {
            CredentialKind::None => "none",
            CredentialKind::AccessToken => "access_token",
            CredentialKind::ApiToken => "api_token",
            CredentialKind::DatabasePassword => "database_password",
        };
        let _ = writeln!(
            out,
            "  {kind}: {{ transport: \"{transport}\", credential: \"{credential}\", canBeHub: {} }},",
            kind.can_be_hub()
        );
    }
    out.push_str("};\n\n");
}

/// The whole `bindings.ts` file.
pub fn typescript_bindings() -> String {
    let cfg = Config::new().with_large_int("number");
    let mut out = String::from(
        "// Generated from crates/app by `UPDATE_BINDINGS=1 cargo test -p steward-app --test bindings`.\n\
         // Do not edit by hand: a test fails when this file is stale.\n\n",
    );
    string_union(
        &mut out,
        "SystemKind",
        SystemKind::ALL.iter().map(|k| k.as_str()),
    );
    string_union(&mut out, "Role", Role::ALL.iter().map(|k| k.as_str()));
    string_union(
        &mut out,
        "Lifecycle",
        Lifecycle::ALL.iter().map(|k| k.as_str()),
    );
    string_union(
        &mut out,
        "Population",
        Population::ALL.iter().map(|k| k.as_str()),
    );
    string_union(
        &mut out,
        "DriftKind",
        steward_drift::Kind::ALL.iter().map(|k| k.as_str()),
    );
    kind_info(&mut out);
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
        SyncChoice::decl(&cfg),
        SyncProgress::decl(&cfg),
        ProblemView::decl(&cfg),
        SyncReport::decl(&cfg),
        FieldInventory::decl(&cfg),
        ObjectInventory::decl(&cfg),
        SyncView::decl(&cfg),
        SystemInventory::decl(&cfg),
        InventoryView::decl(&cfg),
        DuplicatesProgress::decl(&cfg),
        MatchRunView::decl(&cfg),
        ClusterSummary::decl(&cfg),
        DuplicatesView::decl(&cfg),
        MemberValue::decl(&cfg),
        MemberView::decl(&cfg),
        EvidenceView::decl(&cfg),
        LinkView::decl(&cfg),
        ClusterDetail::decl(&cfg),
        DriftProgress::decl(&cfg),
        DriftRunView::decl(&cfg),
        KindTotal::decl(&cfg),
        KindCount::decl(&cfg),
        TrendPoint::decl(&cfg),
        SegmentCountView::decl(&cfg),
        DriftOverview::decl(&cfg),
        FindingQuery::decl(&cfg),
        FixView::decl(&cfg),
        FindingView::decl(&cfg),
        FindingPage::decl(&cfg),
        AuthorityRuleView::decl(&cfg),
        MappingView::decl(&cfg),
        StatusValueView::decl(&cfg),
        StatusSystemView::decl(&cfg),
        StatusModelView::decl(&cfg),
        SegmentConditionView::decl(&cfg),
        SegmentDefinitionView::decl(&cfg),
        RuleVersionView::decl(&cfg),
        RulesView::decl(&cfg),
        MappingSuggestion::decl(&cfg),
        ErasureInput::decl(&cfg),
        ErasureSystemView::decl(&cfg),
        ErasureView::decl(&cfg),
        ErasurePreview::decl(&cfg),
        FixRecordView::decl(&cfg),
        FixReport::decl(&cfg),
        FixProgress::decl(&cfg),
        FixRequest::decl(&cfg),
        ProposalSummary::decl(&cfg),
        MergePolicyView::decl(&cfg),
        QueueView::decl(&cfg),
        QueueQuery::decl(&cfg),
        MergeMemberView::decl(&cfg),
        MergeAssociationView::decl(&cfg),
        MergeStepView::decl(&cfg),
        MergeBackupView::decl(&cfg),
        GoldenCandidate::decl(&cfg),
        GoldenField::decl(&cfg),
        ProposalDetail::decl(&cfg),
        ProposeReport::decl(&cfg),
        DecisionReport::decl(&cfg),
        ApproveRequest::decl(&cfg),
        ExecuteRequest::decl(&cfg),
        MergeProgress::decl(&cfg),
        ExecuteReport::decl(&cfg),
        RestoreReport::decl(&cfg),
        RoleView::decl(&cfg),
        PermissionView::decl(&cfg),
        GovernanceView::decl(&cfg),
        SignOffView::decl(&cfg),
        ChecklistItemView::decl(&cfg),
        OnboardingView::decl(&cfg),
        AlertView::decl(&cfg),
        SignOffRequest::decl(&cfg),
        DeprecationView::decl(&cfg),
        RecordRefView::decl(&cfg),
        ExportReport::decl(&cfg),
        ProbeRequest::decl(&cfg),
        LegView::decl(&cfg),
        ProbeRunView::decl(&cfg),
        ProbeView::decl(&cfg),
        ProbeProgress::decl(&cfg),
        PartView::decl(&cfg),
        RequirementView::decl(&cfg),
        AuditRunView::decl(&cfg),
        AuditOverview::decl(&cfg),
    ] {
        let _ = writeln!(out, "export {decl}\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}
