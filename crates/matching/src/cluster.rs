//! Clustering that does not chain. Links are taken strongest first; two groups join only if
//! their records, taken across the two groups, match on average at the threshold and no
//! cross pair is clearly two people. So A≈B and B≈C make {A,B,C} only when A and C don't
//! contradict each other, and a few weak links can't pull hundreds of records together.
//! A cluster's score is its weakest link: the lowest-scoring link that holds it together.

/// A record group and the score of its weakest link (1 for a single record).
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    pub members: Vec<u32>,
    pub score: f64,
}

/// A cross pair below `threshold × VETO` keeps two groups apart whatever their average.
const VETO: f64 = 0.02;

/// `links`: (a, b, probability) with probability ≥ `threshold`. `score(a, b)` gives any
/// other pair's probability. Returns every record's cluster, singletons included, in order
/// of each cluster's first record.
pub fn cluster(
    len: usize,
    mut links: Vec<(u32, u32, f64)>,
    threshold: f64,
    score: &dyn Fn(u32, u32) -> f64,
) -> Vec<Cluster> {
    links.sort_by(|x, y| y.2.total_cmp(&x.2).then(x.0.cmp(&y.0)).then(x.1.cmp(&y.1)));
    let mut group: Vec<u32> = (0..len as u32).collect();
    let mut members: Vec<Vec<u32>> = (0..len as u32).map(|i| vec![i]).collect();
    let mut weakest: Vec<f64> = vec![1.0; len];
    // Group pairs already refused, by (group, size, group, size): another link between the
    // same two unchanged groups would get the same answer.
    let mut refused: std::collections::HashSet<(usize, usize, usize, usize)> =
        std::collections::HashSet::new();
    for (a, b, p) in links {
        let (ga, gb) = (group[a as usize] as usize, group[b as usize] as usize);
        if ga == gb {
            continue;
        }
        let key = (
            ga.min(gb),
            members[ga.min(gb)].len(),
            ga.max(gb),
            members[ga.max(gb)].len(),
        );
        if refused.contains(&key) {
            continue;
        }
        if members[ga].len() + members[gb].len() > 2 {
            let (mut sum, mut min) = (0.0, 1.0_f64);
            for &x in &members[ga] {
                for &y in &members[gb] {
                    let q = if (x, y) == (a, b) || (x, y) == (b, a) {
                        p
                    } else {
                        score(x, y)
                    };
                    sum += q;
                    min = min.min(q);
                }
            }
            let mean = sum / (members[ga].len() * members[gb].len()) as f64;
            if mean < threshold || min < threshold * VETO {
                refused.insert(key);
                continue;
            }
        }
        // Fold the smaller group into the larger.
        let (into, from) = if members[ga].len() >= members[gb].len() {
            (ga, gb)
        } else {
            (gb, ga)
        };
        let moved = std::mem::take(&mut members[from]);
        for &r in &moved {
            group[r as usize] = into as u32;
        }
        members[into].extend(moved);
        weakest[into] = weakest[into].min(weakest[from]).min(p);
    }
    let mut clusters: Vec<Cluster> = members
        .into_iter()
        .zip(weakest)
        .filter(|(m, _)| !m.is_empty())
        .map(|(mut members, score)| {
            members.sort_unstable();
            Cluster { members, score }
        })
        .collect();
    clusters.sort_by_key(|c| c.members[0]);
    clusters
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_with_a_contradiction_does_not_close() {
        // 0≈1 strongly, 1≈2 a bit less, but 0 and 2 are clearly different people.
        let links = vec![(0, 1, 0.99), (1, 2, 0.9)];
        let score = |a: u32, b: u32| {
            if (a.min(b), a.max(b)) == (0, 2) {
                0.0
            } else {
                0.9
            }
        };
        let clusters = cluster(3, links, 0.5, &score);
        assert_eq!(clusters.len(), 2);
        assert_eq!(clusters[0].members, vec![0, 1]);
        assert_eq!(clusters[0].score, 0.99);
        assert_eq!(clusters[1].members, vec![2]);
        assert_eq!(clusters[1].score, 1.0);
    }

    #[test]
    fn a_consistent_group_joins_with_its_weakest_link_as_score() {
        let links = vec![(0, 1, 0.99), (1, 2, 0.8), (2, 3, 0.95)];
        let clusters = cluster(5, links, 0.5, &|_, _| 0.7);
        assert_eq!(clusters[0].members, vec![0, 1, 2, 3]);
        assert_eq!(clusters[0].score, 0.8);
        assert_eq!(clusters[1].members, vec![4]);
    }
}
