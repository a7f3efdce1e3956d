package codelists_test

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/ehrql-go/ehrql/codelists"
)

func ExampleParseSystem() {
	s, err := codelists.ParseSystem("ICD10Code")
	fmt.Println(s == codelists.ICD10, err)

	_, err = codelists.ParseSystem("ICD10")
	fmt.Println(err)
	// Output:
	// true <nil>
	// unknown code system "ICD10": valid names are SNOMEDCTCode, DMDCode, CTV3Code, ICD10Code, OPCS4Code, BNFCode
}

func ExampleSystem_Validate() {
	fmt.Println(codelists.SNOMEDCT.Validate("22298006"))
	fmt.Println(codelists.SNOMEDCT.Validate("abc"))
	fmt.Println(codelists.ICD10.Validate("i21"))
	// Output:
	// <nil>
	// Invalid SNOMEDCTCode: abc
	// Invalid ICD10Code: i21
}

func ExampleSystem_Valid() {
	for _, code := range []string{"A01", "A012", "A01X", "A01X2", "a01", "A01XX"} {
		fmt.Println(code, codelists.ICD10.Valid(code))
	}
	// Output:
	// A01 true
	// A012 true
	// A01X true
	// A01X2 true
	// a01 false
	// A01XX false
}

func ExampleSystem_ValidPrefix() {
	fmt.Println(codelists.ICD10.ValidPrefix("I2"))
	fmt.Println(codelists.OPCS4.ValidPrefix("I2")) // OPCS-4 has no chapter I
	fmt.Println(codelists.SNOMEDCT.ValidPrefix("123456"))
	// Output:
	// true
	// false
	// false
}

func ExampleNew() {
	c := codelists.New(" 22298006", "123456", "", "22298006")
	fmt.Println(c.Len(), c.Codes())
	fmt.Println(c.Validate(codelists.SNOMEDCT))
	fmt.Println(c.Validate(codelists.CTV3))
	// Output:
	// 2 [22298006 123456]
	// <nil>
	// codelist: Invalid CTV3Code: 22298006 (and 1 more invalid: 123456)
}

func ExampleNewCategorised() {
	c, err := codelists.NewCategorised(
		[]string{"I21", "I22", "I21"},
		[]string{"first MI", "subsequent MI", "MI"},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, code := range c.Codes() {
		cat, _ := c.Category(code)
		fmt.Printf("%s: %s\n", code, cat)
	}
	// Output:
	// I21: MI
	// I22: subsequent MI
}

func ExampleLoad() {
	c, err := codelists.Load("testdata/user-KatieDavies_1234-virtual-consultation.csv", "code")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Len(), c.Codes()[:3])
	fmt.Println(c.Validate(codelists.SNOMEDCT))
	// Output:
	// 68 [1068881000000101 1083031000000104 11797002]
	// <nil>
}

func ExampleLoadCategorised() {
	c, err := codelists.LoadCategorised("testdata/opensafely-ethnicity-snomed-0removed.csv", "snomedcode", "Grouping_6")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Len(), c.HasCategories())
	fmt.Println(c.Category("10292001"))
	fmt.Println(c.Category("22298006"))
	// Output:
	// 599 true
	// 5 true
	//  false
}

func ExampleFromCSV() {
	c := codelists.FromCSV("testdata/no-such-codelist.csv", "code")
	fmt.Println(c.Len())
	fmt.Println(c.Err())
	fmt.Println(errors.Is(c.Validate(codelists.SNOMEDCT), fs.ErrNotExist))

	_, err := codelists.Load("testdata/user-KatieDavies_1234-generic-consultation.csv", "snomedcode")
	fmt.Println(err)
	// Output:
	// 0
	// No CSV file at testdata/no-such-codelist.csv
	// true
	// codelist testdata/user-KatieDavies_1234-generic-consultation.csv: No column 'snomedcode' in CSV
}
