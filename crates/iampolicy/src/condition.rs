//! Condition operators and three-valued condition evaluation.

use crate::evaluate::{Context, KeyState};
use crate::matching::{arn_match, expand, glob, literal, Expanded, Mode, Tok};
use crate::policy::Condition;
use std::cmp::Ordering;
use std::net::IpAddr;

/// A truth value that may be unknown because some keys were not in the context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tri {
    True,
    False,
    /// Unknown; the keys (as written in the policy) that would decide it.
    Unknown(Vec<String>),
}

impl Tri {
    pub fn from_bool(b: bool) -> Tri {
        if b {
            Tri::True
        } else {
            Tri::False
        }
    }

    pub fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::False, _) | (_, Tri::False) => Tri::False,
            (Tri::True, x) | (x, Tri::True) => x,
            (Tri::Unknown(mut a), Tri::Unknown(b)) => {
                a.extend(b);
                Tri::Unknown(a)
            }
        }
    }

    pub fn or(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::True, _) | (_, Tri::True) => Tri::True,
            (Tri::False, x) | (x, Tri::False) => x,
            (Tri::Unknown(mut a), Tri::Unknown(b)) => {
                a.extend(b);
                Tri::Unknown(a)
            }
        }
    }

    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            unknown => unknown,
        }
    }

    pub fn all(items: impl IntoIterator<Item = Tri>) -> Tri {
        items.into_iter().fold(Tri::True, Tri::and)
    }

    pub fn any(items: impl IntoIterator<Item = Tri>) -> Tri {
        items.into_iter().fold(Tri::False, Tri::or)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetOp {
    ForAllValues,
    ForAnyValue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn holds(self, ord: Ordering) -> bool {
        match self {
            Cmp::Eq => ord == Ordering::Equal,
            Cmp::Lt => ord == Ordering::Less,
            Cmp::Le => ord != Ordering::Greater,
            Cmp::Gt => ord == Ordering::Greater,
            Cmp::Ge => ord != Ordering::Less,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    Numeric(Cmp),
    Date(Cmp),
    Bool,
    Binary,
    Ip,
    Arn,
    Null,
}

/// A parsed operator such as `ForAnyValue:StringNotLikeIfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Operator {
    set: Option<SetOp>,
    family: Family,
    /// `StringNotEquals`, `NotIpAddress`, ...: the values form a NOR.
    negated: bool,
    if_exists: bool,
}

const OPERATORS: &[(&str, Family, bool)] = &[
    ("StringEquals", Family::StringEquals, false),
    ("StringNotEquals", Family::StringEquals, true),
    (
        "StringEqualsIgnoreCase",
        Family::StringEqualsIgnoreCase,
        false,
    ),
    (
        "StringNotEqualsIgnoreCase",
        Family::StringEqualsIgnoreCase,
        true,
    ),
    ("StringLike", Family::StringLike, false),
    ("StringNotLike", Family::StringLike, true),
    ("NumericEquals", Family::Numeric(Cmp::Eq), false),
    ("NumericNotEquals", Family::Numeric(Cmp::Eq), true),
    ("NumericLessThan", Family::Numeric(Cmp::Lt), false),
    ("NumericLessThanEquals", Family::Numeric(Cmp::Le), false),
    ("NumericGreaterThan", Family::Numeric(Cmp::Gt), false),
    ("NumericGreaterThanEquals", Family::Numeric(Cmp::Ge), false),
    ("DateEquals", Family::Date(Cmp::Eq), false),
    ("DateNotEquals", Family::Date(Cmp::Eq), true),
    ("DateLessThan", Family::Date(Cmp::Lt), false),
    ("DateLessThanEquals", Family::Date(Cmp::Le), false),
    ("DateGreaterThan", Family::Date(Cmp::Gt), false),
    ("DateGreaterThanEquals", Family::Date(Cmp::Ge), false),
    ("Bool", Family::Bool, false),
    ("BinaryEquals", Family::Binary, false),
    ("IpAddress", Family::Ip, false),
    ("NotIpAddress", Family::Ip, true),
    ("ArnEquals", Family::Arn, false),
    ("ArnLike", Family::Arn, false),
    ("ArnNotEquals", Family::Arn, true),
    ("ArnNotLike", Family::Arn, true),
    ("Null", Family::Null, false),
];

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

fn strip_suffix_ci<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(suffix.len())?;
    let tail = s.get(cut..)?;
    tail.eq_ignore_ascii_case(suffix).then(|| &s[..cut])
}

impl Operator {
    /// Operator names are matched case-insensitively.
    fn parse(name: &str) -> Option<Operator> {
        let name = name.trim();
        let (set, rest) = if let Some(r) = strip_prefix_ci(name, "ForAllValues:") {
            (Some(SetOp::ForAllValues), r)
        } else if let Some(r) = strip_prefix_ci(name, "ForAnyValue:") {
            (Some(SetOp::ForAnyValue), r)
        } else {
            (None, name)
        };
        let (base, if_exists) = match strip_suffix_ci(rest, "IfExists") {
            Some(base) => (base, true),
            None => (rest, false),
        };
        let &(_, family, negated) = OPERATORS
            .iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(base))?;
        if family == Family::Null && (set.is_some() || if_exists) {
            return None;
        }
        Some(Operator {
            set,
            family,
            negated,
            if_exists,
        })
    }
}

