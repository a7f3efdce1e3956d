// Command widecodelists writes the wide benchmark definition's codelists,
// bench/wide/codelists/NAME.csv, from package synthcodes. Run it from the
// module root after changing the synthetic codelists:
//
//	go run ./bench/cmd/widecodelists
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/ehrql-go/ehrql/internal/synthcodes"
)

func main() {
	dir := filepath.Join("bench", "wide", "codelists")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "widecodelists:", err)
		os.Exit(1)
	}
	if err := synthcodes.WriteCSVs(dir); err != nil {
		fmt.Fprintln(os.Stderr, "widecodelists:", err)
		os.Exit(1)
	}
}
