package engine

// DataErrorMarker begins the message of every error the compiled SQL
// raises itself on values in the data (a date out of range, an overflow).
const DataErrorMarker = "ehrql data error"

// macros are the SQL helpers the compiled queries use, created as temporary
// macros in each session. Each implements one query-model function with
// ehrQL's exact semantics.
var macros = []string{
	// Month/year addition rolls a missing day forward to the 1st of the next
	// month instead of clamping as DuckDB's interval arithmetic does.
	`CREATE OR REPLACE TEMP MACRO ehrql_add_months(d, n) AS (
  CASE WHEN day(CAST(d + to_months(CAST(n AS INTEGER)) AS DATE)) < day(d)
    THEN CAST(last_day(CAST(d + to_months(CAST(n AS INTEGER)) AS DATE)) + 1 AS DATE)
    ELSE CAST(d + to_months(CAST(n AS INTEGER)) AS DATE) END)`,
	`CREATE OR REPLACE TEMP MACRO ehrql_diff_years(a, b) AS (
  CAST(year(a) - year(b) - CASE WHEN month(a) < month(b) OR (month(a) = month(b) AND day(a) < day(b)) THEN 1 ELSE 0 END AS BIGINT))`,
	`CREATE OR REPLACE TEMP MACRO ehrql_diff_months(a, b) AS (
  CAST(12 * (year(a) - year(b)) + month(a) - month(b) - CASE WHEN day(a) < day(b) THEN 1 ELSE 0 END AS BIGINT))`,
	// Integer floor division toward minus infinity; NULL for a zero divisor.
	`CREATE OR REPLACE TEMP MACRO ehrql_floordiv_int(a, b) AS (
  CASE WHEN b = 0 THEN NULL
    ELSE CAST(a // b - CASE WHEN a % b <> 0 AND ((a < 0) <> (b < 0)) THEN 1 ELSE 0 END AS BIGINT) END)`,
	`CREATE OR REPLACE TEMP MACRO ehrql_floordiv_float(a, b) AS (
  CASE WHEN b = 0 THEN NULL ELSE CAST(floor(CAST(a AS DOUBLE) / CAST(b AS DOUBLE)) AS BIGINT) END)`,
	`CREATE OR REPLACE TEMP MACRO ehrql_truediv(a, b) AS (
  CASE WHEN b = 0 THEN NULL ELSE CAST(a AS DOUBLE) / CAST(b AS DOUBLE) END)`,
	// A comparison of floats: NULL with a NULL operand, else onNaN if
	// either is NaN, else the comparison cmp.
	`CREATE OR REPLACE TEMP MACRO ehrql_nan_compare(a, b, onNaN, cmp) AS (
  CASE WHEN a IS NULL OR b IS NULL THEN NULL WHEN isnan(a) OR isnan(b) THEN onNaN ELSE cmp END)`,
	// Power is NULL where the result would be complex or infinite.
	`CREATE OR REPLACE TEMP MACRO ehrql_power(a, b) AS (
  CASE WHEN CAST(a AS DOUBLE) = 0 AND CAST(b AS DOUBLE) < 0 THEN NULL
    WHEN CAST(a AS DOUBLE) < 0 AND CAST(b AS DOUBLE) <> trunc(CAST(b AS DOUBLE)) THEN NULL
    ELSE pow(CAST(a AS DOUBLE), CAST(b AS DOUBLE)) END)`,
}
