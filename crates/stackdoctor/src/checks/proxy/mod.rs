//! Checks of one family: The reverse proxy and the upstreams it dials (Caddy, nginx, Traefik, labels).

pub mod php_fpm_script_not_found;
pub mod proxy_config_invalid;
pub mod proxy_dials_localhost;
pub mod proxy_no_healthy_upstreams;
pub mod proxy_redirect_loop;
pub mod proxy_site_mismatch;
pub mod proxy_upstream_lookup_failed;
pub mod proxy_upstream_no_shared_network;
pub mod proxy_upstream_refused;
pub mod proxy_websocket_upgrade_missing;
pub mod proxy_wrong_network_selected;
pub mod support;
pub mod tls_acme_challenge_failed;
pub mod upstream_crash_loop;
pub mod upstream_listens_on_localhost;
pub mod upstream_not_running;
pub mod upstream_port_not_published;
pub mod upstream_scheme_mismatch;
pub mod upstream_timeout;
pub mod upstream_unknown_host;
pub mod upstream_wrong_port;
