// Package memory is the reference engine: a direct evaluator of ehrQL's
// query model over tables held in memory, patient by patient and row by
// row, with no optimisation. Its semantics are ehrQL's (its in-memory
// engine's), and it is what the DuckDB engine is tested against.
//
// Evaluation is eager, as ehrQL's is: the population and every variable are
// evaluated for every patient in any table, every branch of a Case is
// evaluated, and a filter's condition for every row of its table, so an
// error anywhere (a date out of range, an int overflow) fails the run. With
// Options.Lazy it evaluates only what the results need: that run errs only
// where every engine must.
//
// RunMeasures evaluates measures the same way, an interval at a time.
package memory

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/ehrql-go/ehrql/query/model"
)

// Row is one row of a table: its patient and its values by column name (a
// missing column is NULL). Values are nil, bool, int64, float64, string
// (str, codes, multi-code strings) or model.CivilDate.
type Row struct {
	PatientID int64
	Values    map[string]any
}

// Data holds the rows of each table, by table name, in table order.
type Data map[string][]Row

// Table is one output table: its column names (patient_id first) and rows.
type Table struct {
	Name    string
	Columns []string
	Rows    [][]any
}

// Results are a dataset's outputs: the dataset (one row per patient in the
// population, by patient_id) and its event-level tables.
type Results struct {
	Dataset Table
	Events  []Table
}

// Options change how the engine evaluates.
type Options struct {
	// Lazy evaluates only the values the results need (Case branches not
	// taken, And/Or operands not needed and patients outside the
	// population are skipped, and so are patients in no table the
	// population reads). Where only a condition's truth matters (the
	// population, a Case condition, a filter's condition), NULL and false
	// are alike: an And with an operand that is not true is not true
	// whatever its other operands.
	Lazy bool
}

// Error is a run-time error in the data, naming where it arose.
type Error struct {
	Where string // "population", "variable 'x'" or "event table 'y'"
	Err   *model.EvalError
}

// Error implements the error interface.
func (e *Error) Error() string { return e.Where + ": " + e.Err.Error() }

// Unwrap returns the evaluation error.
func (e *Error) Unwrap() error { return e.Err }

// Run validates the dataset and evaluates it over data.
func Run(ds *model.Dataset, data Data, opts Options) (res *Results, err error) {
	if err := ds.Validate(); err != nil {
		return nil, err
	}
	for _, n := range append([]*model.Node{ds.Population}, variableSeries(ds)...) {
		if err := noParameters(n); err != nil {
			return nil, err
		}
	}
	return evaluate(ds, data, opts, nil)
}

// evaluate evaluates a dataset already checked. Ties in picks are broken
// by the columns read from them in the dataset and in others (the other
// series of the same query).
func evaluate(ds *model.Dataset, data Data, opts Options, others []*model.Node) (res *Results, err error) {
	e, ids := newEvaluator(data, ds.Roots(), opts.Lazy, others...)
	if e.lazy {
		ids = e.candidates(ds.Population, ids)
	}

	defer func() {
		if r := recover(); r != nil {
			fail, ok := r.(failure)
			if !ok {
				panic(r)
			}
			res, err = nil, &Error{Where: e.where, Err: fail.err}
		}
	}()
	res = &Results{Dataset: Table{Name: "dataset", Columns: []string{"patient_id"}}}
	for _, v := range ds.Variables {
		res.Dataset.Columns = append(res.Dataset.Columns, v.Name)
	}
	// What each root reads, for the eager sweep.
	type labelled struct {
		where string
		nodes []*model.Node
	}
	var sweeps []labelled
	if !e.lazy {
		sweeps = append(sweeps, labelled{"population", postOrder(ds.Population)})
		for _, v := range ds.Variables {
			sweeps = append(sweeps, labelled{fmt.Sprintf("variable '%s'", v.Name), postOrder(v.Series)})
		}
		for _, ev := range ds.Events {
			sweeps = append(sweeps, labelled{fmt.Sprintf("event table '%s'", ev.Name), postOrder(ev.Frame)})
		}
	}
	var included []int64
	for _, id := range ids {
		e.startPatient(id)
		for _, sw := range sweeps {
			e.where = sw.where
			e.sweep(sw.nodes)
		}
		e.where = "population"
		var in bool
		if e.lazy {
			in = e.holds(ds.Population, -1)
		} else {
			in = e.eval(ds.Population, -1) == true
		}
		if !in && e.lazy {
			continue
		}
		row := []any{id}
		for _, v := range ds.Variables {
			e.where = fmt.Sprintf("variable '%s'", v.Name)
			row = append(row, e.eval(v.Series, -1))
		}
		if in {
			res.Dataset.Rows = append(res.Dataset.Rows, row)
			included = append(included, id)
		}
	}
	for _, ev := range ds.Events {
		e.where = fmt.Sprintf("event table '%s'", ev.Name)
		res.Events = append(res.Events, e.eventTable(ev, ids, included))
	}
	return res, nil
}

