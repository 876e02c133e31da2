//! `collectBrowserInfo()`: what 3-D Secure 2 and PayKKa's `browser` object need from the
//! browser. The accept header and IP address are added by the merchant server.

use js_sys::Object;

use super::events::set;

/// Whether `haystack` holds `needle` (a byte scan: `str::contains` with a `&str` pattern
/// brings the two-way searcher, about 2 KB of wasm).
fn has(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// Coarse device class and OS from the user agent (PayKKa's enums).
fn classify(user_agent: &str, screen_width: i32) -> (&'static str, &'static str) {
    let lower = user_agent.to_ascii_lowercase();
    let ua = |needle: &str| has(lower.as_bytes(), needle);
    let os = if ua("iphone") || ua("ipad") || ua("ipod") {
        "IOS"
    } else if ua("android") {
        "ANDROID"
    } else if ua("windows") {
        "WINDOWS"
    } else if ua("mac os") || ua("macintosh") {
        "MACOS"
    } else {
        "LINUX"
    };
    let device = if ua("ipad") || ua("tablet") {
        "TABLET"
    } else if ua("mobi") || (os == "ANDROID" && screen_width < 600) {
        "MOBILE"
    } else {
        "PC"
    };
    (device, os)
}

/// The UTC offset as PayKKa writes it, e.g. `+08:00`, from `getTimezoneOffset()` minutes.
fn utc_offset(minutes_behind: i32) -> String {
    let ahead = -minutes_behind;
    let sign = if ahead < 0 { '-' } else { '+' };
    format!("{sign}{:02}:{:02}", ahead.abs() / 60, ahead.abs() % 60)
}

/// The 3-D Secure challenge window size code for a viewport width (EMVCo: 01–05).
fn challenge_window_size(width: i32) -> &'static str {
    match width {
        w if w >= 600 => "04",
        w if w >= 500 => "03",
        w if w >= 390 => "02",
        _ => "01",
    }
}

/// Browser data for 3-D Secure 2 and risk checks.
pub fn collect_browser_info() -> Object {
    let info = Object::new();
    let Some(window) = web_sys::window() else {
        return info;
    };
    let navigator = window.navigator();
    let user_agent = navigator.user_agent().unwrap_or_default();
    let screen = window.screen().ok();
    let width = screen.as_ref().and_then(|s| s.width().ok()).unwrap_or(0);
    let height = screen.as_ref().and_then(|s| s.height().ok()).unwrap_or(0);
    let depth = screen
        .as_ref()
        .and_then(|s| s.color_depth().ok())
        .unwrap_or(24);
    let viewport = window
        .inner_width()
        .ok()
        .and_then(|w| w.as_f64())
        .unwrap_or(0.0) as i32;
    let offset = js_sys::Date::new_0().get_timezone_offset() as i32;
    let (device, os) = classify(&user_agent, width);
    set(&info, "user_agent", user_agent.as_str());
    set(&info, "language", navigator.language().unwrap_or_default());
    set(&info, "color_depth", depth);
    set(&info, "screen_height", height);
    set(&info, "screen_width", width);
    set(&info, "timezone_offset", utc_offset(offset));
    set(&info, "java_enabled", false);
    set(&info, "javascript_enabled", true);
    set(&info, "device_type", device);
    set(&info, "device_os", os);
    set(&info, "terminal_type", "WEB");
    set(
        &info,
        "challenge_window_size",
        challenge_window_size(viewport),
    );
    info
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148";
        assert_eq!(classify(iphone, 390), ("MOBILE", "IOS"));
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0";
        assert_eq!(classify(chrome, 1920), ("PC", "LINUX"));
        assert_eq!(
            classify("Mozilla/5.0 (Windows NT 10.0; Win64)", 1920),
            ("PC", "WINDOWS")
        );
        assert_eq!(
            classify("Mozilla/5.0 (Linux; Android 14) Mobile", 412),
            ("MOBILE", "ANDROID")
        );
    }

    #[test]
    fn offsets_and_window_sizes() {
        assert_eq!(utc_offset(-480), "+08:00");
        assert_eq!(utc_offset(300), "-05:00");
        assert_eq!(utc_offset(0), "+00:00");
        assert_eq!(utc_offset(-330), "+05:30");
        assert_eq!(challenge_window_size(1280), "04");
        assert_eq!(challenge_window_size(320), "01");
    }
}
