//! Which services carry a DNS name on Docker's networks: service names,
//! `container_name`s and network aliases, looked up case-insensitively.
//!
//! Built once from the services, so that resolving every upstream and every
//! host in every environment stays linear in the number of services.

use super::{NameKind, Service, ServiceId};
use std::collections::HashMap;

pub struct ServiceNames {
    by_name: HashMap<String, Vec<(ServiceId, NameKind)>>,
}

impl ServiceNames {
    pub fn of(services: &[Service]) -> ServiceNames {
        let mut by_name: HashMap<String, Vec<(ServiceId, NameKind)>> = HashMap::new();
        let mut add = |name: &str, id: ServiceId, kind: NameKind| {
            let carriers = by_name.entry(name.to_ascii_lowercase()).or_default();
            // Services are added in order, so a service already listed under
            // this name is the last one; its first kind (name, then container
            // name, then alias) is the one that counts.
            if carriers.last().is_none_or(|(last, _)| *last != id) {
                carriers.push((id, kind));
            }
        };
        for (id, service) in services.iter().enumerate() {
            add(&service.name, id, NameKind::ServiceName);
            if let Some(container) = &service.container_name {
                add(&container.value, id, NameKind::ContainerName);
            }
            for alias in service.attachments.iter().flat_map(|a| &a.aliases) {
                add(&alias.value, id, NameKind::NetworkAlias);
            }
        }
        ServiceNames { by_name }
    }

    /// The services that answer to `host` (Docker's DNS ignores case), in service order.
    pub fn carrying(&self, host: &str) -> &[(ServiceId, NameKind)] {
        self.by_name
            .get(&host.to_ascii_lowercase())
            .map_or(&[], Vec::as_slice)
    }
}
