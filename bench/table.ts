/** Prints a titled table with right-aligned columns (the bench's output format). */
export function table(title: string, header: string[], rows: Array<Array<string | number>>): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  console.log(`\n${title}`);
  for (const [i, r] of cells.entries()) {
    console.log('  ' + r.map((c, j) => c.padStart(widths[j]!)).join('  '));
    if (i === 0) console.log('  ' + widths.map((w) => '-'.repeat(w)).join('  '));
  }
}
