//! The model catalogue (`crates/bedrock/data/models.toml`): for each known
//! foundation model, where its base ID is callable on demand, from which
//! Regions a system (cross-Region) inference profile exists and with which
//! geography prefix, where those profiles route, its lifecycle and whether a
//! Marketplace subscription happens on first use.
//!
//! The data is dated ([`Catalogue::as_of`]) and is only an offline fallback:
//! `ListFoundationModels` / `ListInferenceProfiles` in the client's Region are
//! authoritative. A user file (`--bedrock-models`) can extend or replace it
//! ([`Catalogue::with_user_file`]).

use super::ids::{self, ModelRef, RefKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::OnceLock;

const EMBEDDED: &str = include_str!("../data/models.toml");

/// A model's lifecycle state on Bedrock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LifecycleStatus {
    Active,
    /// Still callable; AWS keeps a model Legacy at least 6 months before EOL.
    /// Accounts that did not use it recently may be refused.
    Legacy,
    /// End of life: calls fail (`This model version has reached the end of its life`).
    Eol,
    #[default]
    Unknown,
}

/// Lifecycle data of one model: the latest status reported and the dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Lifecycle {
    /// The latest status the sources report (may be later than the region data).
    pub status: LifecycleStatus,
    /// The date it became Legacy (`YYYY-MM-DD`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legacy: Option<String>,
    /// The end-of-life date (`YYYY-MM-DD`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eol: Option<String>,
    /// Where the status comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Lifecycle {
    /// The status on `date` (`YYYY-MM-DD`), from the dates when known: EOL on
    /// or after `eol`; Legacy on or after `legacy`, Active before it. Without a
    /// Legacy date, a model reported EOL counts as Legacy before its EOL date;
    /// without dates, the reported status applies.
    pub fn status_on(&self, date: &str) -> LifecycleStatus {
        if let Some(eol) = &self.eol {
            if date >= eol.as_str() {
                return LifecycleStatus::Eol;
            }
        }
        if let Some(legacy) = &self.legacy {
            return if date >= legacy.as_str() {
                LifecycleStatus::Legacy
            } else {
                LifecycleStatus::Active
            };
        }
        match self.status {
            LifecycleStatus::Eol if self.eol.is_some() => LifecycleStatus::Legacy,
            status => status,
        }
    }
}

/// A geography of system inference profiles (`us.`, `apac.`, `global.`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Geography {
    /// The prefix without the dot (`apac`).
    pub prefix: String,
    pub name: String,
    /// Every Region from which some profile of this geography can be called.
    #[serde(default)]
    pub source_regions: Vec<String>,
    /// Where its profiles may route when a model does not list its own.
    #[serde(default)]
    pub destination_regions: Vec<String>,
    /// `global.`: sources and destinations are every commercial Region.
    #[serde(default)]
    pub all_commercial: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// One system profile of a model: `<geo>.<model id>` callable from `from`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileEntry {
    pub geo: String,
    /// Source Regions: the profile works only when called from these.
    pub from: Vec<String>,
    /// Destination Regions for calls from `from`; `None`: the geography's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// One foundation model of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelEntry {
    /// The base foundation-model ID (`anthropic.claude-3-haiku-20240307-v1:0`).
    pub id: String,
    pub provider: String,
    /// Display name (`Claude 3 Haiku`).
    pub name: String,
    /// Regions where the base ID can be invoked on demand.
    #[serde(default)]
    pub on_demand: Vec<String>,
    #[serde(default)]
    pub profiles: Vec<ProfileEntry>,
    /// Third-party model sold through AWS Marketplace: the first call in an
    /// account subscribes, which needs `aws-marketplace:Subscribe` and
    /// `aws-marketplace:ViewSubscriptions` on the caller.
    #[serde(default)]
    pub marketplace: bool,
    /// Anthropic's first-use (use case) form must be submitted once per account.
    #[serde(default)]
    pub use_case_form: bool,
    #[serde(default)]
    pub lifecycle: Lifecycle,
    /// No sourced Region data: the catalogue knows the ID (and its profile
    /// geographies, if listed) but says nothing of where it is callable.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub regions_unverified: bool,
    /// Where the entry's facts come from, and the date they were read (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl ModelEntry {
    /// Every Region from which some system profile of this model exists.
    pub fn profile_sources(&self) -> Vec<String> {
        let set: BTreeSet<&String> = self.profiles.iter().flat_map(|p| &p.from).collect();
        set.into_iter().cloned().collect()
    }

    /// The geography prefixes this model has profiles for.
    pub fn geos(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for p in &self.profiles {
            if !out.contains(&p.geo) {
                out.push(p.geo.clone());
            }
        }
        out
    }

    /// Source Regions of the model's `geo` profile.
    pub fn sources_of(&self, geo: &str) -> Vec<String> {
        let set: BTreeSet<&String> = self
            .profiles
            .iter()
            .filter(|p| p.geo == geo)
            .flat_map(|p| &p.from)
            .collect();
        set.into_iter().cloned().collect()
    }
}

/// A profile usable from a Region, as suggested by [`Catalogue::profiles_from`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfileOption {
    /// `apac.anthropic.claude-3-sonnet-20240229-v1:0`
    pub profile_id: String,
    pub geo: String,
    /// Where calls from the Region are routed (`*` = every commercial Region).
    pub destinations: Vec<String>,
}

