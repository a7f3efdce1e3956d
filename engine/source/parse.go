package source

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// parseInt parses s as Python's int() does for base 10: surrounding
// whitespace, an optional sign, and digits optionally separated by single
// underscores. It reports ok=false for invalid syntax and for values outside
// int64 (rangeErr=true).
func parseInt(s string) (v int64, ok, rangeErr bool) {
	s = strings.TrimSpace(s)
	// Fast path: plain ASCII digits with an optional sign.
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true, false
	}
	body := s
	if body != "" && (body[0] == '+' || body[0] == '-') {
		body = body[1:]
	}
	if !digitsWithUnderscores(body) {
		return 0, false, false
	}
	clean := strings.ReplaceAll(s, "_", "")
	n, err := strconv.ParseInt(clean, 10, 64)
	if err != nil {
		return 0, false, true
	}
	return n, true, false
}

// digitsWithUnderscores reports whether s is a non-empty run of ASCII digits
// in which each underscore sits between two digits (PEP 515).
func digitsWithUnderscores(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
		case c == '_':
			if i == 0 || i == len(s)-1 || !isDigit(s[i-1]) || !isDigit(s[i+1]) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// parseFloat parses s as Python's float() does: surrounding whitespace, an
// optional sign, a decimal number with optional fraction and exponent
// (digits may be separated by single underscores), or inf, infinity and nan
// in any case.
func parseFloat(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	body := s
	neg := false
	if body != "" && (body[0] == '+' || body[0] == '-') {
		neg = body[0] == '-'
		body = body[1:]
	}
	if body != "" && (body[0]|0x20 == 'i' || body[0]|0x20 == 'n') {
		switch strings.ToLower(body) {
		case "inf", "infinity":
			if neg {
				return math.Inf(-1), true
			}
			return math.Inf(1), true
		case "nan":
			return math.NaN(), true
		}
		return 0, false
	}
	if !decimalFloat(body) {
		return 0, false
	}
	if strings.IndexByte(s, '_') >= 0 {
		s = strings.ReplaceAll(s, "_", "")
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// Out of range: Python gives inf or 0 as ParseFloat does, so keep
		// its value; any other error is a syntax error.
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, true
		}
		return 0, false
	}
	return f, true
}

// decimalFloat reports whether s (without sign) matches Python's decimal
// float syntax: digitpart ["." [digitpart]] | "." digitpart, then optionally
// ("e"|"E") [sign] digitpart, where digitpart allows single underscores
// between digits.
func decimalFloat(s string) bool {
	mant, exp := s, ""
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant, exp = s[:i], s[i+1:]
		if exp != "" && (exp[0] == '+' || exp[0] == '-') {
			exp = exp[1:]
		}
		if !digitsWithUnderscores(exp) {
			return false
		}
	}
	intPart, frac, hasDot := strings.Cut(mant, ".")
	switch {
	case !hasDot:
		return digitsWithUnderscores(intPart)
	case intPart == "":
		return digitsWithUnderscores(frac)
	case frac == "":
		return digitsWithUnderscores(intPart)
	default:
		return digitsWithUnderscores(intPart) && digitsWithUnderscores(frac)
	}
}

