/**
 * Dependency order for the dialect planners: views that read other views must be created after them and dropped
 * before them, and a rank per object gives both orders with one sort.
 */

/**
 * Rank of each key in a dependency graph: 0 for a key that depends on no other key of the graph, else one more
 * than the highest rank among its dependencies. Dependencies that are not keys of `deps`, and a key's dependency
 * on itself, are ignored; a cycle is cut where it is found (the key met again ranks 0), so a bad graph still gets an
 * order. Keys are visited in code-unit order, so the result does not depend on the map's insertion order.
 */
export function rankByDependencies(deps: ReadonlyMap<string, Iterable<string>>): Map<string, number> {
  const ranks = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (key: string): number => {
    const known = ranks.get(key);
    if (known !== undefined) return known;
    if (visiting.has(key)) return 0;
    visiting.add(key);
    let rank = 0;
    for (const d of deps.get(key) ?? []) if (deps.has(d) && d !== key) rank = Math.max(rank, visit(d) + 1);
    visiting.delete(key);
    ranks.set(key, rank);
    return rank;
  };
  for (const key of [...deps.keys()].sort()) visit(key);
  return ranks;
}
