package engine

import "github.com/ehrql-go/ehrql/engine/secret"

// MaskDSN hides the secrets of a database URL or connection string, so
// that it can be shown in a message (secret.MaskDSN).
func MaskDSN(dsn string) string { return secret.MaskDSN(dsn) }

// maskError masks the secrets of data-source names in err's message
// (secret.MaskError).
func maskError(err error, dsns ...string) error { return secret.MaskError(err, dsns...) }
