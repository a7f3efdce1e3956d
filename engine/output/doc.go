// Package output turns query results into the files ehrQL writes.
//
// Results arrive as Arrow record batches whose columns have the "natural"
// types of ehrQL's scalar types (see [NaturalSchema]): bool as arrow.BOOL,
// int as INT64, float as FLOAT64, str as STRING and date as DATE32. A
// [RowBatcher] produces such batches from a DuckDB *sql.Rows, and a [Writer]
// created by [Create] converts them into one of the output formats ehrQL
// supports, chosen from the file extension:
//
//   - ".arrow": an Arrow IPC file (with footer), zstd-compressed, using the
//     same narrowed integer and dictionary types as ehrQL (see
//     [Column.ArrowType]);
//   - ".csv": CSV in Python's "excel" dialect, with floats formatted like
//     Python's repr, booleans as T/F and NULL as an empty field;
//   - ".csv.gz": the same CSV bytes, gzip-compressed.
//
// Files are written to a temporary file in the destination directory and
// only renamed onto the destination by [Writer.Close], so a failed or
// aborted write never leaves a partial file behind. [Copy] ties the pieces
// together.
package output
