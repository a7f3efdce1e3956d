// Package mistakes joins the mistakes recorded while a definition is
// built. A mistake in a frame or series travels into everything built on
// it, so the same one is recorded many times; it is reported once.
package mistakes

import "errors"

// Join joins errs as errors.Join does, keeping the first of those with the
// same message, in order. It returns nil when errs holds no error.
func Join(errs ...error) error {
	var once []error
	seen := map[string]bool{}
	for _, err := range errs {
		if err == nil {
			continue
		}
		if msg := err.Error(); !seen[msg] {
			seen[msg] = true
			once = append(once, err)
		}
	}
	return errors.Join(once...)
}
