package emisv2

//go:generate go run ../internal/gentyped -module emisv2
