package emis

//go:generate go run ../../internal/gentyped -module raw/emis
