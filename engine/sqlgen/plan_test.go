package sqlgen_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/engine/sqlgen"
	"github.com/ehrql-go/ehrql/query/model"
)

// TestPlanChoices: frames of one event table share a scan from two frames
// on, codelist tests become flags of one join, and a population requiring
// rows in a frame is driven from that frame's patients.
func TestPlanChoices(t *testing.T) {
	must := func(n *model.Node, err error) *model.Node {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	events := &model.Table{Name: "ev", Columns: []model.Column{{Name: "code", Type: model.Str}, {Name: "n", Type: model.Int}}}
	patients := &model.Table{Name: "pt", PatientLevel: true, Columns: []model.Column{{Name: "age", Type: model.Int}}}
	ev := must(model.SelectTable(events))
	pt := must(model.SelectTable(patients))
	in := func(codes ...string) *model.Node {
		var lits []model.Literal
		for _, c := range codes {
			lits = append(lits, model.StrLit(c))
		}
		set, err := model.SetLit(model.Str, lits)
		if err != nil {
			t.Fatal(err)
		}
		return must(model.Filter(ev, must(model.Function(model.OpIn, must(model.SelectColumn(ev, "code")), model.MustValue(set)))))
	}
	a, b, c3, d := in("x1", "x2"), in("x2", "x3"), in("x3", "x4"), in("x5")
	positive := must(model.Filter(ev, must(model.Function(model.OpGT, must(model.SelectColumn(ev, "n")), model.MustValue(model.IntLit(0))))))
	adult := must(model.Function(model.OpGE, must(model.SelectColumn(pt, "age")), model.MustValue(model.IntLit(18))))
	var nine []*model.Node
	for i := range 9 {
		nine = append(nine, must(model.Aggregate(model.OpExists, in(fmt.Sprintf("y%d", i)))))
	}
	type planCase struct {
		name      string
		pop       *model.Node
		vars      []*model.Node
		plan      []string
		evScans   int
		sqlChunks []string
	}
	cases := []planCase{
		{"four codelist frames share a scan, population from the table",
			adult, []*model.Node{must(model.Aggregate(model.OpExists, a)), must(model.Aggregate(model.OpCount, b)),
				must(model.Aggregate(model.OpExists, c3)), must(model.Aggregate(model.OpExists, d))},
			[]string{
				"population: the candidates are the patients in any table the population reads",
				"scan_2: one scan of ev for 4 frames (4 aggregations and picks); 4 codelists on code as flags of codelists_1, an inner join (every frame tests it)",
			}, 1, []string{
				"FROM (VALUES ('x1', 1), ('x2', 3), ('x3', 6), ('x4', 4), ('x5', 8)) AS t(k, m0)",
				"COALESCE(cl.f1, FALSE) AS \"frame 1\"", "FILTER (WHERE e.\"frame 1\")", "WHERE (cl.f0)\n      OR (cl.f1)",
				"JOIN codelists_1 AS cl ON cl.k = e.\"code\""}},
		{"a frame without a codelist: left join with the flags",
			adult, []*model.Node{must(model.Aggregate(model.OpExists, a)), must(model.Aggregate(model.OpSum, must(model.SelectColumn(positive, "n")))),
				must(model.Aggregate(model.OpExists, b)), must(model.Aggregate(model.OpExists, c3))},
			[]string{
				"population: the candidates are the patients in any table the population reads",
				"scan_2: one scan of ev for 4 frames (4 aggregations and picks); 3 codelists on code as flags of codelists_1, a left join",
			}, 1, []string{"LEFT JOIN codelists_1 AS cl ON cl.k = e.\"code\"", "sum((CASE WHEN e.\"frame 1\" THEN e.\"n\" END)) FILTER (WHERE e.\"frame 1\")"}},
		{"three frames keep their own scans",
			adult, []*model.Node{must(model.Aggregate(model.OpExists, a)), must(model.Aggregate(model.OpExists, b)), must(model.Aggregate(model.OpExists, c3))},
			[]string{
				"population: the candidates are the patients in any table the population reads",
				"aggs_1: own scan of ev, filters pushed into it (one frame: 1 aggregations and picks)",
				"aggs_2: own scan of ev, filters pushed into it (one frame: 1 aggregations and picks)",
				"aggs_3: own scan of ev, filters pushed into it (one frame: 1 aggregations and picks)",
			}, 3, []string{"IN ('x1', 'x2')", "IN ('x3', 'x4')"}},
		{"one frame keeps its own scan; population first",
			must(model.Function(model.OpAnd, must(model.Aggregate(model.OpExists, a)), adult)), []*model.Node{must(model.Aggregate(model.OpCount, a))},
			[]string{
				"aggs_1: own scan of ev, filters pushed into it (one frame: 2 aggregations and picks)",
				"population first: the candidates are the patients with rows in aggs_1 (of ev the population requires)",
			}, 1, []string{"population AS (\n  SELECT patient_id FROM aggs_1 WHERE v", "IN ('x1', 'x2')"}},
	}
	cases = append(cases, planCase{"nine frames: a shared scan of eight, then one of its own",
		adult, nine,
		[]string{
			"population: the candidates are the patients in any table the population reads",
			"scan_2: one scan of ev for 8 frames (8 aggregations and picks); 8 codelists on code as flags of codelists_1, an inner join (every frame tests it)",
			"aggs_3: own scan of ev, filters pushed into it (one frame: 1 aggregations and picks)",
		}, 2, []string{"('y7', 128)", "IN ('y8')"}})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var vars []model.Variable
			for i, v := range c.vars {
				vars = append(vars, model.Variable{Name: string(rune('a' + i)), Series: v})
			}
			q, err := sqlgen.CompileDataset(&model.Dataset{Population: c.pop, Variables: vars})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(q.Plan, "\n") != strings.Join(c.plan, "\n") {
				t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(q.Plan, "\n"), strings.Join(c.plan, "\n"))
			}
			if n := strings.Count(q.SQL, `FROM main."ev"`); n != c.evScans {
				t.Errorf("%d scans of ev, want %d:\n%s", n, c.evScans, q.SQL)
			}
			for _, chunk := range c.sqlChunks {
				if !strings.Contains(q.SQL, chunk) {
					t.Errorf("SQL lacks %q:\n%s", chunk, q.SQL)
				}
			}
			if !strings.Contains(q.Script(), "-- plan: "+c.plan[0]+"\n") {
				t.Error("the script does not show the plan")
			}
		})
	}
}
