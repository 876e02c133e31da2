//! The domain PayKKa's Create Apple Pay Session names (`domain_name`): a page origin's host.

/// The host of an origin (`http://127.0.0.1:8080` → `127.0.0.1`); none when it has none.
pub fn host_of(origin: &str) -> Option<&str> {
    let rest = origin.split_once("://")?.1;
    let host = rest.split('/').next()?;
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    (!host.is_empty()).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::host_of;

    #[test]
    fn an_origin_names_its_host() {
        assert_eq!(host_of("http://127.0.0.1:8080"), Some("127.0.0.1"));
        assert_eq!(host_of("https://shop.example"), Some("shop.example"));
        assert_eq!(host_of("https://shop.example/path"), Some("shop.example"));
        assert_eq!(host_of("shop.example"), None);
        assert_eq!(host_of("https://"), None);
    }
}
