//! The audit pack's files: CSVs of what the scores rest on, and one self-contained HTML
//! page (inline SVG charts, no script, print styles) that opens anywhere and prints to PDF.

use std::fmt::Write as _;

use steward_store::FindingFilter;

use crate::audit::{AuditRunView, pct};
use crate::error::AppError;
use crate::workspace::Steward;

fn csv_text(header: &[&str], rows: Vec<Vec<String>>) -> Result<String, AppError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| AppError::new(crate::ErrorCode::Internal, format!("csv: {e}"));
    out.write_record(header).map_err(fail)?;
    for row in rows {
        out.write_record(&row).map_err(fail)?;
    }
    let bytes = out.into_inner().map_err(|e| fail(e.into_error().into()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// (file name, contents) of every CSV in the pack.
pub(crate) fn csvs(app: &Steward, run: &AuditRunView) -> Result<Vec<(String, String)>, AppError> {
    let conn = app.workspace.conn();
    let systems = steward_store::list_systems(conn)?;
    let name = |id: i64| {
        systems
            .iter()
            .find(|s| s.id == id)
            .map_or_else(|| format!("system {id}"), |s| s.name.to_string())
    };
    let mut files = Vec::new();

    let mut rows = Vec::new();
    for r in &run.requirements {
        for p in &r.parts {
            rows.push(vec![
                r.label.clone(),
                pct(r.score),
                p.label.clone(),
                p.numerator.to_string(),
                p.denominator.to_string(),
                p.share.map_or_else(String::new, |s| format!("{:.4}", s)),
                p.formula.clone(),
            ]);
        }
    }
    files.push((
        "scores.csv".to_owned(),
        csv_text(
            &[
                "requirement",
                "score",
                "part",
                "numerator",
                "denominator",
                "share",
                "formula",
            ],
            rows,
        )?,
    ));

    let overview = app.audit_overview()?;
    let rows = overview
        .quarters
        .iter()
        .map(|q| {
            let mut row = vec![q.quarter.clone(), q.at.clone()];
            row.extend(q.requirements.iter().map(|r| pct(r.score)));
            row
        })
        .collect();
    files.push((
        "trend.csv".to_owned(),
        csv_text(
            &[
                "quarter",
                "scored_at",
                "completeness",
                "currency",
                "integrity",
                "accessibility",
            ],
            rows,
        )?,
    ));

    let mut rows = Vec::new();
    if let Some(drift) = steward_store::latest_drift_run(conn)? {
        let (found, _) = steward_store::list_findings(
            conn,
            drift.id,
            &FindingFilter::default(),
            0,
            u64::MAX >> 1,
        )?;
        for f in found {
            let f = f.finding;
            rows.push(vec![
                f.kind,
                f.object.as_str().to_owned(),
                name(f.system_id),
                f.external_id,
                f.hub_external_id.unwrap_or_default(),
                f.field.unwrap_or_default(),
            ]);
        }
    }
    files.push((
        "drift_findings.csv".to_owned(),
        csv_text(
            &[
                "kind",
                "object",
                "system",
                "external_id",
                "hub_external_id",
                "field",
            ],
            rows,
        )?,
    ));

    let mut rows = Vec::new();
    let (from, to) = crate::audit::quarter_bounds(
        &steward_domain::Quarter::parse(&run.quarter).map_err(AppError::invalid)?,
    );
    let probes = steward_store::list_probes(conn)?;
    for r in steward_store::probe_runs_between(conn, from, to)? {
        let Some(p) = probes.iter().find(|p| p.id == r.probe_id) else {
            continue;
        };
        for l in &r.legs {
            rows.push(vec![
                p.name.clone(),
                r.started_at.to_rfc3339(),
                r.verdict.as_str().to_owned(),
                l.leg.as_str().to_owned(),
                l.status.clone().unwrap_or_default(),
                l.ms.map_or_else(String::new, |m| m.to_string()),
                p.target_ms.to_string(),
                l.detail.clone().unwrap_or_default(),
            ]);
        }
    }
    files.push((
        "probe_runs.csv".to_owned(),
        csv_text(
            &[
                "probe",
                "started_at",
                "verdict",
                "leg",
                "status",
                "ms",
                "target_ms",
                "detail",
            ],
            rows,
        )?,
    ));

    let mut rows = Vec::new();
    for d in app.deprecations()? {
        for i in &d.items {
            rows.push(vec![
                d.system.clone(),
                d.lifecycle.as_str().to_owned(),
                i.key.clone(),
                i.verdict.clone(),
                i.evidence.clone(),
                i.sign_off
                    .as_ref()
                    .map(|s| s.actor.clone())
                    .unwrap_or_default(),
                i.sign_off
                    .as_ref()
                    .map(|s| s.note.clone())
                    .unwrap_or_default(),
            ]);
        }
    }
    files.push((
        "deprecation.csv".to_owned(),
        csv_text(
            &[
                "system",
                "lifecycle",
                "item",
                "verdict",
                "evidence",
                "signed_off_by",
                "note",
            ],
            rows,
        )?,
    ));

    let governance = app.governance()?;
    let mut rows: Vec<Vec<String>> = systems
        .iter()
        .map(|s| {
            vec![
                "system".into(),
                s.name.to_string(),
                format!(
                    "{} {} ({})",
                    s.role.as_str(),
                    s.kind.as_str(),
                    s.lifecycle.as_str()
                ),
                s.owner.clone().unwrap_or_default(),
                s.dependent_teams.join("; "),
                match s.kind.credential() {
                    steward_domain::CredentialKind::None => "none (a file)".into(),
                    _ => "OS keychain of the Steward user".into(),
                },
            ]
        })
        .collect();
    rows.extend(governance.roles.iter().map(|r| {
        vec![
            "role".into(),
            r.actor.clone(),
            r.label.clone(),
            r.granted_by.clone(),
            r.granted_at.clone(),
            String::new(),
        ]
    }));
    files.push((
        "access.csv".to_owned(),
        csv_text(
            &[
                "what",
                "name",
                "role_or_kind",
                "owner_or_granted_by",
                "teams_or_granted_at",
                "credential",
            ],
            rows,
        )?,
    ));
    Ok(files)
}

const COLORS: [&str; 4] = ["#2563eb", "#059669", "#d97706", "#7c3aed"];

fn bars(run: &AuditRunView) -> String {
    let mut svg = String::from(
        r#"<svg viewBox="0 0 520 170" width="520" height="170" role="img" aria-label="The four scores">"#,
    );
    for (i, r) in run.requirements.iter().enumerate() {
        let y = 10 + i * 40;
        let w = r.score.map_or(0.0, |s| s * 3.6);
        let _ = write!(
            svg,
            r##"<text x="0" y="{}" font-size="13">{}</text><rect x="120" y="{}" width="360" height="22" fill="#eef2f7"/><rect x="120" y="{}" width="{w:.1}" height="22" fill="{}"/><text x="486" y="{}" font-size="13">{}</text>"##,
            y + 16,
            esc(&r.label),
            y,
            y,
            COLORS[i % 4],
            y + 16,
            pct(r.score)
        );
    }
    svg.push_str("</svg>");
    svg
}

fn trend(quarters: &[AuditRunView]) -> String {
    let (w, h, left, top) = (520.0, 200.0, 40.0, 10.0);
    let n = quarters.len().max(1);
    let x = |i: usize| {
        left + (w - left - 20.0)
            * if n == 1 {
                0.5
            } else {
                i as f64 / (n - 1) as f64
            }
    };
    let y = |s: f64| top + (h - 40.0) * (1.0 - s / 100.0);
    let mut svg = format!(
        r#"<svg viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="Scores by quarter">"#
    );
    for tick in [0.0, 50.0, 100.0] {
        let _ = write!(
            svg,
            r##"<line x1="{left}" x2="{}" y1="{}" y2="{}" stroke="#e5e7eb"/><text x="0" y="{}" font-size="11">{tick:.0}</text>"##,
            w - 10.0,
            y(tick),
            y(tick),
            y(tick) + 4.0
        );
    }
    for (i, q) in quarters.iter().enumerate() {
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" font-size="11" text-anchor="middle">{}</text>"#,
            x(i),
            h - 8.0,
            esc(&q.quarter)
        );
    }
    for (k, color) in COLORS.iter().enumerate() {
        let points: Vec<String> = quarters
            .iter()
            .enumerate()
            .filter_map(|(i, q)| {
                q.requirements
                    .get(k)?
                    .score
                    .map(|s| format!("{:.1},{:.1}", x(i), y(s)))
            })
            .collect();
        if points.len() > 1 {
            let _ = write!(
                svg,
                r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>"#,
                points.join(" "),
                color
            );
        }
        for p in &points {
            let (px, py) = p.split_once(',').unwrap_or(("0", "0"));
            let _ = write!(
                svg,
                r#"<circle cx="{px}" cy="{py}" r="3.5" fill="{}"/>"#,
                color
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::from("<table><thead><tr>");
    for h in header {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{}</td>", esc(cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

/// The report page.
pub(crate) fn html(
    app: &Steward,
    run: &AuditRunView,
    quarters: &[AuditRunView],
    csvs: &[(String, String)],
) -> Result<String, AppError> {
    let governance = app.governance()?;
    let mut body = String::new();
    let _ = write!(
        body,
        "<h1>SSOT audit {}</h1><p class=meta>Scored {} by {}. SSOT owner: {}. Every figure below is computed from the workspace's own evidence; the formulas are shown beside each part.</p>",
        esc(&run.quarter),
        esc(&run.at),
        esc(&run.actor),
        esc(governance.ssot_owner.as_deref().unwrap_or("not named"))
    );
    body.push_str("<section class=cards>");
    for (i, r) in run.requirements.iter().enumerate() {
        let _ = write!(
            body,
            r#"<div class=card style="border-top-color:{}"><div class=label>{}</div><div class=score>{}</div></div>"#,
            COLORS[i % 4],
            esc(&r.label),
            pct(r.score)
        );
    }
    body.push_str("</section><section class=charts><figure>");
    body.push_str(&bars(run));
    body.push_str("<figcaption>This quarter's scores (out of 100)</figcaption></figure><figure>");
    body.push_str(&trend(quarters));
    body.push_str(
        "<figcaption>Trend: the last score of each quarter</figcaption></figure></section>",
    );
    for r in &run.requirements {
        let _ = write!(
            body,
            "<h2>{} — {}</h2><p class=formula>{}</p>",
            esc(&r.label),
            pct(r.score),
            esc(&r.formula)
        );
        let rows: Vec<Vec<String>> = r
            .parts
            .iter()
            .map(|p| vec![p.label.clone(), p.formula.clone()])
            .chain(r.facts.iter().map(|(k, v)| vec![k.clone(), v.clone()]))
            .collect();
        body.push_str(&table(&["part", "formula and figures"], &rows));
    }
    body.push_str("<h2>Write-back probes (as of this export)</h2>");
    let rows: Vec<Vec<String>> = app
        .probes()?
        .iter()
        .map(|p| {
            let last = p.last_run.as_ref();
            vec![
                p.name.clone(),
                format!("{} ⇄ {}", p.spoke, p.hub),
                format!("{:.1} s", p.target_ms as f64 / 1000.0),
                last.map_or_else(
                    || "never run".into(),
                    |r| format!("{} ({})", r.verdict, r.started_at),
                ),
                last.map_or_else(String::new, |r| {
                    r.legs
                        .iter()
                        .map(|l| {
                            format!(
                                "{}{}: {}",
                                l.leg,
                                l.status
                                    .as_ref()
                                    .map_or_else(String::new, |s| format!(" {s}")),
                                l.ms.map_or_else(
                                    || "lost".into(),
                                    |m| format!("{:.1} s", m as f64 / 1000.0)
                                )
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                }),
            ]
        })
        .collect();
    body.push_str(&table(
        &["probe", "systems", "target", "last run", "legs"],
        &rows,
    ));
    body.push_str("<h2>Deprecation (as of this export)</h2>");
    for d in app.deprecations()? {
        let _ = write!(
            body,
            "<h3>{} — {}</h3>",
            esc(&d.system),
            d.lifecycle.as_str()
        );
        let rows: Vec<Vec<String>> = d
            .items
            .iter()
            .map(|i| {
                vec![
                    i.label.clone(),
                    i.verdict.clone(),
                    i.evidence.clone(),
                    i.sign_off
                        .as_ref()
                        .map_or_else(String::new, |s| format!("{}: {}", s.actor, s.note)),
                ]
            })
            .collect();
        body.push_str(&table(&["item", "verdict", "evidence", "sign-off"], &rows));
    }
    body.push_str("<h2>Who can reach what (as of this export)</h2>");
    let rows: Vec<Vec<String>> = governance
        .roles
        .iter()
        .map(|r| {
            vec![
                r.actor.clone(),
                r.label.clone(),
                r.granted_by.clone(),
                r.granted_at.clone(),
            ]
        })
        .collect();
    body.push_str(&table(
        &["person", "role", "granted by", "granted at"],
        &rows,
    ));
    let alerts: Vec<Vec<String>> = app
        .alerts(true)?
        .iter()
        .map(|a| vec![a.kind.clone(), a.message.clone(), a.raised_at.clone()])
        .collect();
    body.push_str("<h2>Open alerts (as of this export)</h2>");
    body.push_str(&table(&["kind", "alert", "raised"], &alerts));
    body.push_str("<h2>Files</h2><ul>");
    for (name, text) in csvs {
        let _ = write!(
            body,
            "<li>{} — {} rows</li>",
            esc(name),
            text.lines().count().saturating_sub(1)
        );
    }
    body.push_str("</ul>");
    Ok(format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>SSOT audit {q}</title><style>
body{{font:14px/1.45 system-ui,sans-serif;color:#111827;max-width:960px;margin:24px auto;padding:0 16px}}
h1{{font-size:22px;margin:0 0 4px}}h2{{font-size:17px;margin:28px 0 6px;border-bottom:1px solid #e5e7eb}}h3{{font-size:14px;margin:14px 0 4px}}
.meta,.formula,figcaption{{color:#4b5563}}.cards{{display:flex;gap:12px;margin:16px 0}}
.card{{flex:1;border:1px solid #e5e7eb;border-top:4px solid;padding:10px}}.card .score{{font-size:28px;font-weight:600}}
.charts{{display:flex;flex-wrap:wrap;gap:16px}}figure{{margin:0}}
table{{border-collapse:collapse;width:100%;font-size:12.5px}}th,td{{border:1px solid #e5e7eb;padding:4px 6px;text-align:left;vertical-align:top}}th{{background:#f9fafb}}
@media print{{body{{margin:0;max-width:none}}h2{{break-after:avoid}}table,figure{{break-inside:avoid}}}}
</style></head><body>{body}</body></html>
"#,
        q = esc(&run.quarter)
    ))
}
