/**
 * TFRecord framing, the container of TensorBoard's event files: each record is its payload's
 * length (uint64, little-endian), the masked CRC-32C of those 8 bytes, the payload, and the
 * payload's masked CRC-32C (tensorflow/core/lib/io/record_writer.cc). CRC-32C by `crc-32`.
 */
import * as CRC32C from 'crc-32/crc32c';

const MASK_DELTA = 0xa282ead8;

/** TensorFlow's masked CRC-32C: the checksum rotated right by 15 bits plus a constant, mod 2^32. */
export function maskedCrc32c(data: Uint8Array): number {
  const crc = CRC32C.buf(data) >>> 0;
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

/** One record around `payload`. */
export function tfRecord(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(payload.length + 16);
  out.writeBigUInt64LE(BigInt(payload.length), 0);
  out.writeUInt32LE(maskedCrc32c(out.subarray(0, 8)), 8);
  out.set(payload, 12);
  out.writeUInt32LE(maskedCrc32c(payload), 12 + payload.length);
  return out;
}
