//! paykka-www: the demo shop (its site and its server API), as a library so the tests can
//! build the app around a temporary data directory. The binary also launches the demo's
//! two neighbours (`launch`): the sandbox playing PayKKa and the secure origin.

pub mod launch;
pub mod merchant;
