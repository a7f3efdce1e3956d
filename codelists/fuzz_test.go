package codelists

import (
	"testing"
	"unicode/utf8"
)

// FuzzParseCSV feeds arbitrary bytes to the codelist CSV reader, plain and
// categorised: it must never panic, and every code it accepts is valid
// UTF-8 text. Run it for a few seconds with
//
//	go test ./codelists -run '^$' -fuzz '^FuzzParseCSV$' -fuzztime 10s
func FuzzParseCSV(f *testing.F) {
	for _, seed := range []string{
		"code,term,cat\n123456,Asthma,1\n234567,COPD,2\n",
		"\ufeffcode,cat\r\n123456,1\r\n",
		"code,cat\n12\xff34,1\n", // not UTF-8
		"code,cat\n\"unterminated\n",
		"code\n1e999\n\x00\n",
		"cat\n1\n", // no code column
		"",
		"code,code,cat\n1,2,3\n",
		"code,cat\n 123 ,\n,\n",
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, categorised bool) {
		c, err := parse(data, "code", "cat", categorised)
		if err != nil {
			return
		}
		for _, code := range c.Codes() {
			if !utf8.ValidString(code) {
				t.Fatalf("accepted code %q is not UTF-8", code)
			}
		}
	})
}
