//! The clusters file of `steward dedupe`: `id,cluster_id,score`, one row per input record in
//! input order. A cluster is named by its first record's id; its score is its weakest link
//! (1 for a record with no duplicate).

use std::io::Write;

use crate::cluster::Cluster;
use crate::input::Records;

pub fn write_clusters(
    records: &Records,
    clusters: &[Cluster],
    out: impl Write,
) -> std::io::Result<()> {
    let mut of = vec![(0u32, 1.0f64); records.len()];
    for (c, cluster) in clusters.iter().enumerate() {
        for &m in &cluster.members {
            of[m as usize] = (u32::try_from(c).unwrap_or(u32::MAX), cluster.score);
        }
    }
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(["id", "cluster_id", "score"])?;
    for (i, &(c, score)) in of.iter().enumerate() {
        let name = clusters
            .get(c as usize)
            .and_then(|cl| cl.members.first())
            .map_or("", |&first| records.id(first as usize));
        csv.write_record([records.id(i), name, &format!("{score:.4}")])?;
    }
    csv.flush()
}
