/**
 * Name matching for task and criterion look-ups. Dataset values are matched tolerantly for case
 * and surrounding whitespace only: anything looser could silently pick the wrong criteria set.
 */
export function normalizeName(name: string): string {
  return name.trim().toLowerCase();
}

/** Task names contain `/` ("Спор / дискуссия"), so a task path written as one string uses `>`. */
export const TASK_PATH_SEPARATOR = '>';

/** `"Написать код > Python"` → `['Написать код', 'Python']`. */
export function parseTaskPath(text: string): string[] {
  return text
    .split(TASK_PATH_SEPARATOR)
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

export function formatTaskPath(parts: readonly string[]): string {
  return parts.join(` ${TASK_PATH_SEPARATOR} `);
}

/** Rubric texts compared for identity: line endings and trailing spaces do not count. */
export function normalizeRubric(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .trim();
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] ?? 0;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] ?? 0;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      prev[j] = Math.min(up + 1, (prev[j - 1] ?? 0) + 1, diag + cost);
      diag = up;
    }
  }
  return prev[b.length] ?? 0;
}

/**
 * Candidates close to `query` for "did you mean" lists: containment either way first, then small
 * edit distances (about a third of the query's length). Returns candidates as given, best first.
 */
export function closeMatches(query: string, candidates: Iterable<string>, limit = 5): string[] {
  const q = normalizeName(query);
  if (!q) return [];
  const scored: Array<{ text: string; rank: number }> = [];
  const seen = new Set<string>();
  for (const text of candidates) {
    if (seen.has(text)) continue;
    seen.add(text);
    const c = normalizeName(text);
    if (!c) continue;
    if (c.includes(q) || q.includes(c)) {
      scored.push({ text, rank: Math.abs(c.length - q.length) / 1000 });
      continue;
    }
    const d = editDistance(q, c);
    if (d <= Math.max(2, Math.floor(q.length / 3))) scored.push({ text, rank: 1 + d });
  }
  return scored
    .sort((a, b) => a.rank - b.rank)
    .slice(0, limit)
    .map((s) => s.text);
}