/// Evaluates one condition against the context. Notes explain values that could
/// not be read and unsupported operators.
pub(crate) fn evaluate_condition(
    cond: &Condition,
    ctx: &Context,
    variables: bool,
    notes: &mut Vec<String>,
) -> Tri {
    let Some(op) = Operator::parse(&cond.operator) else {
        notes.push(format!(
            "condition operator \"{}\" is not supported; its condition on \"{}\" is treated as unknown",
            cond.operator, cond.key
        ));
        return Tri::Unknown(vec![cond.key.clone()]);
    };
    let values: &[String] = match ctx.get(&cond.key) {
        KeyState::Unknown => return Tri::Unknown(vec![cond.key.clone()]),
        KeyState::Absent => &[],
        KeyState::Present(values) => values,
    };

    if op.family == Family::Null {
        let absent = values.is_empty();
        return Tri::any(cond.values.iter().map(|v| {
            match v.value.trim().to_ascii_lowercase().as_str() {
                "true" => Tri::from_bool(absent),
                "false" => Tri::from_bool(!absent),
                other => {
                    notes.push(format!(
                        "Null condition on \"{}\" has value \"{other}\" (expected true or false)",
                        cond.key
                    ));
                    Tri::False
                }
            }
        }));
    }

    if values.is_empty() {
        // The key is absent from the request (or has no values).
        let result = match op.set {
            Some(SetOp::ForAllValues) => true,
            Some(SetOp::ForAnyValue) => op.if_exists,
            None => op.if_exists || op.negated,
        };
        return Tri::from_bool(result);
    }

    let expanded: Vec<Expanded> = cond
        .values
        .iter()
        .map(|v| expand(&v.value, variables, ctx))
        .collect();
    for e in &expanded {
        if let Expanded::Missing(why) = e {
            notes.push(why.clone());
        }
    }
    let mut bad_values: Vec<String> = Vec::new();
    // One request value against all policy values: OR, or NOR when negated.
    let mut single = |v: &str| -> Tri {
        let positive = Tri::any(expanded.iter().map(|pv| match pv {
            Expanded::Pattern(toks) => match compare(op.family, v, toks) {
                Some(b) => Tri::from_bool(b),
                None => {
                    bad_values.push(literal(toks));
                    Tri::False
                }
            },
            Expanded::Missing(_) => Tri::False,
            Expanded::Unknown(keys) => Tri::Unknown(keys.clone()),
        }));
        if op.negated {
            positive.not()
        } else {
            positive
        }
    };
    let result = match op.set {
        Some(SetOp::ForAllValues) => Tri::all(values.iter().map(|v| single(v))),
        Some(SetOp::ForAnyValue) => Tri::any(values.iter().map(|v| single(v))),
        // A plain operator with several request values: positive operators need one
        // matching value, negated ones need every value to avoid all policy values.
        None if op.negated => Tri::all(values.iter().map(|v| single(v))),
        None => Tri::any(values.iter().map(|v| single(v))),
    };
    bad_values.sort();
    bad_values.dedup();
    for bad in bad_values {
        notes.push(format!(
            "{} value \"{bad}\" for \"{}\" cannot be read as that type; it never matches",
            cond.operator, cond.key
        ));
    }
    result
}

