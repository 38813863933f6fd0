/** Commander accumulator for repeatable options (`--criteria a.yaml --criteria b.yaml`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
