package sqlgen

// DataErrorMarker begins the message of every error the compiled SQL
// raises itself on values in the data (a date out of range, an overflow).
const DataErrorMarker = "ehrql data error"

// Macros are the SQL helpers the compiled queries use, created as temporary
// Macros in each session. Each implements one query-model function with
// ehrQL's exact semantics.
var Macros = []string{
	// Date arithmetic fails, with message msg and a reason, where ehrQL's
	// does: beyond 999,999,999 days, or outside the years 1 to 9999. A
	// NULL operand gives NULL without evaluating. The offsets are clamped
	// before they are cast or multiplied, although the CASE has already
	// refused the large ones: DuckDB hoists repeated subexpressions out of
	// a CASE and evaluates them on every row.
	`CREATE OR REPLACE TEMP MACRO ehrql_date_in_range(x, msg) AS (
  CASE WHEN year(x) BETWEEN 1 AND 9999 THEN x
    ELSE CAST(error(msg || ': year ' || year(x) || ' is out of range') AS DATE) END)`,
	`CREATE OR REPLACE TEMP MACRO ehrql_add_days(d, n, msg) AS (
  CASE WHEN d IS NULL OR n IS NULL THEN NULL
    WHEN n > 999999999 OR n < -999999999 THEN CAST(error(msg || ': number of days ' || n || ' is out of range') AS DATE)
    ELSE ehrql_date_in_range(CAST(d + CAST(least(greatest(n, -999999999), 999999999) AS INTEGER) AS DATE), msg) END)`,
	// Month addition rolls a missing day forward to the 1st of the next
	// month instead of clamping as DuckDB's interval arithmetic does.
	`CREATE OR REPLACE TEMP MACRO ehrql_add_months_unchecked(d, n) AS (
  CASE WHEN day(CAST(d + to_months(CAST(n AS INTEGER)) AS DATE)) < day(d)
    THEN CAST(last_day(CAST(d + to_months(CAST(n AS INTEGER)) AS DATE)) + 1 AS DATE)
    ELSE CAST(d + to_months(CAST(n AS INTEGER)) AS DATE) END)`,
	`CREATE OR REPLACE TEMP MACRO ehrql_add_months(d, n, msg) AS (
  CASE WHEN d IS NULL OR n IS NULL THEN NULL
    WHEN n > 119988 OR n < -119988 THEN CAST(error(msg || ': month offset ' || n || ' is out of range') AS DATE)
    ELSE ehrql_date_in_range(ehrql_add_months_unchecked(d, least(greatest(n, -119988), 119988)), msg) END)`,
	`CREATE OR REPLACE TEMP MACRO ehrql_add_years(d, n, msg) AS (
  CASE WHEN d IS NULL OR n IS NULL THEN NULL
    WHEN n > 9999 OR n < -9999 THEN CAST(error(msg || ': year offset ' || n || ' is out of range') AS DATE)
    ELSE ehrql_date_in_range(ehrql_add_months_unchecked(d, 12 * least(greatest(n, -9999), 9999)), msg) END)`,
	`CREATE OR REPLACE TEMP MACRO ehrql_diff_years(a, b) AS (
  CAST(year(a) - year(b) - CASE WHEN month(a) < month(b) OR (month(a) = month(b) AND day(a) < day(b)) THEN 1 ELSE 0 END AS BIGINT))`,
	`CREATE OR REPLACE TEMP MACRO ehrql_diff_months(a, b) AS (
  CAST(12 * (year(a) - year(b)) + month(a) - month(b) - CASE WHEN day(a) < day(b) THEN 1 ELSE 0 END AS BIGINT))`,
	// Integer floor division toward minus infinity; NULL for a zero divisor.
	`CREATE OR REPLACE TEMP MACRO ehrql_floordiv_int(a, b) AS (
  CASE WHEN b = 0 THEN NULL
    ELSE CAST(a // b - CASE WHEN a % b <> 0 AND ((a < 0) <> (b < 0)) THEN 1 ELSE 0 END AS BIGINT) END)`,
	// An integral float as an int; NaN and values beyond int64 fail.
	`CREATE OR REPLACE TEMP MACRO ehrql_float_to_int(x, msg) AS (
  CASE WHEN isnan(x) OR x >= 9223372036854775808.0 OR x < -9223372036854775808.0
    THEN CAST(error(msg || ': ' || x || ' does not fit an int') AS BIGINT)
    ELSE CAST(x AS BIGINT) END)`,
	`CREATE OR REPLACE TEMP MACRO ehrql_floordiv_float(a, b, msg) AS (
  CASE WHEN b = 0 THEN NULL ELSE ehrql_float_to_int(floor(CAST(a AS DOUBLE) / CAST(b AS DOUBLE)), msg) END)`,
	`CREATE OR REPLACE TEMP MACRO ehrql_truediv(a, b) AS (
  CASE WHEN b = 0 THEN NULL ELSE CAST(a AS DOUBLE) / CAST(b AS DOUBLE) END)`,
	// A comparison of floats: NULL with a NULL operand, else onNaN if
	// either is NaN, else the comparison cmp.
	`CREATE OR REPLACE TEMP MACRO ehrql_nan_compare(a, b, onNaN, cmp) AS (
  CASE WHEN a IS NULL OR b IS NULL THEN NULL WHEN isnan(a) OR isnan(b) THEN onNaN ELSE cmp END)`,
	// Power is NULL where the result would be complex (a negative number
	// to a finite fractional power) or 0 to a negative power; it fails, as
	// ehrQL's does, where finite operands give an infinite result.
	`CREATE OR REPLACE TEMP MACRO ehrql_power(a, b, msg) AS (
  CASE WHEN CAST(a AS DOUBLE) = 0 AND CAST(b AS DOUBLE) < 0 THEN NULL
    WHEN CAST(a AS DOUBLE) < 0 AND isfinite(CAST(b AS DOUBLE)) AND CAST(b AS DOUBLE) <> trunc(CAST(b AS DOUBLE)) THEN NULL
    WHEN isinf(pow(CAST(a AS DOUBLE), CAST(b AS DOUBLE))) AND isfinite(CAST(a AS DOUBLE)) AND isfinite(CAST(b AS DOUBLE))
      THEN CAST(error(msg || ': ' || a || ' ** ' || b || ' is too large') AS DOUBLE)
    ELSE pow(CAST(a AS DOUBLE), CAST(b AS DOUBLE)) END)`,
}
