package codelists

import (
	"fmt"
	"strings"
	"unicode"
)

// maxListedBadCodes caps how many further invalid codes Validate names after
// the first one.
const maxListedBadCodes = 5

// Codelist is an ordered set of codes with optional categories. Codes are
// plain strings: they are validated against a code system only when used
// (Validate), as ehrQL does.
//
// The zero Codelist is an empty literal codelist. A Codelist is immutable
// once built and safe for concurrent use; its accessors return copies.
type Codelist struct {
	codes       []string       // distinct, stripped, non-empty, in first-seen order
	cats        []string       // category of codes[i]; nil unless categorised
	pos         map[string]int // code -> index into codes
	categorised bool
	source      string // file the codelist came from, "" for literals
	err         error  // load failure kept by FromCSV and friends
}

// builder accumulates codes with ehrQL's semantics: codes and categories are
// whitespace-stripped, empty codes are dropped, and a repeated code keeps its
// first position while its category is overwritten (the last one wins).
type builder struct {
	c Codelist
}

func newBuilder(categorised bool) *builder {
	return &builder{c: Codelist{pos: map[string]int{}, categorised: categorised}}
}

func (b *builder) add(code, category string) {
	code = strip(code)
	if code == "" {
		return
	}
	category = strip(category)
	if i, ok := b.c.pos[code]; ok {
		if b.c.categorised {
			b.c.cats[i] = category
		}
		return
	}
	b.c.pos[code] = len(b.c.codes)
	b.c.codes = append(b.c.codes, code)
	if b.c.categorised {
		b.c.cats = append(b.c.cats, category)
	}
}

// strip removes leading and trailing whitespace as Python's str.strip() does:
// Unicode white space plus the ASCII separators U+001C to U+001F, which Python
// also counts as white space.
func strip(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
	})
}

// New returns a literal codelist of codes. Codes are whitespace-stripped,
// empty codes are dropped and duplicates collapse, keeping the first
// position. The codelist has no categories and no source file.
func New(codes ...string) Codelist {
	b := newBuilder(false)
	for _, code := range codes {
		b.add(code, "")
	}
	return b.c
}

// NewCategorised returns a literal codelist in which codes[i] has category
// categories[i]. Codes and categories are whitespace-stripped, empty codes
// are dropped, and a repeated code keeps its first position while the last
// category given for it wins. The two slices must have the same length.
func NewCategorised(codes []string, categories []string) (Codelist, error) {
	if len(codes) != len(categories) {
		return Codelist{}, fmt.Errorf("codelist: %d codes but %d categories; each code needs exactly one category", len(codes), len(categories))
	}
	b := newBuilder(true)
	for i, code := range codes {
		b.add(code, categories[i])
	}
	return b.c, nil
}

// Err returns the error that prevented the codelist from loading (see
// FromCSV), or nil.
func (c Codelist) Err() error { return c.err }

// Codes returns a copy of the codes, in first-seen order.
func (c Codelist) Codes() []string {
	out := make([]string, len(c.codes))
	copy(out, c.codes)
	return out
}

// Len returns the number of distinct codes.
func (c Codelist) Len() int { return len(c.codes) }

// Contains reports whether code (compared exactly, without stripping) is in
// the codelist.
func (c Codelist) Contains(code string) bool {
	_, ok := c.pos[code]
	return ok
}

// HasCategories reports whether the codelist was built with categories (by
// NewCategorised, LoadCategorised or FromCSVWithCategories).
func (c Codelist) HasCategories() bool { return c.categorised }

// Category returns the category of code (compared exactly, without
// stripping). The boolean is false if the codelist has no categories or does
// not contain code; a code may have the empty category.
func (c Codelist) Category(code string) (string, bool) {
	if !c.categorised {
		return "", false
	}
	i, ok := c.pos[code]
	if !ok {
		return "", false
	}
	return c.cats[i], true
}

// Source returns the path of the file the codelist came from, or "" for a
// literal codelist. For a file found through EHRQL_DEFINITION_DIR it is the
// path that was actually read.
func (c Codelist) Source() string { return c.source }

// Validate checks that every code is valid for system s (see System.Valid).
// A codelist carrying a load error (Err) returns that error. Otherwise the
// error names the codelist's source file and the first invalid code, for
// example
//
//	codelist codelists/x.csv: Invalid SNOMEDCTCode: abc
//
// followed, when there are more, by a count and the next few of them. The
// error wraps an *InvalidCodeError for the first invalid code.
func (c Codelist) Validate(s System) error {
	if c.err != nil {
		return c.err
	}
	if !s.known() {
		return fmt.Errorf("%s: cannot validate against unknown code system %q", c.label(), string(s))
	}
	var bad []string
	for _, code := range c.codes {
		if !s.Valid(code) {
			bad = append(bad, code)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	first := &InvalidCodeError{System: s, Code: bad[0]}
	rest := bad[1:]
	if len(rest) == 0 {
		return fmt.Errorf("%s: %w", c.label(), first)
	}
	shown := rest
	if len(shown) > maxListedBadCodes {
		shown = shown[:maxListedBadCodes]
	}
	more := strings.Join(shown, ", ")
	if len(shown) < len(rest) {
		more += ", ..."
	}
	return fmt.Errorf("%s: %w (and %d more invalid: %s)", c.label(), first, len(rest), more)
}

// label names the codelist in error messages.
func (c Codelist) label() string {
	if c.source == "" {
		return "codelist"
	}
	return "codelist " + c.source
}

// Union is one codelist made from others, as ehrQL studies build one from
// several (codelist_a + codelist_b, or a dict merged from categorised
// ones): every code of each list, in order, a repeated code keeping its
// first position. Categorised lists give a categorised list in which the
// last category given for a code wins; mixing categorised and plain lists
// is an error, as is any list that failed to load (its error is kept).
func Union(lists ...Codelist) Codelist {
	categorised := len(lists) > 0 && lists[0].categorised
	b := newBuilder(categorised)
	for i, l := range lists {
		if l.err != nil {
			return Codelist{err: l.err}
		}
		if l.categorised != categorised {
			kind := map[bool]string{true: "categorised", false: "not categorised"}
			return Codelist{err: fmt.Errorf("codelist union: list %d is %s but list 1 is %s: combine categorised codelists only with categorised ones", i+1, kind[l.categorised], kind[categorised])}
		}
		for j, code := range l.codes {
			category := ""
			if categorised {
				category = l.cats[j]
			}
			b.add(code, category)
		}
	}
	return b.c
}
