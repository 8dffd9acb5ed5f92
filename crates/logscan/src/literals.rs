//! The literal automaton: which literals a line contains, and which lines
//! of a chunk contain any.
//!
//! Most lines contain none, so finding the others is most of a scan. One
//! automaton walking one text waits, at every byte, for the load of its
//! next state: the walk is a chain of dependent loads, and the processor
//! sits mostly idle. [`Candidates`] walks [`LANES`] parts of a block in the
//! same loop instead, which gives it that many independent chains. The parts
//! start and end on line boundaries and no literal contains a newline, so
//! every occurrence lies inside one part and is found exactly as a walk over
//! the whole block would find it.

use crate::Error;
use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::{AhoCorasick, Anchored, Input, MatchKind, StartKind};

/// Parts of a block walked together. Measured on 200 MB of `gen_logs`
/// output, one core: 4 is fastest; 2 and 3 leave the processor waiting
/// (35% and 10% slower), 6 and 8 run out of registers (15-25% slower).
const LANES: usize = 4;
/// Bytes per block (then extended to the next line's start); 16 KiB blocks
/// were 18% slower, 256 KiB ones no faster.
const BLOCK: usize = 64 << 10;

/// The literals, compiled.
#[derive(Debug)]
pub(crate) enum Literals {
    /// A DFA, walked directly (several lanes at once for chunks).
    Dfa { dfa: Box<DFA>, start: StateID },
    /// Whatever other automaton could be built, searched one match at a time.
    Other(AhoCorasick),
}

impl Literals {
    pub(crate) fn new(lits: &[String]) -> Result<Literals, Error> {
        let dfa = DFA::builder()
            .match_kind(MatchKind::Standard)
            .start_kind(StartKind::Unanchored)
            .prefilter(false)
            .build(lits);
        if let Ok(dfa) = dfa {
            if let Ok(start) = dfa.start_state(Anchored::No) {
                return Ok(Literals::Dfa {
                    dfa: Box::new(dfa),
                    start,
                });
            }
        }
        AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(lits)
            .map(Literals::Other)
            .map_err(|e| Error::Automaton(e.to_string()))
    }

    /// Ids of the literals a line contains, in the order their first
    /// occurrences end.
    pub(crate) fn hits(&self, line: &[u8]) -> Vec<u32> {
        let mut v: Vec<u32> = Vec::new();
        let mut add = |id: u32| {
            if !v.contains(&id) {
                v.push(id);
            }
        };
        match self {
            Literals::Dfa { dfa, start } => {
                let mut s = *start;
                for &b in line {
                    s = dfa.next_state(Anchored::No, s, b);
                    if dfa.is_match(s) {
                        for k in 0..dfa.match_len(s) {
                            add(dfa.match_pattern(s, k).as_u32());
                        }
                    }
                }
            }
            Literals::Other(ac) => {
                if ac.find(line).is_some() {
                    for m in ac.find_overlapping_iter(line) {
                        add(m.pattern().as_u32());
                    }
                }
            }
        }
        v
    }
}

/// The lines of one chunk (whole lines) that contain a literal, in order,
/// found a block at a time.
pub(crate) struct Candidates<'a> {
    literals: &'a Literals,
    data: &'a [u8],
    /// Bytes before this are searched (a line start).
    searched: usize,
    /// Positions of literal occurrences before `searched`, ascending, at
    /// most one per line.
    found: Vec<usize>,
    next: usize,
    lanes: [Vec<usize>; LANES],
}

impl<'a> Candidates<'a> {
    pub(crate) fn new(literals: &'a Literals, data: &'a [u8]) -> Self {
        Candidates {
            literals,
            data,
            searched: 0,
            found: Vec::new(),
            next: 0,
            lanes: Default::default(),
        }
    }

    /// A position inside the first line at or after `from` (a line start)
    /// that contains a literal, if any.
    pub(crate) fn next(&mut self, from: usize) -> Option<usize> {
        loop {
            while let Some(&m) = self.found.get(self.next) {
                if m >= from {
                    return Some(m);
                }
                self.next += 1;
            }
            let begin = self.searched.max(from);
            if begin >= self.data.len() {
                return None;
            }
            self.found.clear();
            self.next = 0;
            let (dfa, start) = match self.literals {
                Literals::Dfa { dfa, start } => (dfa, *start),
                Literals::Other(ac) => {
                    // one occurrence, kept while the caller is behind it
                    let m = ac.find(Input::new(self.data).span(begin..self.data.len()));
                    self.searched = m.map_or(self.data.len(), |m| line_after(self.data, m.start()));
                    self.found.extend(m.map(|m| m.start()));
                    continue;
                }
            };
            let end = line_after(self.data, begin + BLOCK);
            let mut bounds = [0usize; LANES + 1];
            bounds[0] = begin;
            bounds[LANES] = end;
            let part = (end - begin) / LANES;
            for j in 1..LANES {
                bounds[j] = line_after(self.data, begin + j * part).clamp(bounds[j - 1], end);
            }
            for l in &mut self.lanes {
                l.clear();
            }
            walk(dfa, start, self.data, &bounds, &mut self.lanes);
            for l in &self.lanes {
                self.found.extend_from_slice(l);
            }
            self.searched = end;
        }
    }
}

