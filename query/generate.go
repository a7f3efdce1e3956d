package query

//go:generate go run ./internal/genseries
