package tpp

//go:generate go run ../../internal/gentyped -module raw/tpp
