package generative

import (
	"bytes"
	"fmt"

	"github.com/ehrql-go/ehrql/query/model"
)

// RoundTrip encodes a definition in the JSON wire format (ehrQL's
// serialize-definition) and decodes it again; the decoded definition must
// encode to the same JSON.
func RoundTrip(def *model.Definition) (*model.Definition, error) {
	js, err := model.Encode(def)
	if err != nil {
		return nil, fmt.Errorf("encoding: %w", err)
	}
	back, err := model.Decode(js, nil)
	if err != nil {
		return nil, fmt.Errorf("decoding: %w\n%s", err, js)
	}
	again, err := model.Encode(back)
	if err != nil {
		return nil, fmt.Errorf("encoding the decoded definition: %w", err)
	}
	if !bytes.Equal(js, again) {
		i := 0
		for i < len(js) && i < len(again) && js[i] == again[i] {
			i++
		}
		return nil, fmt.Errorf("the decoded definition encodes differently from byte %d:\n  first:  %s\n  second: %s", i, excerpt(js, i), excerpt(again, i))
	}
	return back, nil
}

// excerpt is the text of b around offset i.
func excerpt(b []byte, i int) string {
	lo, hi := max(0, i-80), min(len(b), i+80)
	return string(b[lo:hi])
}
