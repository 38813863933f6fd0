import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so equal values always hash the same whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A short stable id: the first `length` hex digits of SHA-256 over the canonical JSON of the parts. */
export function stableHash(parts: unknown, length = 16): string {
  return sha256Hex(canonicalJson(parts)).slice(0, length);
}
