// Package engine compiles ehrQL query models to DuckDB SQL and runs them
// against a DuckDB patient store or a folder of CSV dummy tables, streaming
// the results into the output files ehrQL writes.
package engine
