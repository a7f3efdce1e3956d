package smoketest

//go:generate go run ../internal/gentyped -module smoketest
