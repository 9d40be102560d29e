/**
 * Non-negative least squares for the few coefficients of a scaling model. With at most a handful
 * of unknowns, trying every set of free coefficients is exact and simpler than Lawson-Hanson.
 */

/** Solves A x = b for a square system by Gaussian elimination with partial pivoting; undefined when singular. */
function solve(a: number[][], b: number[]): number[] | undefined {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    if (Math.abs(m[pivot]![col]!) < 1e-12) return undefined;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const factor = m[r]![col]! / m[col]![col]!;
      for (let c = col; c <= n; c++) m[r]![c]! -= factor * m[col]![c]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

function residual(rows: readonly number[][], y: readonly number[], x: readonly number[]): number {
  return rows.reduce((sum, row, i) => {
    const e = row.reduce((s, v, j) => s + v * x[j]!, 0) - y[i]!;
    return sum + e * e;
  }, 0);
}

/** argmin ||rows x - y||^2 subject to x >= 0. Exact for small column counts (2^columns subsets). */
export function nnls(rows: readonly number[][], y: readonly number[]): number[] {
  const columns = rows[0]?.length ?? 0;
  let best = new Array<number>(columns).fill(0);
  let bestResidual = residual(rows, y, best);
  for (let mask = 1; mask < 1 << columns; mask++) {
    const free = [...Array(columns).keys()].filter((j) => mask & (1 << j));
    // normal equations on the free columns, with a tiny ridge for near-collinear designs
    const ata = free.map((j) => free.map((k) => rows.reduce((s, r) => s + r[j]! * r[k]!, 0) + (j === k ? 1e-9 : 0)));
    const aty = free.map((j) => rows.reduce((s, r, i) => s + r[j]! * y[i]!, 0));
    const solution = solve(ata, aty);
    if (!solution || solution.some((v) => v < 0)) continue;
    const x = new Array<number>(columns).fill(0);
    free.forEach((j, i) => (x[j] = solution[i]!));
    const r = residual(rows, y, x);
    if (r < bestResidual) [best, bestResidual] = [x, r];
  }
  return best;
}
