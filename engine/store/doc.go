// Package store builds and describes DuckDB patient stores.
package store
