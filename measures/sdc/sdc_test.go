package sdc_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ehrql-go/ehrql/measures/sdc"
)

func TestRoundExamples(t *testing.T) {
	for _, tc := range []struct{ in, want int64 }{
		{0, 0}, {1, 0}, {5, 0}, {7, 0}, {8, 10}, {9, 10}, {10, 10}, {12, 10}, {13, 15},
		{17, 15}, {18, 20}, {20, 20}, {22, 20}, {23, 25}, {100, 100}, {102, 100}, {103, 105},
		{math.MaxInt64 - 7, math.MaxInt64 - 7}, {math.MaxInt64, math.MaxInt64 - 2}, {math.MaxInt64 - 4, math.MaxInt64 - 2},
	} {
		if got := sdc.Round(tc.in); got != tc.want {
			t.Errorf("Round(%d) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

// TestRoundProperties checks, on many random counts, that no released
// count is in 1..7, every count is a multiple of 5, and rounding moves a
// count above 7 by at most 2.
func TestRoundProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(20240517, 1))
	for i := 0; i < 20000; i++ {
		var v int64
		switch i % 3 {
		case 0:
			v = r.Int64N(30)
		case 1:
			v = r.Int64N(100000)
		default:
			v = r.Int64N(math.MaxInt64)
		}
		got := sdc.Round(v)
		if got >= 1 && got <= 7 {
			t.Fatalf("Round(%d) = %d: a small count was released", v, got)
		}
		if got%5 != 0 {
			t.Fatalf("Round(%d) = %d: not a multiple of 5", v, got)
		}
		if v <= 7 && got != 0 {
			t.Fatalf("Round(%d) = %d, want 0", v, got)
		}
		if v > 7 && (got-v > 2 || v-got > 2) {
			t.Fatalf("Round(%d) = %d: more than 2 away", v, got)
		}
		if got < 0 {
			t.Fatalf("Round(%d) = %d: negative", v, got)
		}
	}
}

func TestApplyProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 5))
	for i := 0; i < 10000; i++ {
		n, d := r.Int64N(200), r.Int64N(200)
		num, den, ratio, ok, err := sdc.Apply(n, d)
		if err != nil {
			t.Fatal(err)
		}
		if num != sdc.Round(n) || den != sdc.Round(d) {
			t.Fatalf("Apply(%d, %d) = %d, %d: not rounded independently", n, d, num, den)
		}
		if ok != (den != 0) || (ok && ratio != float64(num)/float64(den)) {
			t.Fatalf("Apply(%d, %d): ratio %v, %v", n, d, ratio, ok)
		}
	}
}

// TestWorkedExample is spec 3.6's functional test (births by sex) and its
// supplied dummy rows.
func TestWorkedExample(t *testing.T) {
	for _, tc := range []struct {
		num, den         int64
		wantNum, wantDen int64
		wantRatio        float64
		wantOK           bool
	}{
		{0, 8, 0, 10, 0.0, true},     // female 0/8 → 0.0,0,10
		{1, 1, 0, 0, 0, false},       // male 1/1 → ,0,0
		{8, 8, 10, 10, 1.0, true},    // female 8/8 → 1.0,10,10
		{0, 1, 0, 0, 0, false},       // male 0/1 → ,0,0
		{6, 20, 0, 20, 0.0, true},    // dummy 0.3,6,20 → 0.0,0,20
		{14, 20, 15, 20, 0.75, true}, // dummy 0.7,14,20 → 0.75,15,20
	} {
		num, den, ratio, ok, err := sdc.Apply(tc.num, tc.den)
		if err != nil {
			t.Fatal(err)
		}
		if num != tc.wantNum || den != tc.wantDen || ok != tc.wantOK || ratio != tc.wantRatio {
			t.Errorf("Apply(%d, %d) = %d, %d, %v, %v; want %d, %d, %v, %v",
				tc.num, tc.den, num, den, ratio, ok, tc.wantNum, tc.wantDen, tc.wantRatio, tc.wantOK)
		}
	}
}

func TestNegative(t *testing.T) {
	for _, tc := range []struct {
		num, den int64
		want     string
	}{
		{-1, 10, "disclosure control needs non-negative counts, but the numerator is negative"},
		{1, -10, "disclosure control needs non-negative counts, but the denominator is negative"},
	} {
		_, _, _, _, err := sdc.Apply(tc.num, tc.den)
		if err == nil || err.Error() != tc.want {
			t.Errorf("Apply(%d, %d) error %v, want %q", tc.num, tc.den, err, tc.want)
		}
	}
	if got := sdc.Round(-20); got != 0 {
		t.Errorf("Round(-20) = %d, want 0", got)
	}
}
