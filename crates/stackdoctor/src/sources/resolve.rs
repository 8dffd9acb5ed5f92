//! Ties each upstream host to what it names: services (by service name,
//! network alias, `container_name`, or a `links:` alias of the proxy), the
//! proxy's own loopback, the Docker host, or nothing.
//!
//! This only says which services carry the name; whether the proxy can
//! reach them (shared network, running, listening) is for the checks.

use crate::model::service_names::ServiceNames;
use crate::model::{NameKind, ServiceId, StackModel, UpstreamTarget};
use std::net::IpAddr;

pub fn resolve_upstreams(model: &mut StackModel) {
    let names = ServiceNames::of(&model.services);
    let mut targets = Vec::new();
    for (p, proxy) in model.proxies.iter().enumerate() {
        for (s, site) in proxy.sites.iter().enumerate() {
            for (r, route) in site.routes.iter().enumerate() {
                for (u, upstream) in route.upstreams.iter().enumerate() {
                    if upstream.target != UpstreamTarget::Unknown {
                        continue;
                    }
                    let target = resolve(model, &names, proxy.service, &upstream.host);
                    targets.push(((p, s, r, u), target));
                }
            }
        }
    }
    for ((p, s, r, u), target) in targets {
        model.proxies[p].sites[s].routes[r].upstreams[u].target = target;
    }
}

fn resolve(
    model: &StackModel,
    names: &ServiceNames,
    proxy: Option<ServiceId>,
    host: &str,
) -> UpstreamTarget {
    let lower = host.to_ascii_lowercase();
    if matches!(lower.as_str(), "localhost" | "ip6-localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    {
        return UpstreamTarget::Loopback;
    }
    if lower == "host.docker.internal" || lower == "gateway.docker.internal" {
        return UpstreamTarget::DockerHost;
    }
    if host.parse::<IpAddr>().is_ok() {
        return UpstreamTarget::Address;
    }
    // Docker's DNS is case-insensitive.
    let mut candidates: Vec<(ServiceId, NameKind)> = names
        .carrying(host)
        .iter()
        .filter(|(id, _)| Some(*id) != proxy)
        .copied()
        .collect();
    if let Some(proxy) = proxy {
        for link in &model.services[proxy].links {
            let (service, alias) = &link.value;
            if alias.eq_ignore_ascii_case(host) {
                let project = model.services[proxy].project;
                if let Some(id) = model
                    .services
                    .iter()
                    .position(|s| &s.name == service && s.project == project)
                {
                    if !candidates.iter().any(|(c, _)| *c == id) {
                        candidates.push((id, NameKind::Link));
                    }
                }
            }
        }
    }
    if candidates.is_empty() {
        match model
            .inactive_services
            .iter()
            .position(|s| s.name.eq_ignore_ascii_case(host))
        {
            Some(index) => UpstreamTarget::InactiveService { index },
            None => UpstreamTarget::Unknown,
        }
    } else {
        UpstreamTarget::Services { candidates }
    }
}
