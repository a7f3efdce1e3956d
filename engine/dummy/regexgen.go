package dummy

import (
	"math/rand/v2"
	"regexp/syntax"
	"strings"
)

// genRegex writes a random string matching re (a simplified regexp/syntax
// tree). Unbounded repeats stop after a few rounds; anchors and word
// boundaries generate nothing.
func genRegex(r *rand.Rand, re *syntax.Regexp, b *strings.Builder) {
	switch re.Op {
	case syntax.OpLiteral:
		b.WriteString(string(re.Rune))
	case syntax.OpCharClass:
		// Rune holds [lo, hi] pairs.
		total := 0
		for i := 0; i+1 < len(re.Rune); i += 2 {
			total += int(re.Rune[i+1]-re.Rune[i]) + 1
		}
		if total == 0 {
			return
		}
		k := r.IntN(total)
		for i := 0; i+1 < len(re.Rune); i += 2 {
			n := int(re.Rune[i+1]-re.Rune[i]) + 1
			if k < n {
				b.WriteRune(re.Rune[i] + rune(k))
				return
			}
			k -= n
		}
	case syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		b.WriteByte(alnum[r.IntN(len(alnum))])
	case syntax.OpCapture:
		genRegex(r, re.Sub[0], b)
	case syntax.OpConcat:
		for _, s := range re.Sub {
			genRegex(r, s, b)
		}
	case syntax.OpAlternate:
		genRegex(r, re.Sub[r.IntN(len(re.Sub))], b)
	case syntax.OpQuest:
		if r.IntN(2) == 0 {
			genRegex(r, re.Sub[0], b)
		}
	case syntax.OpStar, syntax.OpPlus:
		n := r.IntN(4)
		if re.Op == syntax.OpPlus {
			n++
		}
		for i := 0; i < n; i++ {
			genRegex(r, re.Sub[0], b)
		}
	case syntax.OpRepeat:
		hi := re.Max
		if hi < 0 {
			hi = re.Min + 3
		}
		n := re.Min + r.IntN(hi-re.Min+1)
		for i := 0; i < n; i++ {
			genRegex(r, re.Sub[0], b)
		}
	}
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func regexString(r *rand.Rand, re *syntax.Regexp) string {
	var b strings.Builder
	genRegex(r, re, &b)
	return b.String()
}

func mustRegex(p string) *syntax.Regexp {
	re, err := syntax.Parse(p, syntax.Perl)
	if err != nil {
		panic(err)
	}
	return re.Simplify()
}

// codePatterns generate plausible codes of each system when the query
// mentions none.
var codePatterns = map[string]*syntax.Regexp{
	"SNOMEDCTCode": mustRegex(`[1-9][0-9]{5,8}`),
	"DMDCode":      mustRegex(`[1-9][0-9]{6,9}`),
	"CTV3Code":     mustRegex(`[0-9A-Za-z]{5}`),
	"ICD10Code":    mustRegex(`[A-Z][0-9]{2}[0-9]?`),
	"OPCS4Code":    mustRegex(`[A-HJ-Z][0-9]{3}`),
	"BNFCode":      mustRegex(`2[0-3][0-9]{9}`),
}
