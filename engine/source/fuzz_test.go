package source

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/ehrql-go/ehrql/query/model"
)

// FuzzLoadCSVDir feeds arbitrary bytes to the dummy-table reader as a
// table of every column type: it must never panic, and a failed load must
// leave no table behind. Run it for a few seconds with
//
//	go test ./engine/source -run '^$' -fuzz '^FuzzLoadCSVDir$' -fuzztime 10s
func FuzzLoadCSVDir(f *testing.F) {
	for _, seed := range []string{
		"patient_id,b,i,f,s,d,code,multi\n1,T,1,1.5,x,2020-01-01,123456,||E119\n",
		"patient_id,s\n1,caf\xe9\n",                    // not UTF-8
		"patient_id,s\n1,\xff\xfe\n",                   // not UTF-8
		"patient_id,code\n1,12\x00 34\n",               // NUL
		"patient_id,f\n1,1e999\n2,-1e999\n3,nan\n",     // out of range floats
		"patient_id,i\n1,99999999999999999999\n",       // out of range int
		"\ufeffpatient_id,s\r\n1,\"two\r\nlines\"\r\n", // BOM, CRLF, quoted newline
		"patient_id,s\n1,\"unterminated\n",
		"patient_id,i\n1\n",
		"s\nx\n",
		"",
		"patient_id,d\n1,2020-W53-7\n2,20200230\n",
		"patient_id,i,i\n1,2,3\n",
		"patient_id,s\n,x\n",
	} {
		f.Add([]byte(seed))
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		f.Fatal(err)
	}
	defer db.Close()
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "events.csv"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		err := LoadCSVDir(context.Background(), db, dir, []*model.Table{allTypes})
		var n int
		if qerr := db.QueryRow("SELECT count(*) FROM information_schema.tables WHERE table_name = 'events'").Scan(&n); qerr != nil {
			t.Fatal(qerr)
		}
		if err != nil && n != 0 {
			t.Fatalf("failed load (%v) left the table behind", err)
		}
		if err == nil {
			if _, err := db.Exec("DROP TABLE events"); err != nil {
				t.Fatal(err)
			}
		}
	})
}
