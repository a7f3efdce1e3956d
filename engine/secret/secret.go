// Package secret keeps the secrets of data-source names (database URLs and
// connection strings) out of messages: every message that could name a data
// source passes it, or the error holding it, through MaskDSN or MaskError.
package secret

import (
	"regexp"
	"strings"
)

var (
	// userPassword is the password of scheme://user:password@host.
	userPassword = regexp.MustCompile(`(://[^:/@\s]*:)[^@\s]*@`)
	// passwordParam is a password=... (pwd, secret, token, ...) parameter
	// of a URL query or a key=value connection string.
	passwordParam = regexp.MustCompile(`(?i)\b((?:password|passwd|pwd|secret|token|access_key|secret_key)=)[^&;\s]*`)
)

// MaskDSN hides the secrets of a database URL or connection string (the
// password of user:password@host and password=... parameters), so that it
// can be shown in a message.
func MaskDSN(dsn string) string {
	s := userPassword.ReplaceAllString(dsn, "${1}****@")
	return passwordParam.ReplaceAllString(s, "${1}****")
}

// maskedError is an error whose message has had a data source's secrets
// masked; the error it wraps is kept for errors.Is and errors.As.
type maskedError struct {
	msg string
	err error
}

func (e *maskedError) Error() string { return e.msg }
func (e *maskedError) Unwrap() error { return e.err }

// MaskError masks, in err's message, the secrets of each of the data
// source names given (as written, then any form of them derived for
// opening the database). It returns nil for nil.
func MaskError(err error, dsns ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, d := range dsns {
		if d != "" {
			msg = strings.ReplaceAll(msg, d, MaskDSN(d))
		}
	}
	if msg == err.Error() {
		return err
	}
	return &maskedError{msg, err}
}
