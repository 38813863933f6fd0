import assert from 'node:assert/strict';
import { JudgeError } from '../../src/core/errors.ts';

/** The JudgeError a judge call fails with; fails the test when it succeeds or throws anything else. */
export async function rejection(p: Promise<unknown>): Promise<JudgeError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof JudgeError, `expected a JudgeError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}
