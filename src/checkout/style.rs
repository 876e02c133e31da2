//! The checkout's look: one constructed stylesheet (CSP-safe), every colour and radius a
//! CSS custom property the merchant can set (`--paykka-accent`, `--paykka-radius`…),
//! fluid down to 320 px, and no motion for `prefers-reduced-motion`.

pub const CSS: &str = "
.paykka-checkout{--paykka-accent:#1f5eff;--paykka-text:#1d2433;--paykka-muted:#5a6275;--paykka-error:#b3261e;--paykka-success:#1b5e20;--paykka-surface:#fff;--paykka-border:#c6ccd8;--paykka-radius:10px;--paykka-font:system-ui,sans-serif;
font-family:var(--paykka-font);color:var(--paykka-text);background:var(--paykka-surface);border-radius:var(--paykka-radius);padding:1rem;box-sizing:border-box;max-width:36rem;min-width:0;width:100%}
.paykka-checkout *{box-sizing:border-box}
.paykka-checkout .pc-merchant{margin:0;color:var(--paykka-muted);font-size:.9rem}
.paykka-checkout .pc-amount{margin:.25rem 0 1rem;font-size:1.6rem;font-weight:700}
.paykka-checkout .pc-goods{list-style:none;margin:0 0 1rem;padding:0;font-size:.9rem}
.paykka-checkout .pc-goods li{display:flex;justify-content:space-between;gap:1rem;padding:.25rem 0;border-bottom:1px solid var(--paykka-border)}
.paykka-checkout fieldset{border:0;margin:0 0 1rem;padding:0}
.paykka-checkout legend{font-weight:600;margin-bottom:.5rem}
.paykka-checkout .pc-method{font-weight:400;margin-top:0;display:flex;align-items:center;gap:.5rem;padding:.6rem .75rem;border:1px solid var(--paykka-border);border-radius:var(--paykka-radius);margin-bottom:.5rem;cursor:pointer}
.paykka-checkout .pc-method input{width:auto;flex:none;margin:0;padding:0;accent-color:var(--paykka-accent)}
.paykka-checkout .pc-method span{flex:1;text-align:start;font-weight:500}
.paykka-checkout .pc-method:focus-within{outline:2px solid var(--paykka-accent);outline-offset:2px}
.paykka-checkout .pc-panel{margin:0 0 1rem}
.paykka-checkout .pc-panel[hidden]{display:none}
.paykka-checkout .pc-pay,.paykka-checkout .pc-secondary{width:100%;min-height:44px;padding:.75rem;font-size:1rem;border-radius:var(--paykka-radius);cursor:pointer}
.paykka-checkout .pc-pay{border:0;background:var(--paykka-accent);color:#fff;font-weight:600}
.paykka-checkout .pc-pay[disabled]{opacity:.6;cursor:progress}
.paykka-checkout .pc-secondary{border:1px solid var(--paykka-accent);background:transparent;color:var(--paykka-accent);margin-top:.5rem}
.paykka-checkout .pc-error{color:var(--paykka-error);min-height:1.25em;margin:.5rem 0}
.paykka-checkout .pc-status{min-height:1.25em;margin:.5rem 0;color:var(--paykka-muted)}
.paykka-checkout .pc-result{font-weight:600}
.paykka-checkout .pc-result[data-state=paid]{color:var(--paykka-success)}
.paykka-checkout .pc-spinner{display:inline-block;width:1em;height:1em;border:2px solid currentColor;border-right-color:transparent;border-radius:50%;vertical-align:-.15em;margin-right:.5em;animation:pc-spin .8s linear infinite}
@keyframes pc-spin{to{transform:rotate(360deg)}}
@media (prefers-reduced-motion:reduce){.paykka-checkout .pc-spinner{animation:none}}
@media (max-width:400px){.paykka-checkout{padding:.75rem}.paykka-checkout .pc-amount{font-size:1.35rem}}
.pc-dialog{border:0;border-radius:var(--paykka-radius,10px);padding:0;width:min(32rem,100vw);max-width:100vw;max-height:100vh}
.pc-dialog::backdrop{background:rgba(0,0,0,.55)}
.pc-dialog .pc-dialog-bar{display:flex;justify-content:space-between;align-items:center;gap:.5rem;padding:.5rem .75rem;border-bottom:1px solid #c6ccd8;font-family:system-ui,sans-serif}
.pc-dialog h2{font-size:1rem;margin:0}
.pc-dialog .pc-close{min-width:44px;min-height:44px;border:0;background:transparent;font-size:1rem;cursor:pointer}
.pc-dialog iframe{display:block;width:100%;height:min(400px,80vh);border:0}
";
