import { createCipheriv, createDecipheriv } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';

/** HLS AES-128: AES-128-CBC with PKCS#7 padding over the whole segment, key and IV of 16 bytes. */
export async function encryptSegmentFile(source: string, destination: string, key: Buffer, iv: Buffer): Promise<void> {
  await pipeline(createReadStream(source), createCipheriv('aes-128-cbc', key, iv), createWriteStream(destination, { flags: 'wx' }));
}

/** The same, in memory: a live packager encrypts each segment as the encoder closes it. */
export function encryptSegment(data: Uint8Array, key: Uint8Array, iv: Uint8Array): Buffer {
  const cipher = createCipheriv('aes-128-cbc', key, iv);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

export function decryptSegment(data: Buffer, key: Buffer, iv: Buffer): Buffer {
  const decipher = createDecipheriv('aes-128-cbc', key, iv);
  return Buffer.concat([decipher.update(data), decipher.final()]);
}

const TS_PACKET = 188;

/**
 * True when the data is clear MPEG-TS: a 0x47 sync byte at every 188-byte packet boundary.
 * ffprobe cannot tell an encrypted segment from a strange one, so this is the check we trust.
 */
export function isClearTransportStream(data: Buffer): boolean {
  if (data.length < TS_PACKET || data.length % TS_PACKET !== 0) return false;
  for (let offset = 0; offset < data.length; offset += TS_PACKET) if (data[offset] !== 0x47) return false;
  return true;
}

/** True when no packet boundary carries a sync byte, as in a properly encrypted segment (~1/256 per packet by chance). */
export function hasNoSyncPattern(data: Buffer): boolean {
  const packets = Math.floor(data.length / TS_PACKET);
  let syncs = 0;
  for (let offset = 0; offset < packets * TS_PACKET; offset += TS_PACKET) if (data[offset] === 0x47) syncs++;
  return packets === 0 || syncs / packets < 0.1;
}
