//! A deterministic, seeded mutation engine: byte and bit changes, inserts
//! and deletes, format tokens from a dictionary, copies of a chunk (deep
//! nesting, long repeats), splices of two inputs and cuts. Without coverage
//! feedback, a small pool of recent mutants lets mutations stack up.

/// xorshift64*: small, fast and the same everywhere.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

/// Bytes that often mean something to a parser.
const STRUCTURAL: &[u8] = b"{}[]()<>\"'`$#:;,.=-+*&!|?%@\\/\n\r\t \x00\xff\xc3\xa9";

/// Values that often sit on a boundary.
const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1",
    "65535",
    "65536",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "18446744073709551616",
    "1e308",
    "1e999",
    "-0",
    "0x7fffffff",
    "NaN",
    "999999999999999999999999999999",
];

const RECENT: usize = 64;

pub struct Mutator {
    seeds: Vec<Vec<u8>>,
    dictionary: Vec<Vec<u8>>,
    max_len: usize,
    rng: Rng,
    recent: Vec<Vec<u8>>,
    next_recent: usize,
}

impl Mutator {
    /// `seeds` must not be empty; inputs are kept at or under `max_len` bytes.
    pub fn new(seeds: Vec<Vec<u8>>, dictionary: &[&str], max_len: usize, seed: u64) -> Mutator {
        assert!(!seeds.is_empty(), "a mutator needs at least one seed");
        let mut dictionary: Vec<Vec<u8>> =
            dictionary.iter().map(|t| t.as_bytes().to_vec()).collect();
        dictionary.extend(NUMBERS.iter().map(|t| t.as_bytes().to_vec()));
        Mutator {
            seeds,
            dictionary,
            max_len,
            rng: Rng::new(seed),
            recent: Vec::with_capacity(RECENT),
            next_recent: 0,
        }
    }

    pub fn seeds(&self) -> &[Vec<u8>] {
        &self.seeds
    }

    fn pick_base(&mut self) -> Vec<u8> {
        if !self.recent.is_empty() && self.rng.chance(4) {
            self.recent[self.rng.below(self.recent.len())].clone()
        } else {
            self.seeds[self.rng.below(self.seeds.len())].clone()
        }
    }

    /// The next input: every seed once unchanged first, then mutants.
    pub fn next_input(&mut self, index: u64) -> Vec<u8> {
        if (index as usize) < self.seeds.len() {
            let mut seed = self.seeds[index as usize].clone();
            seed.truncate(self.max_len);
            return seed;
        }
        let mut data = self.pick_base();
        let most = if self.rng.chance(8) { 32 } else { 6 };
        let rounds = 1 + self.rng.below(most);
        for _ in 0..rounds {
            self.mutate_once(&mut data);
        }
        data.truncate(self.max_len);
        if self.recent.len() < RECENT {
            self.recent.push(data.clone());
        } else {
            self.recent[self.next_recent] = data.clone();
            self.next_recent = (self.next_recent + 1) % RECENT;
        }
        data
    }

    fn token(&mut self) -> Vec<u8> {
        self.dictionary[self.rng.below(self.dictionary.len())].clone()
    }

    /// A position, more often at a line start so tokens land where keys go.
    fn position(&mut self, data: &[u8]) -> usize {
        let at = self.rng.below(data.len() + 1);
        if self.rng.chance(3) {
            if let Some(nl) = data[..at].iter().rposition(|&b| b == b'\n') {
                return nl + 1;
            }
        }
        at
    }

    fn range(&mut self, data: &[u8]) -> (usize, usize) {
        let start = self.rng.below(data.len() + 1);
        let max = (data.len() - start).min(if self.rng.chance(4) { 4096 } else { 32 });
        let len = self.rng.below(max + 1);
        (start, start + len)
    }

