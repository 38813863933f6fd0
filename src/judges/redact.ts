/**
 * A server may echo the request's headers in an error body; error texts are printed and stored in
 * run files, so the API key (and any `Bearer …` token) is cut out of every one of them.
 */
export function redactSecrets(text: string, apiKey?: string | null): string {
  let out = text;
  if (apiKey && apiKey !== 'EMPTY' && apiKey.length >= 4) out = out.split(apiKey).join('[redacted]');
  return out.replace(/(Bearer\s+)[^\s"',;}\]]+/gi, '$1[redacted]');
}
