// Package synthcodes declares the synthetic codelists that "ehrql store
// synthesize" draws clinical events and medications from, and that the wide
// benchmark definition (bench/wide) selects with. Declaring them once here
// keeps the store and the definition in step.
//
// The codes are well-formed for their systems (SNOMED CT and dm+d identifiers
// are 6 to 18 digits, no leading zero) but made up: code i of list k is
// "7" + two digits of k + four digits of i + "008" for conditions and
// "3" + two digits of k + four digits of i + "11000001102" for medicines.
package synthcodes

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Codelist is one named list of synthetic codes.
type Codelist struct {
	// Name is the list's name, a valid identifier fragment (snake_case).
	Name string
	// Codes are the list's codes, in increasing string order.
	Codes []string
}

// conditionSizes are the clinical codelists and their sizes: a few small
// lists (a single test, a procedure), most of tens to hundreds of codes, and
// one of 2,060 codes like the largest real lists.
var conditionSizes = []struct {
	name string
	size int
}{
	{"asthma", 120}, {"copd", 85}, {"diabetes_type1", 40}, {"diabetes_type2", 210},
	{"hypertension", 60}, {"chronic_heart_disease", 640}, {"chronic_kidney_disease", 150},
	{"chronic_liver_disease", 180}, {"stroke", 95}, {"dementia", 130},
	{"learning_disability", 2060}, {"severe_mental_illness", 330}, {"cancer", 900},
	{"smoking_current", 25}, {"pregnancy", 310}, {"flu_vaccination", 12},
}

// medicineSizes are the medication codelists and their sizes.
var medicineSizes = []struct {
	name string
	size int
}{
	{"statins", 140}, {"antihypertensives", 480}, {"inhaled_corticosteroids", 260},
	{"oral_steroids", 90}, {"anticoagulants", 75}, {"antidepressants", 520},
}

// Conditions returns the clinical (SNOMED CT) codelists.
func Conditions() []Codelist {
	var out []Codelist
	for k, c := range conditionSizes {
		out = append(out, generate(c.name, c.size, func(i int) string { return fmt.Sprintf("7%02d%04d008", k+1, i) }))
	}
	return out
}

// Medicines returns the medication (dm+d) codelists.
func Medicines() []Codelist {
	var out []Codelist
	for k, c := range medicineSizes {
		out = append(out, generate(c.name, c.size, func(i int) string { return fmt.Sprintf("3%02d%04d11000001102", k+1, i) }))
	}
	return out
}

// OtherMedicines returns dm+d codes in no codelist: the bulk of
// prescriptions.
func OtherMedicines() []string {
	return generate("other", 800, func(i int) string { return fmt.Sprintf("3%02d%04d11000001102", 99, i) }).Codes
}

// Lookup returns the condition or medicine codelist called name.
func Lookup(name string) (Codelist, error) {
	for _, c := range append(Conditions(), Medicines()...) {
		if c.Name == name {
			return c, nil
		}
	}
	return Codelist{}, fmt.Errorf("no synthetic codelist %q", name)
}

func generate(name string, n int, code func(i int) string) Codelist {
	c := Codelist{Name: name, Codes: make([]string, n)}
	for i := range n {
		c.Codes[i] = code(i)
	}
	return c
}

// CSV renders a codelist as the CSV file a definition reads with
// codelists.FromCSV(path, "code").
func (c Codelist) CSV() string {
	var b strings.Builder
	b.WriteString("code\n")
	for _, code := range c.Codes {
		b.WriteString(code)
		b.WriteByte('\n')
	}
	return b.String()
}

// WriteCSVs writes every condition and medicine codelist as NAME.csv into
// dir (see CSV).
func WriteCSVs(dir string) error {
	for _, c := range append(Conditions(), Medicines()...) {
		if err := os.WriteFile(filepath.Join(dir, c.Name+".csv"), []byte(c.CSV()), 0o644); err != nil {
			return fmt.Errorf("synthetic codelist %s: %w", c.Name, err)
		}
	}
	return nil
}
