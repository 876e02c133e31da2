// Installs the wallet test fakes the demo server offers (only with --wallet-fakes) before a
// page mounts wallet buttons; ?fakes=apple|google|none picks which (both by default).
export async function installWalletFakes(config) {
  if (!config.walletFakes) return;
  const chosen = new URLSearchParams(location.search).get('fakes') ?? 'apple,google';
  if (chosen.includes('apple')) {
    const { install } = await import('/wallet-fakes/apple-pay.js');
    window.applePayFake = install({ sheet: 'dom', recipientKey: config.walletFakes.applePayPublicKey });
  }
  if (chosen.includes('google')) {
    const { install } = await import('/wallet-fakes/google-pay.js');
    window.googlePayFake = install({ sheet: 'dom' });
  }
}