// parseDate parses s as Python 3.11+'s date.fromisoformat does: YYYY-MM-DD,
// YYYYMMDD, and the ISO week dates YYYY-Www-D, YYYYWwwD, YYYY-Www and
// YYYYWww. The date must exist (years 1 to 9999). No whitespace is allowed.
func parseDate(s string) (time.Time, bool) {
	// Fast path for the common YYYY-MM-DD form.
	if len(s) == 10 && s[4] == '-' && s[7] == '-' && s[5] != 'W' {
		y, ok1 := atoiN(s[0:4])
		m, ok2 := atoiN(s[5:7])
		d, ok3 := atoiN(s[8:10])
		if !ok1 || !ok2 || !ok3 {
			return time.Time{}, false
		}
		return civil(y, m, d)
	}
	if len(s) != 7 && len(s) != 8 && len(s) != 10 {
		return time.Time{}, false
	}
	y, ok := atoiN(s[0:4])
	if !ok {
		return time.Time{}, false
	}
	sep := s[4] == '-'
	pos := 4
	if sep {
		pos++
	}
	rest := s[pos:]
	if rest != "" && rest[0] == 'W' {
		return weekDate(y, rest[1:], sep)
	}
	// Calendar date: MM[-]DD.
	want := "MMDD"
	if sep {
		want = "MM-DD"
	}
	if len(rest) != len(want) {
		return time.Time{}, false
	}
	m, ok := atoiN(rest[0:2])
	if !ok {
		return time.Time{}, false
	}
	if sep {
		if rest[2] != '-' {
			return time.Time{}, false
		}
		rest = rest[3:]
	} else {
		rest = rest[2:]
	}
	d, ok := atoiN(rest)
	if !ok {
		return time.Time{}, false
	}
	return civil(y, m, d)
}

// weekDate parses the part of an ISO week date after "W": ww[[-]d].
func weekDate(year int, rest string, sep bool) (time.Time, bool) {
	if len(rest) < 2 {
		return time.Time{}, false
	}
	week, ok := atoiN(rest[0:2])
	if !ok {
		return time.Time{}, false
	}
	rest = rest[2:]
	day := 1
	if rest != "" {
		if sep {
			if rest[0] != '-' {
				return time.Time{}, false
			}
			rest = rest[1:]
		}
		if len(rest) != 1 {
			return time.Time{}, false
		}
		if day, ok = atoiN(rest); !ok {
			return time.Time{}, false
		}
	}
	if year < 1 || year > 9999 || day < 1 || day > 7 || week < 1 || week > 53 {
		return time.Time{}, false
	}
	// Monday of ISO week 1 is the Monday on or before 4 January.
	jan4 := time.Date(year, time.January, 4, 0, 0, 0, 0, time.UTC)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
	if week == 53 {
		// Only years whose 1 January is a Thursday, or a Wednesday in a
		// leap year, have a week 53.
		jan1 := time.Date(year, time.January, 1, 0, 0, 0, 0, time.UTC).Weekday()
		leap := time.Date(year, time.December, 31, 0, 0, 0, 0, time.UTC).YearDay() == 366
		if !(jan1 == time.Thursday || (jan1 == time.Wednesday && leap)) {
			return time.Time{}, false
		}
	}
	t := monday.AddDate(0, 0, (week-1)*7+day-1)
	if t.Year() < 1 || t.Year() > 9999 {
		return time.Time{}, false
	}
	return t, true
}

// atoiN parses a non-empty run of ASCII digits.
func atoiN(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// civil returns midnight UTC on y-m-d if that date exists in years 1..9999.
func civil(y, m, d int) (time.Time, bool) {
	if y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// pyRepr renders s as Python's repr() of a str does: single quotes unless
// the text contains a single quote and no double quote, with backslash
// escapes for the quote, backslashes and non-printable characters.
func pyRepr(s string) string {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte(q)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\x`)
			b.WriteString(hex2(s[i]))
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x`)
			b.WriteString(hex2(byte(r)))
		case r < utf8.RuneSelf || strconv.IsPrint(r):
			b.WriteRune(r)
		case r <= 0xff:
			b.WriteString(`\x`)
			b.WriteString(hex2(byte(r)))
		case r <= 0xffff:
			b.WriteString(`\u`)
			b.WriteString(strconv.FormatInt(int64(r)|0x10000, 16)[1:])
		default:
			b.WriteString(`\U`)
			b.WriteString(strconv.FormatInt(int64(r)|0x100000000, 16)[1:])
		}
		i += size
	}
	b.WriteByte(q)
	return b.String()
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&0xf]})
}