/// Compares a request value with one policy value. `None` when the policy value
/// is malformed for the operator (e.g. a date that is not a date).
fn compare(family: Family, request: &str, policy: &[Tok]) -> Option<bool> {
    let text = || literal(policy);
    Some(match family {
        Family::StringEquals => request == text(),
        Family::StringEqualsIgnoreCase => request.to_lowercase() == text().to_lowercase(),
        Family::StringLike => glob(policy, request, Mode::Plain),
        Family::Arn => arn_match(policy, request),
        Family::Bool => {
            let p = text();
            if !p.eq_ignore_ascii_case("true") && !p.eq_ignore_ascii_case("false") {
                return None;
            }
            request.trim().eq_ignore_ascii_case(&p)
        }
        Family::Binary => request == text(),
        Family::Numeric(cmp) => {
            let p = parse_number(&text())?;
            match parse_number(request).and_then(|r| r.partial_cmp(&p)) {
                Some(ord) => cmp.holds(ord),
                None => false,
            }
        }
        Family::Date(cmp) => {
            let p = parse_date(&text())?;
            match parse_date(request) {
                Some(r) => cmp.holds(r.cmp(&p)),
                None => false,
            }
        }
        Family::Ip => {
            let (net, prefix) = parse_cidr(&text())?;
            ip_in(request, net, prefix)
        }
        Family::Null => false,
    })
}

fn parse_number(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

/// `(seconds since the epoch, nanoseconds)` from an ISO 8601 date/time
/// (`2024-01-31`, `2024-01-31T12:00:00Z`, `2024-01-31T12:00:00.5+09:00`) or from
/// epoch seconds (`1706702400`).
pub(crate) fn parse_date(s: &str) -> Option<(i64, u32)> {
    let s = s.trim();
    let digits = s.strip_prefix('-').unwrap_or(s);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<i64>().ok().map(|secs| (secs, 0));
    }
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = s.get(from..from + len)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > i64::from(civildate::days_in_month(year, month as u32))
    {
        return None;
    }
    let mut secs = civildate::days_from_civil(year, month as u32, day as u32) * 86_400;
    let mut nanos = 0u32;
    let mut i = 10;
    if i < b.len() && matches!(b[i], b'T' | b't' | b' ') {
        let (hour, minute) = (num(i + 1, 2)?, num(i + 4, 2)?);
        if b.get(i + 3) != Some(&b':') || hour > 23 || minute > 59 {
            return None;
        }
        secs += hour * 3600 + minute * 60;
        i += 6;
        if b.get(i) == Some(&b':') {
            let second = num(i + 1, 2)?;
            if second > 60 {
                return None;
            }
            secs += second;
            i += 3;
            if b.get(i) == Some(&b'.') {
                i += 1;
                let start = i;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                let frac = s.get(start..i)?;
                if frac.is_empty() {
                    return None;
                }
                let padded: String = frac.chars().chain("000000000".chars()).take(9).collect();
                nanos = padded.parse().ok()?;
            }
        }
        match b.get(i) {
            None => {}
            Some(b'Z' | b'z') if i + 1 == b.len() => {}
            Some(sign @ (b'+' | b'-')) => {
                let hh = num(i + 1, 2)?;
                let mm = match (b.get(i + 3), b.len() - i) {
                    (Some(b':'), 6) => num(i + 4, 2)?,
                    (_, 5) => num(i + 3, 2)?,
                    _ => return None,
                };
                let offset = hh * 3600 + mm * 60;
                secs += if *sign == b'+' { -offset } else { offset };
            }
            _ => return None,
        }
    } else if i != b.len() {
        return None;
    }
    Some((secs, nanos))
}

