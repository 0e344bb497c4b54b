/** A cell of a listing; absent cells print empty. */
export type Cell = string | number | undefined;

/**
 * Rows as plain aligned columns under a header of their keys, two spaces apart, for a terminal and
 * for grep: no index column, no box drawing, no trailing spaces. Columns appear in the order their
 * keys are first met.
 */
export function formatTable(rows: Record<string, Cell>[]): string {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cells = [columns, ...rows.map((row) => columns.map((column) => String(row[column] ?? '')))];
  const widths = columns.map((_, column) => Math.max(...cells.map((line) => line[column].length)));
  return (
    cells
      .map((line) =>
        line
          .map((cell, column) => cell.padEnd(widths[column]))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}
