package core

//go:generate go run ../../internal/gentyped -module raw/core