/// The start of the line after the one that contains `at` (or the end).
fn line_after(data: &[u8], at: usize) -> usize {
    if at >= data.len() {
        return data.len();
    }
    memchr::memchr(b'\n', &data[at..]).map_or(data.len(), |i| at + i + 1)
}

/// Records a hit of `lane` at `at` and moves the lane to the next line:
/// one hit per line is all the caller needs.
#[inline]
fn hit(data: &[u8], at: usize, end: usize, out: &mut Vec<usize>) -> usize {
    out.push(at);
    memchr::memchr(b'\n', &data[at..end]).map_or(end, |i| at + i + 1)
}

/// Walks the DFA over `bounds[j]..bounds[j + 1]` for every lane `j`, all
/// lanes in one loop, and records in `out[j]` one hit per line with a literal.
fn walk(
    dfa: &DFA,
    start: StateID,
    data: &[u8],
    bounds: &[usize; LANES + 1],
    out: &mut [Vec<usize>; LANES],
) {
    let mut at: [usize; LANES] = std::array::from_fn(|j| bounds[j]);
    let end: [usize; LANES] = std::array::from_fn(|j| bounds[j + 1]);
    let mut sid = [start; LANES];
    loop {
        let n = (0..LANES).map(|j| end[j] - at[j]).min().unwrap_or(0);
        if n == 0 {
            break;
        }
        let parts: [&[u8]; LANES] = std::array::from_fn(|j| &data[at[j]..at[j] + n]);
        let mut i = 0;
        let mut special = false;
        while i < n {
            let mut any = false;
            for j in 0..LANES {
                sid[j] = dfa.next_state(Anchored::No, sid[j], parts[j][i]);
                any |= dfa.is_special(sid[j]);
            }
            if any {
                special = true;
                break;
            }
            i += 1;
        }
        if !special {
            for a in &mut at {
                *a += n;
            }
            continue;
        }
        for j in 0..LANES {
            if dfa.is_special(sid[j]) {
                at[j] = hit(data, at[j] + i, end[j], &mut out[j]);
                sid[j] = start;
            } else {
                at[j] += i + 1;
            }
        }
    }
    // what the shortest lane left over, one lane at a time
    for j in 0..LANES {
        let mut s = sid[j];
        let mut p = at[j];
        while p < end[j] {
            s = dfa.next_state(Anchored::No, s, data[p]);
            if dfa.is_special(s) {
                p = hit(data, p, end[j], &mut out[j]);
                s = start;
            } else {
                p += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::{literal_table, Pattern};

    /// SplitMix64, for reproducible random texts.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) % n as u64) as usize
        }
    }

    /// `(start, end)` of every line (end without its newline).
    fn lines(data: &[u8]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut start = 0;
        while start < data.len() {
            let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |i| start + i);
            out.push((start, end));
            start = end + 1;
        }
        out
    }

    /// Asks `Candidates` for the next line again and again, from the line
    /// after the last one found or, now and then, from a line further on
    /// (the engine jumps over joined records), and checks each answer: the
    /// first line at or after the one asked from that contains a literal
    /// (`want`, ascending line indexes).
    fn check_candidates(
        lits: &Literals,
        data: &[u8],
        ls: &[(usize, usize)],
        want: &[usize],
        rng: &mut Rng,
        jumps: bool,
    ) {
        let mut c = Candidates::new(lits, data);
        let mut line = 0; // the line asked from
        loop {
            if jumps && rng.below(4) == 0 {
                line += rng.below(50);
            }
            let from = ls.get(line).map_or(data.len(), |l| l.0);
            let expected = want.iter().find(|&&i| i >= line);
            let got = c.next(from).map(|m| {
                let i = ls.partition_point(|&(_, e)| e < m);
                assert!(ls[i].0 <= m && m <= ls[i].1, "hit {m} outside line {i}");
                i
            });
            if got.as_ref() != expected {
                let (s, e) = ls[got.or(expected.copied()).unwrap()];
                panic!(
                    "from line {line}: found line {got:?}, the next with a literal is {expected:?}: {:?}",
                    String::from_utf8_lossy(&data[s..e])
                );
            }
            match got {
                Some(i) => line = i + 1,
                None => break,
            }
        }
    }

    /// Whatever the blocks and lanes, the lines found are exactly those
    /// that contain a literal (searched line by line, by another
    /// automaton), and both automata list the same literals on every line.
    fn check(lits: &[String], data: &[u8], rng: &mut Rng) {
        let dfa = Literals::new(lits).unwrap();
        assert!(matches!(dfa, Literals::Dfa { .. }));
        let other = Literals::Other(AhoCorasick::new(lits).unwrap());
        let ls = lines(data);
        let want: Vec<usize> = (0..ls.len())
            .filter(|&i| other.hits(&data[ls[i].0..ls[i].1]) != Vec::<u32>::new())
            .collect();
        for &(s, e) in &ls {
            assert_eq!(dfa.hits(&data[s..e]), other.hits(&data[s..e]));
        }
        for jumps in [false, true] {
            check_candidates(&dfa, data, &ls, &want, rng, jumps);
            check_candidates(&other, data, &ls, &want, rng, jumps);
        }
    }

    #[test]
    fn random_texts_find_every_line_with_a_literal() {
        let mut rng = Rng(7);
        // literals have no newline (the scanner refuses them)
        let alphabet = b"ab\"\\ \t\rxyz";
        for round in 0..300 {
            // short literals over a small alphabet: many overlaps, many hits
            let lits: Vec<String> = (0..1 + rng.below(12))
                .map(|_| {
                    (0..1 + rng.below(6))
                        .map(|_| char::from(alphabet[rng.below(alphabet.len() - 1)]))
                        .collect::<String>()
                })
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let len = match round % 4 {
                0 => rng.below(64),
                1 => rng.below(4096),
                _ => rng.below(3 * BLOCK),
            };
            let newline_every = 1 + rng.below(if round % 5 == 0 { 100_000 } else { 80 });
            let data: Vec<u8> = (0..len)
                .map(|_| match rng.below(newline_every * 12) {
                    0..12 => b'\n',
                    r => alphabet[r % alphabet.len()],
                })
                .collect();
            check(&lits, &data, &mut rng);
        }
    }

    /// Every signature of stackdoctor's data files: its examples, alone, in
    /// a compose prefix and in Caddy JSON, among lines that miss a literal by
    /// one byte, cut in two, or carry one; and the automaton literals of
    /// [`crate::Scanner`].
    #[test]
    fn signature_examples_are_found() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../stackdoctor/data/signatures");
        let mut patterns = Vec::new();
        let mut examples: Vec<String> = Vec::new();
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for f in files
            .iter()
            .filter(|f| f.extension().is_some_and(|x| x == "toml"))
        {
            let table: toml::Table = std::fs::read_to_string(f).unwrap().parse().unwrap();
            for sig in table["signatures"].as_array().unwrap() {
                let literal = sig["literal"].as_str().unwrap().to_string();
                patterns.push(Pattern::literal(literal));
                for e in sig["examples"].as_array().unwrap() {
                    examples.push(e.as_str().unwrap().to_string());
                }
            }
        }
        assert!(patterns.len() > 100 && examples.len() > patterns.len());
        let (lits, _) = literal_table(&patterns);
        let mut rng = Rng(42);
        let mut log = String::new();
        for (i, e) in examples.iter().enumerate() {
            let lit = &lits[rng.below(lits.len())];
            let near = &lit[..lit.floor_char_boundary(lit.len() - 1)];
            let cut = lit.floor_char_boundary(lit.len() / 2);
            let json = serde_json::to_string(e).unwrap();
            for line in [
                format!("{e}\n"),
                format!("web-{i}  | {e}\r\n"),
                format!("caddy-1 | {{\"level\":\"error\",\"msg\":{json}}}\n"),
                format!("{near} {near}\n"),
                format!("{}\n{}\n", &lit[..cut], &lit[cut..]),
                format!("x{lit}x\n"),
                format!("{}\n", "-".repeat(rng.below(300))),
            ] {
                log.push_str(&line);
            }
        }
        let data = log.as_bytes();
        check(&lits, data, &mut rng);
        // every example line, alone, is found
        let literals = Literals::new(&lits).unwrap();
        for e in &examples {
            assert!(!literals.hits(e.as_bytes()).is_empty(), "{e}");
        }
        // and in blocks cut anywhere between lines
        let ls = lines(data);
        let mut at = 0;
        while at < ls.len() {
            let to = (at + 1 + rng.below(400)).min(ls.len());
            let part = &data[ls[at].0..ls[to - 1].1];
            check(&lits, part, &mut rng);
            at = to;
        }
    }
}
