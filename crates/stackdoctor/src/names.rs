//! Comparing names, for "did you mean" suggestions (sources and checks both
//! suggest: a misspelt variable, an upstream host, a container name).

/// Levenshtein distance, for "did you mean" suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            current.push(
                (previous[j] + cost)
                    .min(previous[j + 1] + 1)
                    .min(current[j] + 1),
            );
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::edit_distance;

    #[test]
    fn edit_distance_counts_insertions_deletions_and_substitutions() {
        assert_eq!(edit_distance("web", "web"), 0);
        assert_eq!(edit_distance("backend", "backnd"), 1);
        assert_eq!(edit_distance("svc25-old", "svc25"), 4);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("AWS_REGOIN", "AWS_REGION"), 2);
    }
}
