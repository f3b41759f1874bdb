// Run from a directory where `npm install @noble/post-quantum@0.5.4` was done:
//   node gen_noble.mjs 3 > noble.txt
// Generates ML-KEM-768 known-answer vectors with @noble/post-quantum
// (an independent implementation) from seeds derived by SHA-256 of a label.
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { createHash } from 'node:crypto';
const hex = (u) => Buffer.from(u).toString('hex');
const seed = (label) => new Uint8Array(createHash('sha256').update(label).digest());
const n = Number(process.argv[2] || 4);
console.log('# ML-KEM-768 vectors made by @noble/post-quantum 0.5.4 (node)');
console.log('# d, z, m = SHA-256("sesh mlkem768 d|z|m <i>"); ct_bad = ct with byte 0 xor 1,');
console.log('# ss_bad = its decapsulation (implicit rejection).');
for (let i = 0; i < n; i++) {
  const d = seed(`sesh mlkem768 d ${i}`), z = seed(`sesh mlkem768 z ${i}`), m = seed(`sesh mlkem768 m ${i}`);
  const s = new Uint8Array(64); s.set(d, 0); s.set(z, 32);
  const { publicKey, secretKey } = ml_kem768.keygen(s);
  const { cipherText, sharedSecret } = ml_kem768.encapsulate(publicKey, m);
  const bad = Uint8Array.from(cipherText); bad[0] ^= 1;
  const ssBad = ml_kem768.decapsulate(bad, secretKey);
  const ss2 = ml_kem768.decapsulate(cipherText, secretKey);
  if (hex(ss2) !== hex(sharedSecret)) throw new Error('noble roundtrip');
  console.log(`count = ${i}`);
  console.log(`d = ${hex(d)}`); console.log(`z = ${hex(z)}`); console.log(`m = ${hex(m)}`);
  console.log(`pk = ${hex(publicKey)}`); console.log(`sk = ${hex(secretKey)}`);
  console.log(`ct = ${hex(cipherText)}`); console.log(`ss = ${hex(sharedSecret)}`);
  console.log(`ss_bad = ${hex(ssBad)}`); console.log('');
}
