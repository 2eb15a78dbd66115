import { createDecipheriv, createHmac, createPrivateKey, createPublicKey, diffieHellman, hkdfSync, timingSafeEqual, type KeyObject } from 'node:crypto';

/**
 * age v1 (https://age-encryption.org/v1) decryption for native X25519 identities on node:crypto.
 * It exists for speed: importing the age-encryption package costs more than a whole cold
 * `infrakey secret get` may take (benchmark B2), while these primitives are built into Node.
 * Anything else (post-quantum or plugin identities, scrypt stanzas) falls back to age-encryption.
 * Tests check it against files made by the age CLI and by age-encryption.
 */

const BECH32_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const BECH32_GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values: number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= BECH32_GEN[i];
  }
  return chk >>> 0;
}

function hrpExpand(hrp: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < hrp.length; i++) out.push(hrp.charCodeAt(i) >> 5);
  out.push(0);
  for (let i = 0; i < hrp.length; i++) out.push(hrp.charCodeAt(i) & 31);
  return out;
}

function convertBits(data: number[], from: number, to: number, pad: boolean): number[] | undefined {
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  const maxv = (1 << to) - 1;
  for (const v of data) {
    acc = (acc << from) | v;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push((acc >> bits) & maxv);
    }
  }
  if (pad) {
    if (bits > 0) out.push((acc << (to - bits)) & maxv);
  } else if (bits >= from || ((acc << (to - bits)) & maxv) !== 0) {
    return undefined;
  }
  return out;
}

/** Decodes bech32 (age uses it without the 90-character limit). Undefined when invalid. */
export function bech32Decode(s: string): { hrp: string; data: Buffer } | undefined {
  if (s !== s.toLowerCase() && s !== s.toUpperCase()) return undefined;
  const lower = s.toLowerCase();
  const sep = lower.lastIndexOf('1');
  if (sep < 1 || sep + 7 > lower.length) return undefined;
  const hrp = lower.slice(0, sep);
  const values: number[] = [];
  for (const c of lower.slice(sep + 1)) {
    const v = BECH32_CHARSET.indexOf(c);
    if (v === -1) return undefined;
    values.push(v);
  }
  if (polymod([...hrpExpand(hrp), ...values]) !== 1) return undefined;
  const bytes = convertBits(values.slice(0, -6), 5, 8, false);
  return bytes ? { hrp, data: Buffer.from(bytes) } : undefined;
}

/** Encodes bech32 (lowercase). */
export function bech32Encode(hrp: string, data: Buffer): string {
  const values = convertBits([...data], 8, 5, true) as number[];
  const chk = polymod([...hrpExpand(hrp), ...values, 0, 0, 0, 0, 0, 0]) ^ 1;
  const checksum = [0, 1, 2, 3, 4, 5].map((i) => (chk >>> (5 * (5 - i))) & 31);
  return hrp + '1' + [...values, ...checksum].map((v) => BECH32_CHARSET[v]).join('');
}

const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_X25519 = Buffer.from('302a300506032b656e032100', 'hex');

/** A parsed `AGE-SECRET-KEY-1...` identity. */
export interface X25519Identity {
  privateKey: KeyObject;
  publicKey: Buffer;
  recipient: string;
}

/** Parses a native X25519 identity; undefined when the string is not one. */
export function parseX25519Identity(identity: string): X25519Identity | undefined {
  const decoded = bech32Decode(identity.trim());
  if (!decoded || decoded.hrp !== 'age-secret-key-' || decoded.data.length !== 32) return undefined;
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_X25519, decoded.data]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-32);
  return { privateKey, publicKey, recipient: bech32Encode('age', publicKey) };
}

/** The age recipient (`age1...`) of a native X25519 identity, or undefined. */
export function x25519Recipient(identity: string): string | undefined {
  return parseX25519Identity(identity)?.recipient;
}

const ARMOR_BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';
const ARMOR_END = '-----END AGE ENCRYPTED FILE-----';

/** Decodes ASCII armor to the binary age file. */
export function dearmor(text: string): Buffer {
  const t = text.trim().replace(/\r\n/g, '\n');
  if (!t.startsWith(ARMOR_BEGIN) || !t.endsWith(ARMOR_END)) throw new Error('not an armored age file');
  const body = t.slice(ARMOR_BEGIN.length, t.length - ARMOR_END.length).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw new Error('invalid armor');
  return Buffer.from(body, 'base64');
}

