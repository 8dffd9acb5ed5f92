//! ECS cpu and memory unit forms.

/// Task or container cpu as ECS accepts it: `"1024"`, `1024`, `"1 vCPU"`, `"0.25 vCPU"`,
/// `".5 vcpu"` → cpu units (1 vCPU = 1024). `None` when not parseable.
pub fn cpu_units(text: &str) -> Option<u32> {
    let t = text.trim();
    if let Ok(n) = t.parse::<u32>() {
        return Some(n);
    }
    let lower = t.to_ascii_lowercase();
    let number = lower.strip_suffix("vcpu")?.trim_end();
    scaled(number, 1024.0)
}

/// Task or container memory as ECS accepts it: `"2048"`, `2048`, `"2 GB"`, `"2GB"`,
/// `"0.5 GB"` → MiB (1 GB = 1024 MiB). `None` when not parseable.
pub fn memory_mib(text: &str) -> Option<u32> {
    let t = text.trim();
    if let Ok(n) = t.parse::<u32>() {
        return Some(n);
    }
    let lower = t.to_ascii_lowercase();
    if let Some(number) = lower
        .strip_suffix("gb")
        .or_else(|| lower.strip_suffix("gib"))
    {
        return scaled(number.trim_end(), 1024.0);
    }
    if let Some(number) = lower
        .strip_suffix("mb")
        .or_else(|| lower.strip_suffix("mib"))
    {
        return scaled(number.trim_end(), 1.0);
    }
    None
}

fn scaled(number: &str, factor: f64) -> Option<u32> {
    if number.is_empty()
        || !number.chars().all(|c| c.is_ascii_digit() || c == '.')
        || number.chars().filter(|c| *c == '.').count() > 1
        || number == "."
    {
        return None;
    }
    let v: f64 = number.parse().ok()?;
    let units = (v * factor).round();
    if !units.is_finite() || units < 0.0 || units > f64::from(u32::MAX) {
        return None;
    }
    Some(units as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_forms() {
        assert_eq!(cpu_units("1 vCPU"), Some(1024));
        assert_eq!(cpu_units("0.25 vCPU"), Some(256));
        assert_eq!(cpu_units(".5 vcpu"), Some(512));
        assert_eq!(cpu_units("2vCPU"), Some(2048));
        assert_eq!(cpu_units("1024"), Some(1024));
        assert_eq!(cpu_units(" 512 "), Some(512));
        assert_eq!(cpu_units("vCPU"), None);
        assert_eq!(cpu_units("1 GB"), None);
        assert_eq!(cpu_units("-1"), None);
        assert_eq!(cpu_units("lots"), None);
        assert_eq!(cpu_units("1.2.3 vCPU"), None);
    }

    #[test]
    fn memory_forms() {
        assert_eq!(memory_mib("2 GB"), Some(2048));
        assert_eq!(memory_mib("2GB"), Some(2048));
        assert_eq!(memory_mib("1.5 GB"), Some(1536));
        assert_eq!(memory_mib("0.5 GB"), Some(512));
        assert_eq!(memory_mib("512"), Some(512));
        assert_eq!(memory_mib("2048"), Some(2048));
        assert_eq!(memory_mib("garbage"), None);
        assert_eq!(memory_mib("GB"), None);
        assert_eq!(memory_mib("1e9 GB"), None);
        assert_eq!(memory_mib(""), None);
    }
}
