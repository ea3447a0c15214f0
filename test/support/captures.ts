import { fileURLToPath } from 'node:url';

/**
 * The real captures of the project's shared folder (strongSwan, Kea), copied into the repo so the tests do not depend
 * on where CI lays that folder. See test/fixtures/captures/README.md for how each was made.
 */
export const CAPTURES_DIR = fileURLToPath(new URL('../fixtures/captures/', import.meta.url));

export function capturePath(name: string): string {
  return `${CAPTURES_DIR}${name}`;
}
