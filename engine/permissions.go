package engine

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/ehrql-go/ehrql/query/model"
)

// PermissionError says that a definition uses tables it has no permission
// for.
type PermissionError struct {
	Missing []string
	Dummy   bool
}

// Error implements the error interface.
func (e *PermissionError) Error() string {
	if e.Dummy {
		return fmt.Sprintf("This dataset uses tables that need permissions (%s); on dummy data, claim them in the definition with ClaimPermissions(%s)",
			strings.Join(e.Missing, ", "), quoteAll(e.Missing))
	}
	return fmt.Sprintf("This job does not have the permissions needed to access: %s (granted by EHRQL_PERMISSIONS)", strings.Join(e.Missing, ", "))
}

func quoteAll(s []string) string {
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}

// CheckPermissions checks that every permission the tables require is
// granted: by the definition's claims on dummy data, or by the JSON list in
// EHRQL_PERMISSIONS (the envPermissions argument) on real data.
//
// also names further permissions the query needs (event_level_data for
// event-level output tables).
func CheckPermissions(tables []*model.Table, claimed []string, envPermissions string, dummy bool, also ...string) error {
	granted := map[string]bool{}
	if dummy {
		for _, c := range claimed {
			granted[c] = true
		}
	} else if envPermissions != "" {
		var list []string
		if err := json.Unmarshal([]byte(envPermissions), &list); err != nil {
			return fmt.Errorf("EHRQL_PERMISSIONS must be a JSON list of strings: %w", err)
		}
		for _, p := range list {
			granted[p] = true
		}
	}
	missing := map[string]bool{}
	for _, p := range also {
		if !granted[p] {
			missing[p] = true
		}
	}
	for _, t := range tables {
		if p := t.RequiredPermission; p != "" && !granted[p] {
			missing[p] = true
		}
	}
	if len(missing) == 0 {
		return nil
	}
	var names []string
	for p := range missing {
		names = append(names, p)
	}
	sort.Strings(names)
	return &PermissionError{Missing: names, Dummy: dummy}
}
