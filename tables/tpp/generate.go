package tpp

//go:generate go run ../internal/gentyped -module tpp