/// Whether a model reference can be invoked from a Region, and how.
/// Variants about a catalogued model carry its [`Lifecycle`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "kebab-case")]
pub enum Availability {
    /// The base ID is callable on demand in the Region.
    OnDemand { model: String, lifecycle: Lifecycle },
    /// A system profile that works from the Region; it routes to `destinations`.
    ViaProfile {
        profile_id: String,
        destinations: Vec<String>,
        lifecycle: Lifecycle,
    },
    /// The base ID is not on demand in the Region, but a profile is: calling the
    /// base ID fails with "Invocation of model ID … with on-demand throughput
    /// isn’t supported". `profile_id` is the preferred one (a geography over
    /// `global.`, the smallest geography first); `alternatives` are the others.
    NeedsProfile {
        model: String,
        profile_id: String,
        alternatives: Vec<String>,
        lifecycle: Lifecycle,
    },
    /// The profile exists, but not from this Region (a `us.` profile called
    /// from ap-northeast-1): "The provided model identifier is invalid".
    /// `region_in_geography`: the Region belongs to the profile's geography, so
    /// the catalogue may merely be incomplete (verify live).
    ProfileNotFromRegion {
        profile: String,
        valid_source_regions: Vec<String>,
        region_in_geography: bool,
        /// A profile of the same model that works from the Region, if any.
        use_instead: Option<String>,
        lifecycle: Lifecycle,
    },
    /// No profile with this geography prefix exists for the model.
    NoSuchProfile {
        profile: String,
        existing_geos: Vec<String>,
        use_instead: Option<String>,
        lifecycle: Lifecycle,
    },
    /// Neither on demand nor through a profile from this Region.
    NotInRegion {
        model: String,
        offered_in: Vec<String>,
        profile_from: Vec<String>,
        lifecycle: Lifecycle,
    },
    /// An ARN names another Region than the client's; Bedrock resolves model
    /// ARNs in the endpoint's Region, so the identifier is rejected there.
    ArnRegionMismatch {
        arn_region: String,
        region: String,
        lifecycle: Option<Lifecycle>,
    },
    /// The model ID is not in the catalogue (`nearest`: a close known ID, for typos).
    Unknown { id: String, nearest: Option<String> },
    /// The catalogue knows the model but cannot say where it is callable: no
    /// Region is known for the call, or the catalogue has no sourced Region
    /// data for the model. Only Region-independent verdicts apply.
    Catalogued { model: String, lifecycle: Lifecycle },
    /// Application profiles, provisioned and custom models: what they route to
    /// cannot be known offline (`GetInferenceProfile` tells).
    NotCheckable { kind: RefKind },
    /// The Region is not an AWS Region code.
    UnknownRegion { region: String },
}

impl Availability {
    /// The lifecycle of the model, when the verdict is about a catalogued one.
    pub fn lifecycle(&self) -> Option<&Lifecycle> {
        match self {
            Availability::OnDemand { lifecycle, .. }
            | Availability::ViaProfile { lifecycle, .. }
            | Availability::NeedsProfile { lifecycle, .. }
            | Availability::ProfileNotFromRegion { lifecycle, .. }
            | Availability::NoSuchProfile { lifecycle, .. }
            | Availability::NotInRegion { lifecycle, .. }
            | Availability::Catalogued { lifecycle, .. } => Some(lifecycle),
            Availability::ArnRegionMismatch { lifecycle, .. } => lifecycle.as_ref(),
            _ => None,
        }
    }

    /// Whether the call as written can reach the model (lifecycle aside).
    pub fn is_callable(&self) -> bool {
        matches!(
            self,
            Availability::OnDemand { .. } | Availability::ViaProfile { .. }
        )
    }
}

/// A resource an identity policy must allow for the call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequiredArn {
    pub arn: String,
    /// The Region in the ARN (`None` for the region-less global form).
    pub region: Option<String>,
    /// Why it is needed.
    pub reason: String,
}

/// A catalogue file that does not parse or does not hold together.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    /// TOML syntax or shape (the error has the span).
    #[error("{0}")]
    Toml(#[from] toml::de::Error),
    #[error("{0}")]
    Invalid(String),
}

/// The model catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// The date of the region data (`YYYY-MM-DD`).
    #[serde(default)]
    pub as_of: String,
    /// Where the facts come from.
    #[serde(default)]
    pub sources: Vec<String>,
    /// Region codes of the commercial partition (`aws`).
    #[serde(default)]
    pub commercial_regions: Vec<String>,
    #[serde(default)]
    pub govcloud_regions: Vec<String>,
    #[serde(default)]
    pub china_regions: Vec<String>,
    #[serde(default)]
    pub geographies: Vec<Geography>,
    #[serde(default)]
    pub models: Vec<ModelEntry>,
}

/// A file as written: the catalogue plus `replace`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    #[serde(default)]
    replace: bool,
    #[serde(default)]
    as_of: String,
    #[serde(default)]
    sources: Vec<String>,
    #[serde(default)]
    commercial_regions: Vec<String>,
    #[serde(default)]
    govcloud_regions: Vec<String>,
    #[serde(default)]
    china_regions: Vec<String>,
    #[serde(default)]
    geographies: Vec<Geography>,
    #[serde(default)]
    models: Vec<ModelEntry>,
}

impl CatalogueFile {
    fn parse(text: &str) -> Result<(bool, Catalogue), CatalogueError> {
        let f: CatalogueFile = toml::from_str(text)?;
        Ok((
            f.replace,
            Catalogue {
                as_of: f.as_of,
                sources: f.sources,
                commercial_regions: f.commercial_regions,
                govcloud_regions: f.govcloud_regions,
                china_regions: f.china_regions,
                geographies: f.geographies,
                models: f.models,
            },
        ))
    }
}

static EMBEDDED_CATALOGUE: OnceLock<Catalogue> = OnceLock::new();

