// Test support: the browser's own WebCrypto as an independent JWE decryptor.

function fromB64url(text) {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export async function generateRsaKeyPair(bits) {
  const pair = await crypto.subtle.generateKey(
    { name: 'RSA-OAEP', modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true,
    ['encrypt', 'decrypt'],
  );
  const publicJwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  return { publicJwk, privateKey: pair.privateKey };
}

// Decrypts a JWE compact string (RSA-OAEP-256 + A256GCM); returns { header, payload }.
export async function decryptJwe(privateKey, compact) {
  const [header, wrappedKey, iv, ciphertext, tag] = compact.split('.');
  const cek = await crypto.subtle.decrypt({ name: 'RSA-OAEP' }, privateKey, fromB64url(wrappedKey));
  const aes = await crypto.subtle.importKey('raw', cek, 'AES-GCM', false, ['decrypt']);
  const ct = fromB64url(ciphertext);
  const t = fromB64url(tag);
  const sealed = new Uint8Array(ct.length + t.length);
  sealed.set(ct);
  sealed.set(t, ct.length);
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: fromB64url(iv), additionalData: new TextEncoder().encode(header), tagLength: 128 },
    aes,
    sealed,
  );
  return {
    header: JSON.parse(new TextDecoder().decode(fromB64url(header))),
    payload: JSON.parse(new TextDecoder().decode(plain)),
  };
}
