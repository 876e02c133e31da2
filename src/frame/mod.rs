//! Inside a secure frame on the gateway's origin: `bootFrame()`. Ships in the frame bundle
//! (`paykka_web_frame.js`), the only code the frame page loads.

pub mod guest;
