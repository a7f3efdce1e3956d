package emis

//go:generate go run ../internal/gentyped -module emis
