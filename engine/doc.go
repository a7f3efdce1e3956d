// Package engine runs ehrQL query models, compiled to DuckDB SQL by package
// sqlgen, against a DuckDB patient store or a folder of CSV dummy tables,
// streaming the results into the output files ehrQL writes.
package engine