impl Catalogue {
    /// Whether this process has parsed the embedded catalogue (a caller can
    /// check that a run with no model to look up did not).
    pub fn embedded_is_parsed() -> bool {
        EMBEDDED_CATALOGUE.get().is_some()
    }

    /// The catalogue embedded in the binary, parsed once, at first use.
    pub fn embedded() -> &'static Catalogue {
        EMBEDDED_CATALOGUE.get_or_init(|| {
            Catalogue::from_toml(EMBEDDED)
                .unwrap_or_else(|e| panic!("embedded data/models.toml: {e}"))
        })
    }

    /// A standalone catalogue from a file's text (checked: known Regions and
    /// geographies, well-formed IDs and dates, no duplicate IDs).
    pub fn from_toml(text: &str) -> Result<Catalogue, CatalogueError> {
        let (_, catalogue) = CatalogueFile::parse(text)?;
        catalogue.check()?;
        Ok(catalogue)
    }

    /// The embedded catalogue with a user's file applied: by default the file
    /// extends it (its models and geographies replace those with the same
    /// `id` / `prefix` and add the others; its Region lists are added); with
    /// `replace = true` at the top the file is the whole catalogue.
    pub fn with_user_file(text: &str) -> Result<Catalogue, CatalogueError> {
        let (replace, user) = CatalogueFile::parse(text)?;
        let catalogue = if replace {
            user
        } else {
            let mut c = Catalogue::embedded().clone();
            c.merge(user);
            c
        };
        catalogue.check()?;
        Ok(catalogue)
    }

    /// Adds `other` to this catalogue: same-`id` models and same-`prefix`
    /// geographies are replaced, new ones appended; Region lists and sources
    /// are unioned; a non-empty `as_of` of `other` wins.
    pub fn merge(&mut self, other: Catalogue) {
        if !other.as_of.is_empty() {
            self.as_of = other.as_of;
        }
        let union = |mine: &mut Vec<String>, theirs: Vec<String>| {
            for s in theirs {
                if !mine.contains(&s) {
                    mine.push(s);
                }
            }
        };
        union(&mut self.sources, other.sources);
        union(&mut self.commercial_regions, other.commercial_regions);
        union(&mut self.govcloud_regions, other.govcloud_regions);
        union(&mut self.china_regions, other.china_regions);
        for g in other.geographies {
            match self.geographies.iter_mut().find(|x| x.prefix == g.prefix) {
                Some(x) => *x = g,
                None => self.geographies.push(g),
            }
        }
        for m in other.models {
            match self.models.iter_mut().find(|x| x.id == m.id) {
                Some(x) => *x = m,
                None => self.models.push(m),
            }
        }
    }

    fn check(&self) -> Result<(), CatalogueError> {
        let bad = |msg: String| Err(CatalogueError::Invalid(msg));
        let date_ok = |d: &str| {
            let b = d.as_bytes();
            b.len() == 10
                && b.iter().enumerate().all(|(i, c)| {
                    if i == 4 || i == 7 {
                        *c == b'-'
                    } else {
                        c.is_ascii_digit()
                    }
                })
        };
        if !self.as_of.is_empty() && !date_ok(&self.as_of) {
            return bad(format!("as_of `{}` is not a YYYY-MM-DD date", self.as_of));
        }
        for g in &self.geographies {
            if !ids::GEO_PREFIXES.contains(&g.prefix.as_str()) {
                return bad(format!(
                    "geography `{}`: unknown prefix (known: {})",
                    g.prefix,
                    ids::GEO_PREFIXES.join(", ")
                ));
            }
            for r in g.source_regions.iter().chain(&g.destination_regions) {
                if !self.is_region(r) {
                    return bad(format!(
                        "geography `{}`: `{r}` is not a Region code",
                        g.prefix
                    ));
                }
            }
        }
        let mut seen = BTreeSet::new();
        for m in &self.models {
            if !ids::is_base_id(&m.id) {
                return bad(format!(
                    "model `{}`: not a foundation-model ID (`provider.name`)",
                    m.id
                ));
            }
            if !seen.insert(m.id.as_str()) {
                return bad(format!("model `{}` is listed twice", m.id));
            }
            for d in [&m.lifecycle.legacy, &m.lifecycle.eol, &m.as_of]
                .into_iter()
                .flatten()
            {
                if !date_ok(d) {
                    return bad(format!(
                        "model `{}`: lifecycle date `{d}` is not YYYY-MM-DD",
                        m.id
                    ));
                }
            }
            for r in &m.on_demand {
                if !self.is_region(r) {
                    return bad(format!(
                        "model `{}`: on_demand `{r}` is not a Region code",
                        m.id
                    ));
                }
            }
            for p in &m.profiles {
                let Some(g) = self.geography(&p.geo) else {
                    return bad(format!(
                        "model `{}`: profile geography `{}` is not defined",
                        m.id, p.geo
                    ));
                };
                for r in p.from.iter().chain(p.to.iter().flatten()) {
                    if !self.is_region(r) {
                        return bad(format!(
                            "model `{}`: profile `{}`: `{r}` is not a Region code",
                            m.id, p.geo
                        ));
                    }
                }
                for r in &p.from {
                    if !self.geography_sources(g).contains(r) {
                        return bad(format!(
                            "model `{}`: `{}.` profile from `{r}`, which is not a source Region of the geography",
                            m.id, p.geo
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether `code` is a Region code of the catalogue (commercial, GovCloud or China).
    pub fn is_region(&self, code: &str) -> bool {
        [
            &self.commercial_regions,
            &self.govcloud_regions,
            &self.china_regions,
        ]
        .iter()
        .any(|list| list.iter().any(|r| r == code))
    }

    /// Whether `code` is a commercial (`aws` partition) Region.
    pub fn is_commercial_region(&self, code: &str) -> bool {
        self.commercial_regions.iter().any(|r| r == code)
    }

    /// The geography with this prefix (`apac`, not `apac.`).
    pub fn geography(&self, prefix: &str) -> Option<&Geography> {
        self.geographies.iter().find(|g| g.prefix == prefix)
    }

    fn geography_sources<'a>(&'a self, g: &'a Geography) -> &'a [String] {
        if g.all_commercial {
            &self.commercial_regions
        } else {
            &g.source_regions
        }
    }

    fn geography_destinations(&self, g: &Geography) -> Vec<String> {
        if g.all_commercial {
            self.commercial_regions.clone()
        } else {
            g.destination_regions.clone()
        }
    }

    /// The catalogue entry of a model: `id` may be a base ID or a profile ID
    /// (its geo prefix is ignored).
    pub fn lookup(&self, id: &str) -> Option<&ModelEntry> {
        let base = ModelRef::parse(id)
            .and_then(|r| r.base_id)
            .unwrap_or_else(|| id.to_string());
        self.models.iter().find(|m| m.id == base)
    }

    /// Where `<geo>.<model>` called from `source` routes: the model's own list
    /// for that source, else the geography's destinations.
    pub fn destinations(&self, model: &ModelEntry, geo: &str, source: &str) -> Vec<String> {
        let entries: Vec<&ProfileEntry> = model.profiles.iter().filter(|p| p.geo == geo).collect();
        let geography_default = || {
            self.geography(geo)
                .map(|g| self.geography_destinations(g))
                .unwrap_or_default()
        };
        if let Some(p) = entries.iter().find(|p| p.from.iter().any(|r| r == source)) {
            return p.to.clone().unwrap_or_else(geography_default);
        }
        let listed: BTreeSet<String> = entries
            .iter()
            .filter_map(|p| p.to.clone())
            .flatten()
            .collect();
        if listed.is_empty() {
            geography_default()
        } else {
            listed.into_iter().collect()
        }
    }

    /// The system profiles of `model` usable from `region`, best first: a
    /// geography before `global.`, the geography with fewer destinations first.
    pub fn profiles_from(&self, model: &ModelEntry, region: &str) -> Vec<ProfileOption> {
        let mut out: Vec<ProfileOption> = Vec::new();
        for p in &model.profiles {
            if !p.from.iter().any(|r| r == region) || out.iter().any(|o| o.geo == p.geo) {
                continue;
            }
            let global = self.geography(&p.geo).is_some_and(|g| g.all_commercial);
            out.push(ProfileOption {
                profile_id: format!("{}.{}", p.geo, model.id),
                geo: p.geo.clone(),
                destinations: if global {
                    vec!["*".to_string()]
                } else {
                    self.destinations(model, &p.geo, region)
                },
            });
        }
        let is_global =
            |o: &ProfileOption| self.geography(&o.geo).is_some_and(|g| g.all_commercial);
        out.sort_by(|a, b| {
            (is_global(a), a.destinations.len(), &a.geo).cmp(&(
                is_global(b),
                b.destinations.len(),
                &b.geo,
            ))
        });
        out
    }

    /// Whether `model` can be invoked from `region`, and how.
    pub fn availability(&self, model: &ModelRef, region: &str) -> Availability {
        if !self.is_region(region) {
            return Availability::UnknownRegion {
                region: region.to_string(),
            };
        }
        let entry = model.base_id.as_deref().and_then(|b| self.lookup(b));
        if model.kind.is_arn() {
            if let Some(arn_region) = &model.region {
                if arn_region != region {
                    return Availability::ArnRegionMismatch {
                        arn_region: arn_region.clone(),
                        region: region.to_string(),
                        lifecycle: entry.map(|e| e.lifecycle.clone()),
                    };
                }
            }
        }
        let Some(base) = model.base_id.as_deref() else {
            return Availability::NotCheckable { kind: model.kind };
        };
        let Some(entry) = entry else {
            return Availability::Unknown {
                id: model.profile_id().unwrap_or_else(|| base.to_string()),
                nearest: self.nearest(base).map(str::to_string),
            };
        };
        let lifecycle = entry.lifecycle.clone();
        if entry.regions_unverified {
            return self.without_region_data(entry, model.geo.as_deref());
        }
        let options = self.profiles_from(entry, region);
        let Some(geo) = model.geo.as_deref() else {
            if entry.on_demand.iter().any(|r| r == region) {
                return Availability::OnDemand {
                    model: entry.id.clone(),
                    lifecycle,
                };
            }
            let mut ids = options.into_iter().map(|o| o.profile_id);
            return match ids.next() {
                Some(profile_id) => Availability::NeedsProfile {
                    model: entry.id.clone(),
                    profile_id,
                    alternatives: ids.collect(),
                    lifecycle,
                },
                None => Availability::NotInRegion {
                    model: entry.id.clone(),
                    offered_in: entry.on_demand.clone(),
                    profile_from: entry.profile_sources(),
                    lifecycle,
                },
            };
        };
        let profile = format!("{geo}.{}", entry.id);
        let use_instead = options.first().map(|o| o.profile_id.clone());
        if let Some(option) = options.iter().find(|o| o.geo == geo) {
            return Availability::ViaProfile {
                profile_id: profile,
                destinations: option.destinations.clone(),
                lifecycle,
            };
        }
        let sources = entry.sources_of(geo);
        if sources.is_empty() {
            return Availability::NoSuchProfile {
                profile,
                existing_geos: entry.geos(),
                use_instead,
                lifecycle,
            };
        }
        let region_in_geography = self
            .geography(geo)
            .is_some_and(|g| self.geography_sources(g).iter().any(|r| r == region));
        Availability::ProfileNotFromRegion {
            profile,
            valid_source_regions: sources,
            region_in_geography,
            use_instead,
            lifecycle,
        }
    }

    /// What can be said of `model` when the Region of the call is not known:
    /// whether the ID exists (with the nearest known one for a typo), whether
    /// its profile geography exists for the model, and its lifecycle.
    pub fn availability_anywhere(&self, model: &ModelRef) -> Availability {
        let Some(base) = model.base_id.as_deref() else {
            return Availability::NotCheckable { kind: model.kind };
        };
        match self.lookup(base) {
            Some(entry) => self.without_region_data(entry, model.geo.as_deref()),
            None => Availability::Unknown {
                id: model.profile_id().unwrap_or_else(|| base.to_string()),
                nearest: self.nearest(base).map(str::to_string),
            },
        }
    }

    /// The verdict for a known model without Region data: a profile prefix
    /// the model never has is wrong anywhere; otherwise only its lifecycle counts.
    fn without_region_data(&self, entry: &ModelEntry, geo: Option<&str>) -> Availability {
        let geos = entry.geos();
        match geo {
            Some(geo) if !geos.is_empty() && !geos.iter().any(|g| g == geo) => {
                Availability::NoSuchProfile {
                    profile: format!("{geo}.{}", entry.id),
                    // Which geography fits depends on the Region, which is not known here.
                    use_instead: None,
                    existing_geos: geos,
                    lifecycle: entry.lifecycle.clone(),
                }
            }
            _ => Availability::Catalogued {
                model: entry.id.clone(),
                lifecycle: entry.lifecycle.clone(),
            },
        }
    }

    /// The ARNs an identity policy must allow (for `bedrock:InvokeModel` or
    /// `bedrock:InvokeModelWithResponseStream`) to call `model` from `region`:
    /// on demand, the foundation-model ARN in that Region; for a system
    /// profile, the profile ARN in the source Region and the foundation-model
    /// ARN in every destination Region (for `global.`: in the source Region plus
    /// the region-less `arn:aws:bedrock:::foundation-model/<id>`). ARNs given as
    /// the model ID keep their own Region and account. `account` `None` = `*`.
    pub fn required_arns(
        &self,
        model: &ModelRef,
        region: &str,
        account: Option<&str>,
    ) -> Vec<RequiredArn> {
        let source = model.region.clone().unwrap_or_else(|| region.to_string());
        let partition = model
            .partition
            .clone()
            .unwrap_or_else(|| ids::partition_of(&source).to_string());
        let account = model
            .account
            .clone()
            .or(account.map(str::to_string))
            .unwrap_or_else(|| "*".to_string());
        let fm = |r: &str, id: &str| format!("arn:{partition}:bedrock:{r}::foundation-model/{id}");
        match model.kind {
            RefKind::FoundationModelId | RefKind::FoundationModelArn => {
                let id = model.base_id.clone().unwrap_or_default();
                vec![RequiredArn {
                    arn: fm(&source, &id),
                    region: Some(source.clone()),
                    reason: format!("the foundation model, invoked on demand in {source}"),
                }]
            }
            RefKind::SystemProfileId | RefKind::InferenceProfileArn => {
                let id = model.base_id.clone().unwrap_or_default();
                let profile = model.profile_id().unwrap_or_else(|| id.clone());
                let mut out = vec![RequiredArn {
                    arn: format!("arn:{partition}:bedrock:{source}:{account}:inference-profile/{profile}"),
                    region: Some(source.clone()),
                    reason: format!("the inference profile, called from its source Region {source}"),
                }];
                let geo = model.geo.clone().unwrap_or_default();
                let global = self.geography(&geo).is_some_and(|g| g.all_commercial) || geo == "global";
                if global {
                    out.push(RequiredArn {
                        arn: fm(&source, &id),
                        region: Some(source.clone()),
                        reason: format!("the foundation model in the source Region {source} (global profile)"),
                    });
                    out.push(RequiredArn {
                        arn: format!("arn:{partition}:bedrock:::foundation-model/{id}"),
                        region: None,
                        reason: "the region-less foundation model: a global profile may route to any commercial Region"
                            .to_string(),
                    });
                    return out;
                }
                let destinations = match self.lookup(&id) {
                    Some(entry) => self.destinations(entry, &geo, &source),
                    None => self.geography(&geo).map(|g| self.geography_destinations(g)).unwrap_or_default(),
                };
                for d in destinations {
                    out.push(RequiredArn {
                        arn: fm(&d, &id),
                        region: Some(d.clone()),
                        reason: format!("the foundation model in {d}, a destination of `{profile}` from {source}"),
                    });
                }
                out
            }
            RefKind::ApplicationProfileArn => vec![RequiredArn {
                arn: model.text.clone(),
                region: model.region.clone(),
                reason: "the application inference profile; also the foundation-model ARNs it routes to (GetInferenceProfile lists them)".to_string(),
            }],
            RefKind::ProvisionedModelArn | RefKind::OtherArn => vec![RequiredArn {
                arn: model.text.clone(),
                region: model.region.clone(),
                reason: "the model resource named by the ARN".to_string(),
            }],
        }
    }

    /// The closest catalogued foundation-model ID to `id` by edit distance, for
    /// typos (`claude-3-sonet`, a wrong date); `None` when nothing is close
    /// enough or two IDs are equally close. A geo prefix is ignored; an ID in
    /// the catalogue returns itself.
    pub fn nearest(&self, id: &str) -> Option<&str> {
        let base = ModelRef::parse(id)
            .and_then(|r| r.base_id)
            .unwrap_or_else(|| id.trim().to_string());
        let base = base.to_ascii_lowercase();
        if let Some(m) = self.models.iter().find(|m| m.id == base) {
            return Some(&m.id);
        }
        // The version suffix left out (`amazon.titan-embed-text-v2` for `…-v2:0`).
        let mut with_suffix = self.models.iter().filter(|m| {
            m.id.strip_prefix(base.as_str())
                .is_some_and(|rest| rest.starts_with(':'))
        });
        if let (Some(m), None) = (with_suffix.next(), with_suffix.next()) {
            return Some(&m.id);
        }
        let limit = (base.chars().count() / 8).clamp(2, 6);
        let mut best: Option<(usize, &str)> = None;
        let mut tie = false;
        for m in &self.models {
            let d = edit_distance(&base, &m.id);
            match best {
                Some((bd, _)) if d > bd => {}
                Some((bd, _)) if d == bd => tie = true,
                _ => {
                    best = Some((d, &m.id));
                    tie = false;
                }
            }
        }
        match best {
            Some((d, id)) if d <= limit && !tie => Some(id),
            _ => None,
        }
    }
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const SONNET3: &str = "anthropic.claude-3-sonnet-20240229-v1:0";

    fn cat() -> &'static Catalogue {
        Catalogue::embedded()
    }

    fn parse(text: &str) -> ModelRef {
        ModelRef::parse(text).unwrap_or_else(|| panic!("{text} should parse"))
    }

    #[test]
    fn embedded_catalogue_is_dated_and_covers_the_table() {
        let c = cat();
        assert_eq!(c.as_of, "2026-02-15");
        assert!(!c.sources.is_empty());
        assert_eq!(c.models.len(), 62);
        // Every entry added after the first table says where it comes from and when.
        for m in c.models.iter().filter(|m| m.as_of.is_some()) {
            assert!(m.source.is_some(), "{}", m.id);
        }
        for prefix in ["us", "us-gov", "eu", "apac", "jp", "au", "ca", "global"] {
            assert!(c.geography(prefix).is_some(), "{prefix}");
        }
        for provider in ["anthropic", "amazon", "meta", "mistral", "cohere"] {
            assert!(
                c.models.iter().any(|m| m.provider == provider),
                "{provider}"
            );
        }
        // Amazon's own models are not sold through Marketplace; third-party ones are.
        assert!(c
            .models
            .iter()
            .filter(|m| m.provider == "amazon")
            .all(|m| !m.marketplace));
        assert!(c
            .models
            .iter()
            .filter(|m| m.provider == "anthropic")
            .all(|m| m.marketplace && m.use_case_form));
    }

    #[test]
    fn seed_claude_3_sonnet_from_tokyo_needs_the_apac_profile_and_is_eol() {
        let a = cat().availability(&parse(SONNET3), "ap-northeast-1");
        let Availability::NeedsProfile {
            profile_id,
            lifecycle,
            ..
        } = &a
        else {
            panic!("{a:?}");
        };
        assert_eq!(profile_id, "apac.anthropic.claude-3-sonnet-20240229-v1:0");
        assert_eq!(lifecycle.status, LifecycleStatus::Eol);
        assert_eq!(lifecycle.status_on("2026-02-15"), LifecycleStatus::Legacy);
        assert_eq!(lifecycle.status_on("2026-11-24"), LifecycleStatus::Eol);
        assert_eq!(lifecycle.status_on("2025-06-01"), LifecycleStatus::Active);
        assert!(!a.is_callable());
    }

    #[test]
    fn seed_claude_3_sonnet_from_virginia_is_on_demand() {
        let a = cat().availability(&parse(SONNET3), "us-east-1");
        assert!(
            matches!(&a, Availability::OnDemand { model, .. } if model == SONNET3),
            "{a:?}"
        );
        assert!(a.is_callable());
        assert_eq!(a.lifecycle().unwrap().eol.as_deref(), Some("2026-07-30"));
    }

    #[test]
    fn a_us_profile_from_tokyo_is_not_from_its_region() {
        let a = cat().availability(
            &parse("us.anthropic.claude-3-sonnet-20240229-v1:0"),
            "ap-northeast-1",
        );
        let Availability::ProfileNotFromRegion {
            profile,
            valid_source_regions,
            region_in_geography,
            use_instead,
            ..
        } = &a
        else {
            panic!("{a:?}");
        };
        assert_eq!(profile, "us.anthropic.claude-3-sonnet-20240229-v1:0");
        assert_eq!(valid_source_regions, &["us-east-1", "us-west-2"]);
        assert!(!region_in_geography);
        assert_eq!(
            use_instead.as_deref(),
            Some("apac.anthropic.claude-3-sonnet-20240229-v1:0")
        );
    }

    #[test]
    fn the_apac_profile_from_tokyo_works_and_lists_its_destinations() {
        let a = cat().availability(
            &parse("apac.anthropic.claude-3-sonnet-20240229-v1:0"),
            "ap-northeast-1",
        );
        let Availability::ViaProfile { destinations, .. } = &a else {
            panic!("{a:?}");
        };
        assert!(
            destinations.contains(&"ap-northeast-1".to_string())
                && destinations.contains(&"ap-southeast-2".to_string())
        );
        assert!(a.is_callable());
    }

    #[test]
    fn geo_profiles_are_preferred_over_global_and_smaller_geos_first() {
        let haiku45 = "anthropic.claude-haiku-4-5-20251001-v1:0";
        let a = cat().availability(&parse(haiku45), "ap-northeast-1");
        let Availability::NeedsProfile {
            profile_id,
            alternatives,
            ..
        } = &a
        else {
            panic!("{a:?}");
        };
        assert_eq!(profile_id, &format!("jp.{haiku45}"));
        assert_eq!(alternatives, &[format!("global.{haiku45}")]);
        // Only global from São Paulo.
        let a = cat().availability(&parse(haiku45), "sa-east-1");
        assert!(
            matches!(&a, Availability::NeedsProfile { profile_id, .. } if profile_id == &format!("global.{haiku45}")),
            "{a:?}"
        );
    }

    #[test]
    fn no_such_profile_and_not_in_region() {
        let a = cat().availability(
            &parse("jp.anthropic.claude-3-sonnet-20240229-v1:0"),
            "ap-northeast-1",
        );
        assert!(
            matches!(&a, Availability::NoSuchProfile { use_instead: Some(u), .. } if u.starts_with("apac.")),
            "{a:?}"
        );
        let a = cat().availability(&parse("cohere.command-r-v1:0"), "ap-northeast-1");
        let Availability::NotInRegion {
            offered_in,
            profile_from,
            ..
        } = &a
        else {
            panic!("{a:?}");
        };
        assert_eq!(offered_in, &["us-east-1", "us-west-2"]);
        assert!(profile_from.is_empty());
    }

    #[test]
    fn arns_are_checked_against_the_client_region() {
        let arn = parse(
            "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-sonnet-20240229-v1:0",
        );
        assert!(matches!(
            cat().availability(&arn, "us-east-1"),
            Availability::OnDemand { .. }
        ));
        let a = cat().availability(&arn, "ap-northeast-1");
        assert!(
            matches!(&a, Availability::ArnRegionMismatch { arn_region, .. } if arn_region == "us-east-1"),
            "{a:?}"
        );
        let app = parse(
            "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abcdef123456",
        );
        assert_eq!(
            cat().availability(&app, "us-east-1"),
            Availability::NotCheckable {
                kind: RefKind::ApplicationProfileArn
            }
        );
    }

    #[test]
    fn unknown_models_and_regions() {
        let a = cat().availability(
            &parse("anthropic.claude-3-sonet-20240229-v1:0"),
            "us-east-1",
        );
        assert_eq!(
            a,
            Availability::Unknown {
                id: "anthropic.claude-3-sonet-20240229-v1:0".into(),
                nearest: Some(SONNET3.into())
            }
        );
        assert!(matches!(
            cat().availability(&parse(SONNET3), "ap-northeast1"),
            Availability::UnknownRegion { .. }
        ));
    }

    #[test]
    fn nearest_finds_typos_and_wrong_dates_only_when_close() {
        let c = cat();
        assert_eq!(
            c.nearest("anthropic.claude-3-sonet-20240229-v1:0"),
            Some(SONNET3)
        );
        assert_eq!(
            c.nearest("anthropic.claude-3-sonnet-20240307-v1:0"),
            Some(SONNET3)
        );
        assert_eq!(
            c.nearest("apac.anthropic.claude-3-sonet-20240229-v1:0"),
            Some(SONNET3)
        );
        assert_eq!(
            c.nearest("Anthropic.Claude-3-Sonnet-20240229-V1:0"),
            Some(SONNET3)
        );
        assert_eq!(c.nearest(SONNET3), Some(SONNET3));
        assert_eq!(c.nearest("openai.gpt-oss-120b-1:0"), None);
        assert_eq!(c.nearest("anthropic.claude-opus-4-7"), None);
        assert_eq!(
            c.nearest("anthropic.claude-sonnet-4-6"),
            Some("anthropic.claude-sonnet-4-6")
        );
    }

    #[test]
    fn required_arns_on_demand() {
        let arns = cat().required_arns(&parse(SONNET3), "us-east-1", Some("123456789012"));
        assert_eq!(arns.len(), 1);
        assert_eq!(
            arns[0].arn,
            "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-sonnet-20240229-v1:0"
        );
        assert!(arns[0].reason.contains("on demand"));
    }

    #[test]
    fn required_arns_for_a_geo_profile_cover_every_destination() {
        let arns = cat().required_arns(
            &parse("apac.anthropic.claude-3-sonnet-20240229-v1:0"),
            "ap-northeast-1",
            Some("123456789012"),
        );
        let list: Vec<&str> = arns.iter().map(|a| a.arn.as_str()).collect();
        assert_eq!(
            list,
            [
                "arn:aws:bedrock:ap-northeast-1:123456789012:inference-profile/apac.anthropic.claude-3-sonnet-20240229-v1:0",
                "arn:aws:bedrock:ap-northeast-1::foundation-model/anthropic.claude-3-sonnet-20240229-v1:0",
                "arn:aws:bedrock:ap-northeast-2::foundation-model/anthropic.claude-3-sonnet-20240229-v1:0",
                "arn:aws:bedrock:ap-south-1::foundation-model/anthropic.claude-3-sonnet-20240229-v1:0",
                "arn:aws:bedrock:ap-southeast-1::foundation-model/anthropic.claude-3-sonnet-20240229-v1:0",
                "arn:aws:bedrock:ap-southeast-2::foundation-model/anthropic.claude-3-sonnet-20240229-v1:0",
            ]
        );
        // Destinations depend on the source Region (AWS's own example).
        let haiku = parse("us.anthropic.claude-3-haiku-20240307-v1:0");
        assert_eq!(cat().required_arns(&haiku, "us-east-2", None).len(), 4);
        let from_oregon = cat().required_arns(&haiku, "us-west-2", None);
        assert_eq!(from_oregon.len(), 3);
        assert!(from_oregon[0]
            .arn
            .starts_with("arn:aws:bedrock:us-west-2:*:inference-profile/"));
    }

    #[test]
    fn required_arns_for_a_global_profile_include_the_region_less_arn() {
        let arns = cat().required_arns(
            &parse("global.anthropic.claude-sonnet-4-5-20250929-v1:0"),
            "ap-northeast-1",
            Some("123456789012"),
        );
        let list: Vec<&str> = arns.iter().map(|a| a.arn.as_str()).collect();
        assert_eq!(
            list,
            [
                "arn:aws:bedrock:ap-northeast-1:123456789012:inference-profile/global.anthropic.claude-sonnet-4-5-20250929-v1:0",
                "arn:aws:bedrock:ap-northeast-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
                "arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
            ]
        );
        assert_eq!(arns[2].region, None);
    }

    #[test]
    fn required_arns_keep_an_arn_s_own_region_and_account() {
        let arn = parse("arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0");
        let arns = cat().required_arns(&arn, "us-east-1", Some("999999999999"));
        assert_eq!(arns[0].arn, arn.text);
        assert_eq!(arns.len(), 4);
        let gov = cat().required_arns(
            &parse("anthropic.claude-3-haiku-20240307-v1:0"),
            "us-gov-west-1",
            None,
        );
        assert!(gov[0]
            .arn
            .starts_with("arn:aws-us-gov:bedrock:us-gov-west-1::"));
    }

    #[test]
    fn regions_are_known_by_partition() {
        let c = cat();
        for r in [
            "us-east-1",
            "ap-northeast-1",
            "ap-east-2",
            "mx-central-1",
            "us-gov-west-1",
            "cn-north-1",
        ] {
            assert!(c.is_region(r), "{r}");
        }
        for r in ["ap-northeast1", "us-east", "eu-central-3", "tokyo", ""] {
            assert!(!c.is_region(r), "{r}");
        }
        assert!(c.is_commercial_region("eu-west-3") && !c.is_commercial_region("us-gov-east-1"));
    }

    #[test]
    fn every_profile_source_maps_to_a_geography_and_each_model_is_reachable() {
        let c = cat();
        for m in c.models.iter().filter(|m| !m.regions_unverified) {
            assert!(
                !m.on_demand.is_empty() || !m.profiles.is_empty(),
                "{} is callable nowhere",
                m.id
            );
            for p in &m.profiles {
                let dest = c.destinations(m, &p.geo, &p.from[0]);
                assert!(!dest.is_empty(), "{} {}", m.id, p.geo);
            }
        }
    }

    #[test]
    fn user_files_extend_or_replace() {
        let extra = r#"
            [[models]]
            id = "anthropic.claude-sonnet-4-6"
            provider = "anthropic"
            name = "Claude Sonnet 4.6"
            marketplace = true
            lifecycle = { status = "active" }
            [[models.profiles]]
            geo = "jp"
            from = ["ap-northeast-1", "ap-northeast-3"]

            [[models]]
            id = "anthropic.claude-3-sonnet-20240229-v1:0"
            provider = "anthropic"
            name = "Claude 3 Sonnet (mine)"
            on_demand = ["ap-northeast-1"]
        "#;
        let c = Catalogue::with_user_file(extra).unwrap();
        // Both replace embedded entries: Sonnet 4.6 gains the Region data the embedded entry lacks.
        assert_eq!(c.models.len(), 62);
        assert_eq!(c.lookup(SONNET3).unwrap().name, "Claude 3 Sonnet (mine)");
        assert!(matches!(
            c.availability(&parse(SONNET3), "ap-northeast-1"),
            Availability::OnDemand { .. }
        ));
        assert!(matches!(
            c.availability(&parse("jp.anthropic.claude-sonnet-4-6"), "ap-northeast-3"),
            Availability::ViaProfile { .. }
        ));
        let alone = Catalogue::with_user_file(&format!(
            "replace = true\ncommercial_regions = [\"us-east-1\"]\n{}",
            "[[geographies]]\nprefix = \"jp\"\nname = \"Japan\"\n"
        ))
        .unwrap();
        assert!(alone.models.is_empty());
        assert!(!alone.is_region("ap-northeast-1"));
    }

    #[test]
    fn bad_user_files_are_errors() {
        assert!(matches!(
            Catalogue::with_user_file("models = 3"),
            Err(CatalogueError::Toml(_))
        ));
        assert!(matches!(
            Catalogue::with_user_file("[[modles]]\nid = \"x.y\""),
            Err(CatalogueError::Toml(_))
        ));
        let bad_region = "[[models]]\nid = \"a.b-1\"\nprovider = \"a\"\nname = \"B\"\non_demand = [\"us-east-9\"]\n";
        assert!(
            matches!(Catalogue::with_user_file(bad_region), Err(CatalogueError::Invalid(m)) if m.contains("us-east-9"))
        );
        let bad_geo = "[[models]]\nid = \"a.b-1\"\nprovider = \"a\"\nname = \"B\"\n[[models.profiles]]\ngeo = \"mars\"\nfrom = [\"us-east-1\"]\n";
        assert!(matches!(
            Catalogue::with_user_file(bad_geo),
            Err(CatalogueError::Invalid(_))
        ));
        let off_geo = "[[models]]\nid = \"a.b-1\"\nprovider = \"a\"\nname = \"B\"\n[[models.profiles]]\ngeo = \"jp\"\nfrom = [\"us-east-1\"]\n";
        assert!(matches!(
            Catalogue::with_user_file(off_geo),
            Err(CatalogueError::Invalid(_))
        ));
    }

    #[test]
    fn edit_distance_counts_characters() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("東京", "東京"), 0);
    }
}
