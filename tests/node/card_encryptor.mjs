// CardEncryptor from paykka-web/full in Node.js (20 and later), through the runtime's own
// WebCrypto (globalThis.crypto): a card is encrypted and an independent JOSE library
// (jose) opens the four ciphertexts. Run by ./dev test: node card_encryptor.mjs <pkg> <tools>.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [pkg, tools] = process.argv.slice(2);

/** A package's ESM entry under `dir`, as its `exports` name it. */
async function entry(dir) {
  const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
  let target = manifest.exports?.['.'] ?? manifest.module ?? manifest.main;
  while (typeof target === 'object') target = target.import ?? target.node ?? target.default;
  return pathToFileURL(join(dir, target)).href;
}

const { compactDecrypt, importJWK } = await import(await entry(join(tools, 'node_modules', 'jose')));
const full = await import(pathToFileURL(join(pkg, 'paykka_web_full.js')).href);
await full.default({ module_or_path: await readFile(join(pkg, 'paykka_web_full_bg.wasm')) });

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = publicKey.export({ format: 'jwk' });
const encryptor = new full.CardEncryptor({ kty: 'RSA', n: jwk.n, e: jwk.e }, { sessionId: 'CS_node' });
assert.equal(encryptor.keyBits, 2048);

const card = { number: '4242 4242 4242 4242', expiryMonth: '3', expiryYear: '2031', cvc: '737' };
const encrypted = await encryptor.encrypt(card);
const key = await importJWK(privateKey.export({ format: 'jwk' }), 'RSA-OAEP-256');
const expected = {
  encryptedCardNumber: ['number', '4242424242424242'],
  encryptedExpireMonth: ['expiryMonth', '03'],
  encryptedExpireYear: ['expiryYear', '2031'],
  encryptedCVV: ['cvc', '737'],
};
for (const [member, [field, value]] of Object.entries(expected)) {
  const { plaintext, protectedHeader } = await compactDecrypt(encrypted[member], key);
  assert.equal(protectedHeader.alg, 'RSA-OAEP-256');
  assert.equal(protectedHeader.enc, 'A256GCM');
  assert.equal(protectedHeader.kid, encryptor.keyId);
  const payload = JSON.parse(new TextDecoder().decode(plaintext));
  assert.equal(payload.field, field, member);
  assert.equal(payload.value, value, member);
  assert.equal(payload.sid, 'CS_node');
  assert.ok(Math.abs(Date.parse(payload.generationtime) - Date.now()) < 60_000);
}
// The same key as Node writes it in PEM (SPKI and PKCS#1) is the same key: same id, same size.
for (const type of ['spki', 'pkcs1']) {
  const pem = publicKey.export({ format: 'pem', type });
  const fromPem = new full.CardEncryptor(pem, undefined);
  assert.equal(fromPem.keyId, encryptor.keyId, type);
  assert.equal(fromPem.keyBits, 2048, type);
}
// Bad input is a typed error here as in a browser.
await assert.rejects(encryptor.encrypt({ ...card, expiryMonth: '13' }), (error) => error.code === 'VALIDATION');
assert.throws(() => new full.CardEncryptor('not a key', undefined), (error) => error.code === 'KEY_INVALID');
console.log('node: CardEncryptor read the key as JWK, SPKI and PKCS#1 PEM, encrypted a card in Node.js', process.versions.node, 'and jose opened all four fields');
