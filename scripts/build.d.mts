/** SHA-256 over the names and bytes of everything dist/ is built from. */
export function sourceDigest(): string;
/** Whether dist/ was built, successfully, from the sources as they are now. */
export function distIsCurrent(): boolean;
/** Builds dist/; returns tsc's exit status (0 when built). */
export function build(): number;
