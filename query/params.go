package query

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/ehrql-go/ehrql/query/model"
)

// A ParamType reads one parameter value, as the type given to ehrQL's
// get_parameter(name, type=...) does: Name names the type in messages
// ("argument --n: invalid int value: 'x'", as argparse words them) and Parse
// converts the text. A custom type is a ParamType of its own:
//
//	region := query.ParamType[Region]{Name: "region", Parse: parseRegion}
//	r := query.GetOr(params, "region", region, North)
type ParamType[T any] struct {
	Name  string
	Parse func(string) (T, error)
	// own marks a type whose errors are the whole message (ehrQL's bool).
	own bool
}

// The parameter types of ehrQL's get_parameter: str (the default), int and
// float as Python reads them (whitespace, a sign and underscores between
// digits allowed; float also takes an exponent, nan and inf), and bool as
// ehrQL reads it (1/True/true or 0/False/false). Date reads an ISO date
// (YYYY-MM-DD) as a constant date series.
var (
	StrParam = ParamType[string]{Name: "str", Parse: func(s string) (string, error) { return s, nil }}
	IntParam = ParamType[int]{Name: "int", Parse: func(s string) (int, error) {
		i, err := model.ParsePyInt(s)
		return int(i), err
	}}
	FloatParam = ParamType[float64]{Name: "float", Parse: model.ParsePyFloat}
	BoolParam  = ParamType[bool]{Name: "bool", Parse: parseBoolParam, own: true}
	DateParam  = ParamType[DatePatientSeries]{Name: "date", Parse: func(s string) (DatePatientSeries, error) {
		if _, err := model.ParseDate(s); err != nil {
			return DatePatientSeries{}, err
		}
		return Date(s), nil
	}}
)

// parseBoolParam is ehrQL's convert_string_to_bool.
func parseBoolParam(s string) (bool, error) {
	switch s {
	case "true", "True", "1":
		return true, nil
	case "false", "False", "0":
		return false, nil
	}
	return false, fmt.Errorf("'%s' is an invalid value for `bool` type parameter\n\nValid values are 1/True/true or 0/False/false.", s)
}

// parse converts every value given for name, stopping the definition with
// ehrQL's message at the first that typ does not read.
func parse[T any](p *Params, name string, typ ParamType[T]) []T {
	var out []T
	for _, v := range p.values[name] {
		x, err := typ.Parse(v)
		if err != nil {
			if typ.own {
				paramFail(ExitParameterError, "%v", err)
			}
			var ne *strconv.NumError
			if errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) {
				paramFail(ExitParameterError, "argument --%s: %s value out of range: %s", name, typ.Name, pyQuote(v))
			}
			paramFail(ExitParameterError, "argument --%s: invalid %s value: %s", name, typ.Name, pyQuote(v))
		}
		out = append(out, x)
	}
	return out
}

// pyQuote renders s as Python's repr of a string does, for messages.
func pyQuote(s string) string {
	q := strconv.Quote(s)
	return "'" + q[1:len(q)-1] + "'"
}

// Get returns the parameter's one value read as typ: ehrQL's
// get_parameter(name, type=typ) given one value. No value stops the
// definition with ehrQL's message; several values, or one typ does not
// read, stop it with ExitParameterError (use GetList for several).
func Get[T any](p *Params, name string, typ ParamType[T]) T {
	p.required(name)
	return parse(p, name, typ)[0]
}

// GetOr is Get, or def where the parameter has no value: ehrQL's
// get_parameter(name, type=typ, default=def).
func GetOr[T any](p *Params, name string, typ ParamType[T], def T) T {
	if _, ok := p.one(name); !ok {
		return def
	}
	return parse(p, name, typ)[0]
}

// GetList returns every value of the parameter read as typ, given as
// --name a b or --name a --name b: ehrQL's get_parameter given several
// values. No value stops the definition with ehrQL's message.
func GetList[T any](p *Params, name string, typ ParamType[T]) []T {
	if len(p.values[name]) == 0 {
		p.required(name)
	}
	return parse(p, name, typ)
}

// GetListOr is GetList, or def where the parameter has no value.
func GetListOr[T any](p *Params, name string, typ ParamType[T], def []T) []T {
	if len(p.values[name]) == 0 {
		return def
	}
	return parse(p, name, typ)
}
