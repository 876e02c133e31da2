//! Where the secure origin is: `environment` (`sandbox`, `production`, an `https://` URL, or
//! a plain-HTTP URL on this machine for development) parsed into a base URL, and the origin
//! of that URL. The loopback exception is decided on the parsed host, so
//! `http://localhost.evil.example` or `http://localhost@evil.example` are not loopback.

/// PayKKa's hosts for the named environments.
const SANDBOX: &str = "https://openapi-sandbox.paykka.com";
const PRODUCTION: &str = "https://openapi.paykka.com";
const LOOPBACK_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];

/// The gateway base URL for `environment` (no trailing slash), or `None` if it is not one
/// we may talk to.
pub fn gateway_base(environment: &str) -> Option<String> {
    let url = match environment {
        "sandbox" => SANDBOX,
        "production" => PRODUCTION,
        other => other,
    };
    let (secure, rest) = match (url.strip_prefix("https://"), url.strip_prefix("http://")) {
        (Some(rest), _) => (true, rest),
        (None, Some(rest)) => (false, rest),
        _ => return None,
    };
    let (authority, path) = authority_and_path(rest);
    let (host, port) = split_port(authority)?;
    let host_ok = if host.starts_with('[') {
        host == "[::1]"
    } else {
        !host.is_empty()
            && !host.starts_with(['.', '-'])
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    };
    let port_ok =
        port.is_none_or(|p| (1..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
    let path_ok = path
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~/".contains(&b));
    let allowed = secure || LOOPBACK_HOSTS.contains(&host.to_ascii_lowercase().as_str());
    (host_ok && port_ok && path_ok && allowed && url.len() <= 300)
        .then(|| url.trim_end_matches('/').to_owned())
}

/// A URL after its `scheme://`, split before the first `/` of its path. (Checked splits:
/// on wasm, a char-boundary panic path costs more than the rest of this file.)
pub fn authority_and_path(rest: &str) -> (&str, &str) {
    rest.find('/')
        .and_then(|i| rest.split_at_checked(i))
        .unwrap_or((rest, ""))
}

/// `host[:port]` split; `None` for user info or an empty authority.
fn split_port(authority: &str) -> Option<(&str, Option<&str>)> {
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    if let Some(end) = authority.find(']') {
        let (host, rest) = authority.split_at_checked(end + 1)?;
        return match rest.strip_prefix(':') {
            Some(port) => Some((host, Some(port))),
            None if rest.is_empty() => Some((host, None)),
            None => None,
        };
    }
    Some(match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    })
}

/// The origin (`scheme://host[:port]`) of a base URL (one `gateway_base` gave: http or https).
pub fn origin_of(url: &str) -> String {
    let scheme = ["https://", "http://"]
        .into_iter()
        .find(|s| url.starts_with(s))
        .unwrap_or_default();
    let rest = url.get(scheme.len()..).unwrap_or_default();
    [scheme, authority_and_path(rest).0].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_environments_and_https_urls() {
        assert_eq!(gateway_base("sandbox").as_deref(), Some(SANDBOX));
        assert_eq!(gateway_base("production").as_deref(), Some(PRODUCTION));
        assert_eq!(
            gateway_base("https://pay.example.com:8443/base/").as_deref(),
            Some("https://pay.example.com:8443/base")
        );
        assert_eq!(
            gateway_base("http://127.0.0.1:8081").as_deref(),
            Some("http://127.0.0.1:8081")
        );
        assert_eq!(
            gateway_base("http://localhost").as_deref(),
            Some("http://localhost")
        );
        assert_eq!(
            gateway_base("http://[::1]:9/").as_deref(),
            Some("http://[::1]:9")
        );
    }

    #[test]
    fn plain_http_only_on_this_machine() {
        for bad in [
            "http://localhost.evil.example",
            "http://localhost@evil.example",
            "http://evil.example@localhost",
            "http://127.0.0.1.evil.example:80",
            "http://[::1].evil.example",
            "http://evil.example/localhost",
            "http://[::2]",
            "https://user:pw@pay.example.com",
            "https://pay.example.com?x=1",
            "https://pay.example.com#x",
            "https://pay.example.com/a b",
            "https://",
            "https://:443",
            "https://pay.example.com:80a",
            "javascript:alert(1)",
            "//pay.example.com",
            "test",
        ] {
            assert_eq!(gateway_base(bad), None, "{bad}");
        }
    }

    #[test]
    fn origins() {
        assert_eq!(origin_of("https://a.example:1/x/y"), "https://a.example:1");
        assert_eq!(origin_of("http://127.0.0.1:8081"), "http://127.0.0.1:8081");
    }
}