interface Stanza {
  type: string;
  args: string[];
  body: Buffer;
}

function b64raw(s: string): Buffer {
  if (!/^[A-Za-z0-9+/]*$/.test(s)) throw new Error('invalid base64 in age header');
  return Buffer.from(s, 'base64');
}

function parseHeader(file: Buffer): { stanzas: Stanza[]; macInput: Buffer; mac: Buffer; payload: Buffer } {
  let pos = 0;
  const line = (): string => {
    const end = file.indexOf(0x0a, pos);
    if (end === -1) throw new Error('truncated age header');
    const s = file.subarray(pos, end).toString('latin1');
    pos = end + 1;
    return s;
  };
  if (line() !== 'age-encryption.org/v1') throw new Error('unsupported age version');
  const stanzas: Stanza[] = [];
  for (;;) {
    const start = pos;
    const l = line();
    if (l.startsWith('---')) {
      if (!l.startsWith('--- ')) throw new Error('malformed age header');
      const macInput = file.subarray(0, start + 3);
      return { stanzas, macInput, mac: b64raw(l.slice(4)), payload: file.subarray(pos) };
    }
    if (!l.startsWith('-> ')) throw new Error('malformed age stanza');
    const [type, ...args] = l.slice(3).split(' ');
    const chunks: Buffer[] = [];
    for (;;) {
      const b = line();
      chunks.push(b64raw(b));
      if (b.length < 64) break;
    }
    stanzas.push({ type, args, body: Buffer.concat(chunks) });
  }
}

function hkdf(ikm: Buffer, salt: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, info, 32));
}

function chachaOpen(key: Buffer, nonce: Buffer, sealed: Buffer): Buffer {
  const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]);
}

function unwrapX25519(stanza: Stanza, id: X25519Identity): Buffer | undefined {
  if (stanza.type !== 'X25519' || stanza.args.length !== 1) return undefined;
  const share = b64raw(stanza.args[0]);
  if (share.length !== 32 || stanza.body.length !== 32) throw new Error('malformed X25519 stanza');
  const peer = createPublicKey({ key: Buffer.concat([SPKI_X25519, share]), format: 'der', type: 'spki' });
  const shared = diffieHellman({ privateKey: id.privateKey, publicKey: peer });
  if (shared.every((b) => b === 0)) throw new Error('X25519 low-order point');
  const wrapKey = hkdf(shared, Buffer.concat([share, id.publicKey]), 'age-encryption.org/v1/X25519');
  try {
    return chachaOpen(wrapKey, Buffer.alloc(12), stanza.body);
  } catch {
    return undefined; // encrypted to someone else
  }
}

const CHUNK = 64 * 1024;

/**
 * Decrypts an armored age file with native X25519 identities. Returns undefined when none of
 * the identities matches a stanza; throws when the file is malformed or was altered.
 */
export function decryptArmoredX25519(armored: string, identities: readonly X25519Identity[]): Buffer | undefined {
  const { stanzas, macInput, mac, payload } = parseHeader(dearmor(armored));
  let fileKey: Buffer | undefined;
  for (const st of stanzas) {
    for (const id of identities) {
      fileKey = unwrapX25519(st, id);
      if (fileKey) break;
    }
    if (fileKey) break;
  }
  if (!fileKey) return undefined;
  const expected = createHmac('sha256', hkdf(fileKey, Buffer.alloc(0), 'header')).update(macInput).digest();
  if (mac.length !== 32 || !timingSafeEqual(mac, expected)) throw new Error('age header MAC mismatch');
  if (payload.length < 16 + 16) throw new Error('truncated age payload');
  const payloadKey = hkdf(fileKey, payload.subarray(0, 16), 'payload');
  const body = payload.subarray(16);
  const out: Buffer[] = [];
  let counter = 0;
  for (let off = 0; off < body.length; off += CHUNK + 16, counter++) {
    const chunk = body.subarray(off, Math.min(off + CHUNK + 16, body.length));
    const last = off + CHUNK + 16 >= body.length;
    const nonce = Buffer.alloc(12);
    nonce.writeUIntBE(counter, 5, 6);
    nonce[11] = last ? 1 : 0;
    out.push(chachaOpen(payloadKey, nonce, chunk));
  }
  return Buffer.concat(out);
}