// candidates keeps the patients in some table the population reads. For
// anyone else the population has its value for a patient with no data,
// which is not true (ehrQL's population rule), so a lazy run need not
// evaluate them, and the compiled SQL does not.
func (e *evaluator) candidates(pop *model.Node, ids []int64) []int64 {
	in := map[int64]bool{}
	for _, n := range postOrder(pop) {
		switch n.Op() {
		case model.OpSelectTable, model.OpSelectPatientTable:
			for id := range e.rowsOf[n.Table().Name] {
				in[id] = true
			}
		case model.OpInlinePatientTable:
			for id := range e.inline[n.ID()] {
				in[id] = true
			}
		}
	}
	return slices.DeleteFunc(slices.Clone(ids), func(id int64) bool { return !in[id] })
}

func variableSeries(ds *model.Dataset) []*model.Node {
	var out []*model.Node
	for _, v := range ds.Variables {
		out = append(out, v.Series)
	}
	return out
}

// postOrder lists the nodes under n, each once, children first.
func postOrder(n *model.Node) []*model.Node {
	var out []*model.Node
	seen := map[model.ID]bool{}
	var visit func(n *model.Node)
	visit = func(n *model.Node) {
		if n == nil || seen[n.ID()] {
			return
		}
		seen[n.ID()] = true
		for _, a := range n.Args() {
			visit(a)
		}
		out = append(out, n)
	}
	visit(n)
	return out
}

// sweep evaluates every node, as ehrQL's engine does whether or not the
// results need it: series for the patient and at every row of their frame,
// frames' rows and picks.
func (e *evaluator) sweep(nodes []*model.Node) {
	for _, n := range nodes {
		switch {
		case n.Op() == model.OpSeriesCollectionFrame:
		case n.Op() == model.OpPickOneRowPerPatient:
			e.pick(n)
		case n.IsFrame():
			if n.ManyRowsPerPatient() {
				e.frameRows(n)
			}
		case n.PatientDomain():
			e.eval(n, -1)
		default:
			for _, r := range e.frameRows(frameOf(n)) {
				e.eval(n, r)
			}
		}
	}
}

// noParameters refuses measures' interval parameters outside measures.
func noParameters(n *model.Node) error {
	if n == nil {
		return nil
	}
	if n.Op() == model.OpParameter {
		return fmt.Errorf("parameter %q outside a measure", n.Name())
	}
	for _, a := range n.Args() {
		if err := noParameters(a); err != nil {
			return err
		}
	}
	return nil
}

