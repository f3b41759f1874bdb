// Run from a directory where `npm install @noble/post-quantum@0.5.4` was done:
//   node gen_mlkem768x25519.mjs > mlkem768x25519_noble.txt
// mlkem768x25519-sha256 exchange values from independent parts:
// @noble/post-quantum (ML-KEM-768), node:crypto (X25519, SHA-256).
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import crypto from 'node:crypto';
const hex = (u) => Buffer.from(u).toString('hex');
const seed = (label) => new Uint8Array(crypto.createHash('sha256').update(label).digest());
const x25519 = (priv) => crypto.createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), Buffer.from(priv)]), format: 'der', type: 'pkcs8' });
const xpub = (k) => crypto.createPublicKey(k).export({ format: 'der', type: 'spki' }).subarray(12);
const xdh = (k, pub) => crypto.diffieHellman({ privateKey: k, publicKey: crypto.createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b656e032100', 'hex'), Buffer.from(pub)]), format: 'der', type: 'spki' }) });
console.log('# mlkem768x25519-sha256 made with @noble/post-quantum 0.5.4 (ML-KEM-768)');
console.log('# and node:crypto (X25519, SHA-256). Client rand stream = d || z || cx;');
console.log('# server rand stream = m || sx. c_init = ek || X25519(cx, 9);');
console.log('# s_reply = ct || X25519(sx, 9); k = SHA-256(ss || X25519 secret).');
for (let i = 0; i < 2; i++) {
  const d = seed(`sesh hybrid d ${i}`), z = seed(`sesh hybrid z ${i}`), cx = seed(`sesh hybrid cx ${i}`);
  const m = seed(`sesh hybrid m ${i}`), sx = seed(`sesh hybrid sx ${i}`);
  const s = new Uint8Array(64); s.set(d, 0); s.set(z, 32);
  const { publicKey, secretKey } = ml_kem768.keygen(s);
  const ck = x25519(cx), sk = x25519(sx);
  const cinit = Buffer.concat([publicKey, xpub(ck)]);
  const { cipherText, sharedSecret } = ml_kem768.encapsulate(publicKey, m);
  const sreply = Buffer.concat([cipherText, xpub(sk)]);
  const xs1 = xdh(sk, xpub(ck)), xs2 = xdh(ck, xpub(sk));
  if (hex(xs1) !== hex(xs2)) throw new Error('x25519');
  const ss2 = ml_kem768.decapsulate(cipherText, secretKey);
  if (hex(ss2) !== hex(sharedSecret)) throw new Error('mlkem');
  const k = crypto.createHash('sha256').update(Buffer.concat([sharedSecret, xs1])).digest();
  console.log(`count = ${i}`);
  console.log(`client_rand = ${hex(d)}${hex(z)}${hex(cx)}`);
  console.log(`server_rand = ${hex(m)}${hex(sx)}`);
  console.log(`c_init = ${hex(cinit)}`);
  console.log(`s_reply = ${hex(sreply)}`);
  console.log(`k = ${hex(k)}`);
  console.log('');
}