    fn mutate_once(&mut self, data: &mut Vec<u8>) {
        match self.rng.below(14) {
            0 if !data.is_empty() => {
                let at = self.rng.below(data.len());
                data[at] ^= 1 << self.rng.below(8);
            }
            1 if !data.is_empty() => {
                let at = self.rng.below(data.len());
                data[at] = STRUCTURAL[self.rng.below(STRUCTURAL.len())];
            }
            2 => {
                let at = self.position(data);
                let b = if self.rng.chance(2) {
                    STRUCTURAL[self.rng.below(STRUCTURAL.len())]
                } else {
                    self.rng.next_u64() as u8
                };
                data.insert(at, b);
            }
            3 => {
                let (start, end) = self.range(data);
                data.drain(start..end);
            }
            4 | 5 => {
                let at = self.position(data);
                let token = self.token();
                data.splice(at..at, token);
            }
            6 => {
                let (start, end) = self.range(data);
                let token = self.token();
                data.splice(start..end, token);
            }
            7 => {
                // Copy a chunk somewhere else.
                let (start, end) = self.range(data);
                let chunk = data[start..end].to_vec();
                let at = self.rng.below(data.len() + 1);
                data.splice(at..at, chunk);
            }
            8 => {
                // Repeat a short chunk or a token many times: deep nesting, long lines.
                let chunk = if self.rng.chance(2) || data.is_empty() {
                    self.token()
                } else {
                    let start = self.rng.below(data.len());
                    let end = (start + 1 + self.rng.below(8)).min(data.len());
                    data[start..end].to_vec()
                };
                let most = if self.rng.chance(4) { 2000 } else { 50 };
                let times = 2 + self.rng.below(most);
                let at = self.position(data);
                let repeated: Vec<u8> = chunk
                    .iter()
                    .copied()
                    .cycle()
                    .take(chunk.len() * times)
                    .collect();
                data.splice(at..at, repeated);
            }
            9 => {
                // Splice: the head of this input and the tail of another seed.
                let other = self.seeds[self.rng.below(self.seeds.len())].clone();
                let cut = self.rng.below(data.len() + 1);
                let from = self.rng.below(other.len() + 1);
                data.truncate(cut);
                data.extend_from_slice(&other[from..]);
            }
            10 => {
                let cut = self.rng.below(data.len() + 1);
                data.truncate(cut);
            }
            11 => {
                // Swap two lines.
                let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
                if lines.len() > 2 {
                    let mut lines: Vec<Vec<u8>> = lines.iter().map(|l| l.to_vec()).collect();
                    let a = self.rng.below(lines.len());
                    let b = self.rng.below(lines.len());
                    lines.swap(a, b);
                    *data = lines.join(&b'\n');
                }
            }
            12 if !data.is_empty() => {
                // Replace a run of digits with a boundary number.
                let at = self.rng.below(data.len());
                if let Some(start) = data[at..].iter().position(u8::is_ascii_digit) {
                    let start = at + start;
                    let len = data[start..]
                        .iter()
                        .take_while(|b| b.is_ascii_digit())
                        .count();
                    let number = NUMBERS[self.rng.below(NUMBERS.len())].as_bytes().to_vec();
                    data.splice(start..start + len, number);
                }
            }
            _ => {
                // Duplicate a whole line (repeated keys, repeated blocks).
                if !data.is_empty() {
                    let at = self.rng.below(data.len());
                    let start = data[..at]
                        .iter()
                        .rposition(|&b| b == b'\n')
                        .map_or(0, |p| p + 1);
                    let end = data[at..]
                        .iter()
                        .position(|&b| b == b'\n')
                        .map_or(data.len(), |p| at + p + 1);
                    let line = data[start..end].to_vec();
                    data.splice(start..start, line);
                }
            }
        }
        if data.len() > self.max_len * 2 {
            data.truncate(self.max_len * 2);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_inputs() {
        let seeds = vec![b"services:\n  web:\n    image: nginx\n".to_vec()];
        let mut a = Mutator::new(seeds.clone(), &["${"], 1024, 7);
        let mut b = Mutator::new(seeds, &["${"], 1024, 7);
        for i in 0..500 {
            assert_eq!(a.next_input(i), b.next_input(i));
        }
    }

    #[test]
    fn inputs_stay_within_the_size_cap_and_vary() {
        let seeds = vec![b"a: b\n".repeat(100)];
        let mut m = Mutator::new(seeds.clone(), &["{{", "}}"], 300, 1);
        let mut distinct = std::collections::HashSet::new();
        for i in 0..2000 {
            let input = m.next_input(i);
            assert!(input.len() <= 300);
            distinct.insert(input);
        }
        assert!(distinct.len() > 1500, "{} distinct", distinct.len());
    }
}
