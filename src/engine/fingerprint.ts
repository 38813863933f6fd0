import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { InputError, errorMessage } from '../core/errors.ts';

/** SHA-256 of a file's bytes, streamed: the identity of a dataset for resume checks. */
export async function fileFingerprint(file: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  } catch (err) {
    throw new InputError(`cannot read: ${errorMessage(err)}`, { file });
  }
  return `sha256:${hash.digest('hex')}`;
}
