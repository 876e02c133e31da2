//! Layout in the engine `PAYKKA_BROWSER` names, at 320, 768 and 1280 px, for the prebuilt
//! layout, a layout of the page's own (holders) and the drop-in: every input fills its
//! field's frame less the padding around it, each frame fills its holder less the holder's
//! padding, labels stay on one line (they are short: there is room at 320 px), the brand
//! mark sits inside the number input, and nothing overflows, in the page or in a frame.
//! Screenshots of each go to `target/layout/<engine>/<page>-<width>.png`. Chromium's window
//! takes every width; Firefox's is at least 500 px wide and MiniBrowser's (WebKit) 447 px,
//! so where the window cannot be that narrow the page is shown in a frame of that width
//! (the lab's `viewport.html`), whose media and container queries see 320 px.

mod support;

use std::path::PathBuf;

use fantoccini::Client;
use serde_json::{json, Value};
use support::{browser, eval, settled, urlencode, wait_for, Server};

const WIDTHS: [u32; 3] = [320, 768, 1280];

/// Inside a field's frame: the input against the frame less every padding, border and
/// margin between them; the label's lines; the brand mark against the input; overflow.
const FRAME_GEOMETRY: &str = r#"
const input = document.querySelector('input');
const box = input.getBoundingClientRect();
const px = (element, side) => parseFloat(getComputedStyle(element)[side]) || 0;
let around = px(input, 'marginLeft') + px(input, 'marginRight');
for (let e = input.parentElement; e; e = e.parentElement) {
  around += px(e, 'paddingLeft') + px(e, 'paddingRight') + px(e, 'borderLeftWidth')
    + px(e, 'borderRightWidth') + px(e, 'marginLeft') + px(e, 'marginRight');
}
const width = document.documentElement.clientWidth;
const label = document.querySelector('label');
let labelLines = 0;
if (label && label.textContent.trim()) {
  const range = document.createRange();
  range.selectNodeContents(label);
  labelLines = new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
}
const mark = document.querySelector('.paykka-brand-icon');
const markBox = mark && mark.getBoundingClientRect();
return {
  field: document.querySelector('[data-field]')?.dataset.field,
  height: [document.documentElement.scrollHeight, document.documentElement.clientHeight],
  fills: Math.abs(box.width - (width - around)) <= 1,
  inputWidth: box.width, frameWidth: width, around,
  labelLines,
  markInside: !mark || (markBox.width > 0 && markBox.left >= box.left - 0.5
    && markBox.right <= box.right + 0.5 && markBox.top >= box.top - 0.5
    && markBox.bottom <= box.bottom + 0.5),
  overflows: document.documentElement.scrollWidth > width
    || document.documentElement.scrollHeight > document.documentElement.clientHeight + 1,
};
"#;

/// In the page: overflow, and each frame against its holder less the holder's padding.
const PAGE_GEOMETRY: &str = r#"
const px = (element, side) => parseFloat(getComputedStyle(element)[side]) || 0;
return {
  innerWidth: window.innerWidth,
  overflows: document.documentElement.scrollWidth > window.innerWidth,
  frames: [...document.querySelectorAll('iframe')].map((frame) => {
    const holder = frame.parentElement;
    const room = holder.clientWidth - px(holder, 'paddingLeft') - px(holder, 'paddingRight');
    const width = frame.getBoundingClientRect().width;
    return { title: frame.title, width, room, fills: Math.abs(width - room) <= 1 };
  }),
};
"#;

fn shots_dir() -> PathBuf {
    let engine = headless::Engine::from_env().name();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../target/layout")
        .join(engine);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Checks one page as it is laid out now (in the current browsing context: the top, or the
/// viewport frame); returns what was wrong.
async fn check(c: &Client, page: &str, width: u32, frames: u16) -> Vec<String> {
    let mut wrong = Vec::new();
    let where_ = format!("{page} at {width} px");
    // The frames take their heights by messages: wait until the page stops moving.
    settled(c, "return document.documentElement.scrollHeight").await;

    let seen = eval(c, PAGE_GEOMETRY).await;
    if seen["innerWidth"] != json!(width) {
        wrong.push(format!(
            "{where_}: the page is {} px wide",
            seen["innerWidth"]
        ));
    }
    if seen["overflows"] != json!(false) {
        wrong.push(format!("{where_}: the page scrolls sideways"));
    }
    let frames_seen = seen["frames"].as_array().unwrap();
    if frames_seen.len() != usize::from(frames) {
        wrong.push(format!(
            "{where_}: {} frames, not {frames}",
            frames_seen.len()
        ));
    }
    for frame in frames_seen {
        if frame["fills"] != json!(true) {
            wrong.push(format!("{where_}: frame does not fill its holder: {frame}"));
        }
    }
    for index in 0..frames {
        c.enter_frame(index).await.unwrap();
        let field: Value = eval(c, FRAME_GEOMETRY).await;
        c.enter_parent_frame().await.unwrap();
        if field["fills"] != json!(true) {
            wrong.push(format!("{where_}: input does not fill its frame: {field}"));
        }
        if field["labelLines"].as_u64().unwrap_or(0) > 1 {
            wrong.push(format!("{where_}: label wraps: {field}"));
        }
        if field["markInside"] != json!(true) {
            wrong.push(format!("{where_}: brand mark outside the input: {field}"));
        }
        if field["overflows"] != json!(false) {
            wrong.push(format!("{where_}: the frame overflows: {field}"));
        }
    }
    wrong
}

/// Opens `path` at `width`: in the window when it is that wide, else in a frame that wide.
/// Leaves the client in the page's browsing context; returns whether that is a frame.
async fn open_at(c: &Client, base: &str, path: &str, width: u32) -> bool {
    c.goto(&format!("{base}{path}")).await.unwrap();
    if eval(c, "return window.innerWidth").await == json!(width) {
        return false;
    }
    let wrapper = format!("{base}/viewport.html?width={width}&src={}", urlencode(path));
    c.goto(&wrapper).await.unwrap();
    wait_for(c, "iframe").await;
    c.enter_frame(0).await.unwrap();
    true
}

#[tokio::test]
async fn fields_and_the_drop_in_fit_at_320_768_and_1280_px() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = browser().await;
    let c = &browser.client;
    let pages = [
        ("prebuilt", "/lab.html?holderName=optional"),
        ("holders", "/lab.html?holderName=optional&holders"),
        ("drop-in", "/checkout"),
    ];
    let mut wrong = Vec::new();
    for width in WIDTHS {
        c.set_window_size(width, 900).await.unwrap();
        for (page, path) in pages {
            let framed = open_at(c, &server.merchant, path, width).await;
            if page == "drop-in" {
                wait_for(c, ".paykka-checkout[data-state='ready']").await;
            } else {
                wait_for(c, "#status[data-state='ready']").await;
            }
            wrong.extend(check(c, page, width, 4).await);
            if framed {
                c.enter_parent_frame().await.unwrap();
            }
            let shot = c.screenshot().await.unwrap();
            std::fs::write(shots_dir().join(format!("{page}-{width}.png")), shot).unwrap();
        }
    }
    browser.close().await;
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