// newEvaluator indexes the data for evaluating roots and returns the
// patients to evaluate: everyone in the data or in an inline table, in
// order. Ties in picks are broken by the columns read from them under
// roots and others.
func newEvaluator(data Data, roots []*model.Node, lazy bool, others ...*model.Node) (*evaluator, []int64) {
	e := &evaluator{data: data, lazy: lazy, rowsOf: map[string]map[int64][]int{},
		selected: model.PickedColumns(append(slices.Clip(roots), others...)...)}
	patients := map[int64]bool{}
	for name, rows := range data {
		byPatient := map[int64][]int{}
		for i, r := range rows {
			byPatient[r.PatientID] = append(byPatient[r.PatientID], i)
			patients[r.PatientID] = true
		}
		e.rowsOf[name] = byPatient
	}
	e.walk(roots, patients)
	ids := make([]int64, 0, len(patients))
	for id := range patients {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return e, ids
}

// failure carries an evaluation error out of the evaluator.
type failure struct{ err *model.EvalError }

type evaluator struct {
	data Data
	lazy bool
	// rowsOf indexes each table's rows by patient.
	rowsOf map[string]map[int64][]int
	// selected lists, for each pick, the columns read from it anywhere in
	// the query (model.PickedColumns), by name: ehrQL sorts by them, after the frame's own
	// sort keys, so that the values picked do not depend on row order.
	selected map[model.ID][]string
	// inline holds the rows of inline patient tables.
	inline map[model.ID]map[int64]map[string]any
	where  string

	// The current patient and what has been computed for them.
	patient int64
	values  map[valueKey]any
	// truth holds the truth of And and Or conditions whose values a lazy
	// run did not need (holds).
	truth  map[valueKey]bool
	frames map[model.ID][]int
	picks  map[model.ID]int
}

type valueKey struct {
	id  model.ID
	row int
}

// walk records the inline tables' rows (whose patients join the patients
// evaluated).
func (e *evaluator) walk(roots []*model.Node, patients map[int64]bool) {
	e.inline = map[model.ID]map[int64]map[string]any{}
	model.Walk(func(n *model.Node) bool {
		if n.Op() == model.OpInlinePatientTable {
			rows := map[int64]map[string]any{}
			cols := n.Table().Columns
			for _, r := range n.Rows() {
				id := r[0].Go().(int64)
				vals := map[string]any{}
				for i, c := range cols {
					vals[c.Name] = r[i+1].Go()
				}
				rows[id] = vals
				patients[id] = true
			}
			e.inline[n.ID()] = rows
		}
		return true
	}, roots...)
}

func (e *evaluator) startPatient(id int64) {
	e.patient = id
	e.values = map[valueKey]any{}
	e.truth = map[valueKey]bool{}
	e.frames = map[model.ID][]int{}
	e.picks = map[model.ID]int{}
}

// row returns the values of row i of a table.
func (e *evaluator) row(table string, i int) map[string]any { return e.data[table][i].Values }

// eval evaluates series n for the current patient: at row (an index into
// the rows of the series' table) for an event-level series, or -1.
func (e *evaluator) eval(n *model.Node, row int) any {
	if n == nil {
		return nil
	}
	if n.PatientDomain() {
		row = -1
	}
	key := valueKey{n.ID(), row}
	if v, ok := e.values[key]; ok {
		return v
	}
	v := e.compute(n, row)
	e.values[key] = v
	return v
}

func (e *evaluator) compute(n *model.Node, row int) any {
	switch op := n.Op(); {
	case op == model.OpValue:
		if n.Type().Set {
			return n.Literal().Members()
		}
		return n.Literal().Go()
	case op == model.OpSelectColumn:
		src := n.Arg(0)
		if src.ManyRowsPerPatient() {
			return e.row(src.Table().Name, row)[n.Name()]
		}
		vals := e.patientRow(src)
		if vals == nil {
			return nil
		}
		return vals[n.Name()]
	case op.IsAggregation():
		return e.aggregate(n)
	case op == model.OpCase:
		conds, values, def := n.CaseBranches()
		var result any
		chosen := false
		for i, c := range conds {
			if chosen && e.lazy {
				break
			}
			if !e.lazy {
				cv := e.eval(c, row)
				v := e.eval(values[i], row)
				if !chosen && cv == true {
					result, chosen = v, true
				}
				continue
			}
			if e.holds(c, row) {
				result, chosen = e.eval(values[i], row), true
			}
		}
		if !chosen || !e.lazy {
			d := e.eval(def, row)
			if !chosen {
				result = d
			}
		}
		return result
	case e.lazy && op == model.OpIn:
		set := e.eval(n.Arg(1), row)
		if v, ok, err := model.EvalFunction(op, []any{nil, set}); ok && err == nil && v == false {
			return false // an empty set: the left side is not needed
		}
		return e.apply(op, []any{e.eval(n.Arg(0), row), set})
	case e.lazy && op == model.OpIsNull && neverNull(n.Arg(0)):
		return false // the operand has a value whatever the data: not needed
	case e.lazy && (op.StrictNull() || op == model.OpAnd || op == model.OpOr):
		return e.lenient(n, row)
	}
	args := make([]any, len(n.Args()))
	for i, a := range n.Args() {
		args[i] = e.eval(a, row)
	}
	return e.apply(n.Op(), args)
}

// neverNull reports whether a series has a value for every patient
// whatever the data: a count or an exists, or a cast of one. An engine
// may know IsNull of it is false without computing it (DuckDB does), so
// a lazy run does not compute it either.
func neverNull(n *model.Node) bool {
	switch n.Op() {
	case model.OpCount, model.OpExists:
		return true
	case model.OpCastToInt, model.OpCastToFloat:
		return neverNull(n.Arg(0))
	}
	return false
}

// lenient evaluates a function lazily: an operand that decides the result
// alone (NULL for most functions, false for And, true for Or, a zero
// divisor) spares the others, even one that would fail.
func (e *evaluator) lenient(n *model.Node, row int) any {
	op := n.Op()
	args := make([]any, len(n.Args()))
	var failed *failure
	for i, a := range n.Args() {
		v, f := e.try(a, row)
		if f != nil {
			failed = f
			continue
		}
		args[i] = v
		switch {
		case op == model.OpAnd && v == false, op == model.OpOr && v == true:
			return v
		case op != model.OpAnd && op != model.OpOr && v == nil:
			return nil
		case (op == model.OpTrueDivide || op == model.OpFloorDivide) && i == 1 && isZero(v):
			return nil // a quotient by zero, whatever the dividend
		}
	}
	if failed != nil {
		panic(*failed)
	}
	return e.apply(op, args)
}

// isZero reports whether a divisor is 0 or ±0.0: the quotient is NULL.
func isZero(v any) bool {
	switch x := v.(type) {
	case int64:
		return x == 0
	case float64:
		return x == 0
	}
	return false
}

// holds reports whether condition n is true for the current patient (at
// row), in a lazy run, evaluating only what its truth needs. Where only
// truth matters NULL and false are alike, so an And is not true as soon as
// one operand is not true, and an Or is true as soon as one operand is,
// whatever the other operands, even ones that would fail (in any order, as
// lenient takes them); their operands are conditions too. DuckDB
// evaluates a CASE WHEN or WHERE condition so: an AND whose first operand
// is NULL drops the row without evaluating the second. Any other node is
// evaluated as eval does (NOT must tell false from NULL).
func (e *evaluator) holds(n *model.Node, row int) bool {
	op := n.Op()
	if op != model.OpAnd && op != model.OpOr {
		return e.eval(n, row) == true
	}
	if n.PatientDomain() {
		row = -1
	}
	key := valueKey{n.ID(), row}
	if v, ok := e.values[key]; ok {
		return v == true
	}
	if t, ok := e.truth[key]; ok {
		return t
	}
	// decides is the truth of an operand that decides the result alone.
	decides := op == model.OpOr
	var failed *failure
	for _, a := range n.Args() {
		t, f := e.tryHolds(a, row)
		if f != nil {
			failed = f
			continue
		}
		if t == decides {
			e.truth[key] = t
			return t
		}
	}
	if failed != nil {
		panic(*failed)
	}
	e.truth[key] = !decides
	return !decides
}

// tryHolds is holds, catching an evaluation error.
func (e *evaluator) tryHolds(n *model.Node, row int) (bool, *failure) {
	return catch(func() bool { return e.holds(n, row) })
}

// try evaluates n, catching an evaluation error.
func (e *evaluator) try(n *model.Node, row int) (any, *failure) {
	return catch(func() any { return e.eval(n, row) })
}

// catch calls f, returning the evaluation error it raises (a failure
// panic), if any; other panics go on.
func catch[T any](f func() T) (v T, fl *failure) {
	defer func() {
		if r := recover(); r != nil {
			fail, ok := r.(failure)
			if !ok {
				panic(r)
			}
			fl = &fail
		}
	}()
	return f(), nil
}

func (e *evaluator) apply(op model.Op, args []any) any {
	v, ok, err := model.EvalFunction(op, args)
	if !ok {
		panic(fmt.Errorf("internal error: %s has no evaluation", op))
	}
	if err != nil {
		var ee *model.EvalError
		if errors.As(err, &ee) {
			panic(failure{ee})
		}
		panic(err)
	}
	return v
}

// frameRows returns the current patient's rows of a many-rows frame, as
// indices into its table's rows, in table order (sorting matters only to
// picks and event tables, which order rows themselves).
func (e *evaluator) frameRows(f *model.Node) []int {
	if rows, ok := e.frames[f.ID()]; ok {
		return rows
	}
	var rows []int
	switch f.Op() {
	case model.OpSelectTable:
		rows = e.rowsOf[f.Table().Name][e.patient]
	case model.OpSort:
		rows = e.frameRows(f.Arg(0))
	case model.OpFilter:
		if e.lazy {
			rows = e.lazyFilter(f)
			break
		}
		src := e.frameRows(f.Arg(0))
		cond := f.Arg(1)
		if !e.lazy && !cond.PatientDomain() {
			// ehrQL evaluates a condition over every row of its own frame.
			for _, r := range e.rowsOf[f.Table().Name][e.patient] {
				e.eval(cond, r)
			}
		}
		rows = []int{}
		for _, r := range src {
			if e.eval(cond, r) == true {
				rows = append(rows, r)
			}
		}
	default:
		panic(fmt.Sprintf("frameRows: %s is not a many-rows frame", f.Op()))
	}
	e.frames[f.ID()] = rows
	return rows
}

// lazyFilter keeps the rows of a filtered frame that meet all the
// conditions of its filters, taken together as an engine may take them, in
// any order: a row that one condition excludes is excluded even if another
// fails on it.
func (e *evaluator) lazyFilter(f *model.Node) []int {
	var conds []*model.Node
	for ; f.Op() == model.OpFilter || f.Op() == model.OpSort; f = f.Arg(0) {
		if f.Op() == model.OpFilter {
			conds = append(conds, f.Arg(1))
		}
	}
	rows := []int{}
	for _, r := range e.frameRows(f) {
		var failed *failure
		keep := true
		for _, c := range conds {
			t, fail := e.tryHolds(c, r)
			if fail != nil {
				failed = fail
			} else if !t {
				keep = false
				break
			}
		}
		if keep && failed != nil {
			panic(*failed)
		}
		if keep {
			rows = append(rows, r)
		}
	}
	return rows
}

// sortKeys lists a frame's sort keys, highest priority (last applied)
// first.
func sortKeys(f *model.Node) []*model.Node {
	var keys []*model.Node
	for ; f.Op() == model.OpSort || f.Op() == model.OpFilter; f = f.Arg(0) {
		if f.Op() == model.OpSort {
			keys = append(keys, f.Arg(1))
		}
	}
	return keys
}

// orderRows sorts rows, stably, by the keys (each ascending, NULL first)
// and then by the named columns of the table.
func (e *evaluator) orderRows(rows []int, table string, keys []*model.Node, cols []string) []int {
	out := slices.Clone(rows)
	key := func(r int) []any {
		k := make([]any, 0, len(keys)+len(cols))
		for _, n := range keys {
			k = append(k, e.eval(n, r))
		}
		for _, c := range cols {
			k = append(k, e.row(table, r)[c])
		}
		return k
	}
	keyed := make(map[int][]any, len(out))
	for _, r := range out {
		keyed[r] = key(r)
	}
	sort.SliceStable(out, func(i, j int) bool { return compareTuples(keyed[out[i]], keyed[out[j]]) < 0 })
	return out
}

// compareTuples orders tuples of values, NULL first in each place.
func compareTuples(a, b []any) int {
	for i := range a {
		if c := compareNullFirst(a[i], b[i]); c != 0 {
			return c
		}
	}
	return 0
}

func compareNullFirst(x, y any) int {
	switch {
	case x == nil && y == nil:
		return 0
	case x == nil:
		return -1
	case y == nil:
		return 1
	}
	return model.Compare(x, y)
}

// patientRow returns the current patient's row of a one-row-per-patient
// frame, or nil.
func (e *evaluator) patientRow(f *model.Node) map[string]any {
	switch f.Op() {
	case model.OpSelectPatientTable:
		rows := e.rowsOf[f.Table().Name][e.patient]
		if len(rows) == 0 {
			return nil
		}
		return e.row(f.Table().Name, rows[0])
	case model.OpInlinePatientTable:
		return e.inline[f.ID()][e.patient]
	case model.OpPickOneRowPerPatient:
		r := e.pick(f)
		if r < 0 {
			return nil
		}
		return e.row(f.Table().Name, r)
	}
	panic(fmt.Sprintf("patientRow: %s is not a one-row-per-patient frame", f.Op()))
}

// pick returns the row PickOneRowPerPatient keeps, or -1.
func (e *evaluator) pick(f *model.Node) int {
	if r, ok := e.picks[f.ID()]; ok {
		return r
	}
	src := f.Arg(0)
	rows := e.orderRows(e.frameRows(src), f.Table().Name, sortKeys(src), e.selected[f.ID()])
	r := -1
	if len(rows) > 0 {
		r = rows[0]
		if f.Position() == model.Last {
			r = rows[len(rows)-1]
		}
	}
	e.picks[f.ID()] = r
	return r
}

// frameOf finds the many-rows frame an event-level series is drawn from.
func frameOf(n *model.Node) *model.Node {
	if n.Op() == model.OpSelectColumn && n.Arg(0).ManyRowsPerPatient() {
		return n.Arg(0)
	}
	for _, a := range n.Args() {
		if a != nil && a.ManyRowsPerPatient() && !a.IsFrame() && a.SameDomain(n) {
			return frameOf(a)
		}
	}
	panic(fmt.Sprintf("frameOf: no frame for %s", n))
}

// aggregate evaluates an aggregation for the current patient.
func (e *evaluator) aggregate(n *model.Node) any {
	src := n.Arg(0)
	switch n.Op() {
	case model.OpExists, model.OpCount:
		k := 0
		if src.Op() == model.OpPickOneRowPerPatient && e.lazy {
			// A pick exists where the rows it is picked from do: they
			// need not be sorted.
			k = min(1, len(e.frameRows(src.Arg(0))))
		} else if src.ManyRowsPerPatient() {
			k = len(e.frameRows(src))
		} else if e.patientRow(src) != nil {
			k = 1
		}
		if n.Op() == model.OpExists {
			return k > 0
		}
		return int64(k)
	}
	var vals []any
	for _, r := range e.frameRows(frameOf(src)) {
		if v := e.eval(src, r); v != nil {
			vals = append(vals, v)
		}
	}
	switch n.Op() {
	case model.OpCountDistinct:
		return int64(len(distinct(vals)))
	case model.OpCombineAsSet:
		return distinct(vals)
	case model.OpCountEpisodes:
		if len(vals) == 0 {
			return int64(0)
		}
		slices.SortFunc(vals, model.Compare)
		k := int64(1)
		for i := 1; i < len(vals); i++ {
			if int64(vals[i].(model.CivilDate).DaysSince(vals[i-1].(model.CivilDate))) > n.Gap() {
				k++
			}
		}
		return k
	}
	if len(vals) == 0 {
		return nil
	}
	switch n.Op() {
	case model.OpMin, model.OpMax:
		best := vals[0]
		for _, v := range vals[1:] {
			c := model.Compare(v, best)
			if (n.Op() == model.OpMin && c < 0) || (n.Op() == model.OpMax && c > 0) {
				best = v
			}
		}
		return best
	case model.OpSum:
		if _, ok := vals[0].(int64); ok {
			var s int64
			for _, v := range vals {
				var ok bool
				if s, ok = model.AddInt(s, v.(int64)); !ok {
					panic(failure{&model.EvalError{Kind: model.ErrOverflow, Op: n.Op(), Msg: "the sum overflows an int"}})
				}
			}
			return s
		}
		s := 0.0
		for _, v := range vals {
			s += v.(float64)
		}
		return s
	case model.OpMean:
		s := 0.0
		for _, v := range vals {
			switch x := v.(type) {
			case int64:
				s += float64(x)
			case float64:
				s += x
			}
		}
		return s / float64(len(vals))
	}
	panic(fmt.Sprintf("aggregate: %s", n.Op()))
}

// distinct returns the distinct values, in order of first appearance; NaN
// is one value, and -0.0 the same value as 0.0.
func distinct(vals []any) []any {
	out := []any{}
	for _, v := range vals {
		dup := false
		for _, w := range out {
			if model.Compare(v, w) == 0 {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, v)
		}
	}
	return out
}

// eventTable evaluates an event-level output table: for each patient in the
// population, the rows of its frame ordered by the frame's sort keys and
// then by the table's columns (each ascending, NULL first).
func (e *evaluator) eventTable(ev model.EventTable, all, included []int64) Table {
	members := ev.Frame.Args()
	t := Table{Name: ev.Name, Columns: append([]string{"patient_id"}, ev.Frame.MemberNames()...)}
	var frame *model.Node
	for _, m := range members {
		if m.ManyRowsPerPatient() {
			frame = frameOf(m)
			break
		}
	}
	in := map[int64]bool{}
	for _, id := range included {
		in[id] = true
	}
	patients := all
	if e.lazy {
		patients = included
	}
	for _, id := range patients {
		e.startPatient(id)
		keys := sortKeys(frame)
		// Each row is its sort key (the frame's keys, then the columns)
		// followed by its output.
		var rows [][]any
		for _, r := range e.frameRows(frame) {
			row := make([]any, 0, len(keys)+2*len(members)+1)
			for _, k := range keys {
				row = append(row, e.eval(k, r))
			}
			for _, m := range members {
				row = append(row, e.eval(m, r))
			}
			row = append(row, id)
			for _, m := range members {
				row = append(row, e.eval(m, r))
			}
			rows = append(rows, row)
		}
		if !in[id] {
			continue
		}
		width := len(keys) + len(members)
		sort.SliceStable(rows, func(i, j int) bool { return compareTuples(rows[i][:width], rows[j][:width]) < 0 })
		for _, r := range rows {
			t.Rows = append(t.Rows, r[width:])
		}
	}
	return t
}

// FloatsEqual compares two output floats as ehrQL's tests do: NaN equals
// NaN, and otherwise they agree to a relative 1e-9 (sums in a different
// order round differently) or an absolute 1e-9.
func FloatsEqual(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	if math.IsInf(a, 0) || math.IsInf(b, 0) {
		return a == b
	}
	return a == b || math.Abs(a-b) <= math.Max(1e-9, 1e-9*math.Max(math.Abs(a), math.Abs(b)))
}