/// `203.0.113.0/24`, `2001:db8::/32` or a single address.
fn parse_cidr(s: &str) -> Option<(IpAddr, u32)> {
    let s = s.trim();
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    let net: IpAddr = addr.parse().ok()?;
    let max = if net.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix {
        Some(p) => p.parse::<u32>().ok().filter(|p| *p <= max)?,
        None => max,
    };
    Some((net, prefix))
}

fn ip_in(request: &str, net: IpAddr, prefix: u32) -> bool {
    let request = request.trim();
    let addr = request.split_once('/').map_or(request, |(a, _)| a);
    let Ok(mut ip) = addr.parse::<IpAddr>() else {
        return false;
    };
    if let (IpAddr::V6(v6), IpAddr::V4(_)) = (ip, net) {
        if let Some(v4) = v6.to_ipv4_mapped() {
            ip = IpAddr::V4(v4);
        }
    }
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = u32::MAX.checked_shl(32 - prefix).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operator_names() {
        let op = Operator::parse("ForAnyValue:StringNotLikeIfExists").unwrap();
        assert_eq!(op.set, Some(SetOp::ForAnyValue));
        assert_eq!(op.family, Family::StringLike);
        assert!(op.negated && op.if_exists);
        assert_eq!(
            Operator::parse("stringequals").unwrap().family,
            Family::StringEquals
        );
        assert!(Operator::parse("NullIfExists").is_none());
        assert!(Operator::parse("StringSortOf").is_none());
        assert!(Operator::parse("").is_none());
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("1970-01-01"), Some((0, 0)));
        assert_eq!(parse_date("1970-01-02T00:00:00Z"), Some((86_400, 0)));
        assert_eq!(
            parse_date("2000-03-01T09:00:00+09:00"),
            parse_date("2000-03-01")
        );
        assert_eq!(
            parse_date("2024-02-29T12:30:15.25Z"),
            Some((1_709_209_815, 250_000_000))
        );
        assert_eq!(parse_date("1709209815"), Some((1_709_209_815, 0)));
        assert_eq!(parse_date("2024-02-30"), None);
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(parse_date("2024-01-01T25:00:00Z"), None);
        assert_eq!(parse_date("2024-01-01T10:00Z"), Some((1_704_103_200, 0)));
        assert_eq!(
            parse_date("2024-01-01T10:00:00-0130"),
            Some((1_704_108_600, 0))
        );
    }

    #[test]
    fn cidrs() {
        let (n, p) = parse_cidr("203.0.113.0/24").unwrap();
        assert!(ip_in("203.0.113.77", n, p));
        assert!(!ip_in("203.0.114.1", n, p));
        assert!(ip_in("::ffff:203.0.113.9", n, p));
        let (n, p) = parse_cidr("2001:DB8:1234:5678::/64").unwrap();
        assert!(ip_in("2001:db8:1234:5678:abcd::1", n, p));
        assert!(!ip_in("2001:db8:1234:5679::1", n, p));
        assert!(!ip_in("203.0.113.77", n, p));
        let (n, p) = parse_cidr("0.0.0.0/0").unwrap();
        assert!(ip_in("8.8.8.8", n, p));
        assert_eq!(parse_cidr("10.0.0.0/33"), None);
        assert_eq!(parse_cidr("10.0.0.1").map(|(_, p)| p), Some(32));
    }

    #[test]
    fn tri_logic() {
        let u = |k: &str| Tri::Unknown(vec![k.into()]);
        assert_eq!(u("a").and(Tri::False), Tri::False);
        assert_eq!(u("a").or(Tri::True), Tri::True);
        assert_eq!(
            u("a").and(u("b")),
            Tri::Unknown(vec!["a".into(), "b".into()])
        );
        assert_eq!(u("a").not(), u("a"));
        assert_eq!(Tri::all([]), Tri::True);
        assert_eq!(Tri::any([]), Tri::False);
    }
}
