// Package dummy generates query-aware dummy data for ehrQL datasets, in the
// manner of ehrQL's next-gen generator.
//
// Generate walks the query model to learn, per table and column, what the
// definition tests: the codes of In sets and EQ literals (codelists), the
// strings compared or searched for, the dates compared with (date windows,
// shifted dates, ages and date differences), and the numbers compared
// with. Candidate patients are then made with values drawn mostly from
// those, within the schema's constraints (Categorical — an empty list
// meaning always NULL —, NotNull, FirstOfMonth, ClosedRange, GeneralRange,
// Regex, DateAfter): a date of birth giving ages 0–100 on the definition's
// reference date, a date of death after birth for a few, one
// patients row, one registration from around birth, a few rows (Poisson)
// in each event table. Each batch of candidates is loaded into an
// in-memory DuckDB database and the population query (ANDed with the
// configuration's additional population constraint) is run; matching
// patients are kept until the population size is reached or the timeout
// passes. Each candidate's data depends only on the seed and its position,
// so output is reproducible.
//
// Measures get dummy data through a dataset: MeasuresDefinition builds it
// from their denominators, numerators and groups.
//
// Data.WriteCSVDir writes the tables in the --dummy-tables format and
// Data.Open loads them into an engine session for the real query.
package dummy
