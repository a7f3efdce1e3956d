package charts

import (
	"fmt"
	"html/template"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Size of each chart.
const (
	Width  = 9 * vg.Inch
	Height = 4.5 * vg.Inch
)

// MaxTicks is the most dates labelled on the time axis.
const MaxTicks = 12

// Files are the charts written for one measure, relative to the output
// folder.
type Files struct {
	Chart                Chart
	RatioSVG, RatioPNG   string
	CountsSVG, CountsPNG string
}

// Write draws every chart into dir (created if missing), with an
// index.html showing them all, and returns what it wrote.
func Write(dir string, charts []Chart) ([]Files, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var written []Files
	names := map[string]bool{}
	for _, c := range charts {
		base := fileName(c.Measure, names)
		f := Files{Chart: c, RatioSVG: base + ".svg", RatioPNG: base + ".png", CountsSVG: base + "_counts.svg", CountsPNG: base + "_counts.png"}
		ratio, err := c.plot(c.Ratio, "ratio", c.Measure)
		if err != nil {
			return nil, err
		}
		counts, err := c.plot(c.Counts, "count (all groups)", c.Measure+": numerator and denominator")
		if err != nil {
			return nil, err
		}
		for name, p := range map[string]*plot.Plot{f.RatioSVG: ratio, f.RatioPNG: ratio, f.CountsSVG: counts, f.CountsPNG: counts} {
			if err := p.Save(Width, Height, filepath.Join(dir, name)); err != nil {
				return nil, fmt.Errorf("drawing %s: %w", name, err)
			}
		}
		written = append(written, f)
	}
	if err := writeIndex(filepath.Join(dir, "index.html"), written); err != nil {
		return nil, err
	}
	return written, nil
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// fileName makes a measure's name a file name, unique among those taken.
func fileName(measure string, taken map[string]bool) string {
	base := unsafeName.ReplaceAllString(measure, "_")
	if base == "" {
		base = "measure"
	}
	name := base
	for i := 2; taken[name]; i++ {
		name = fmt.Sprintf("%s_%d", base, i)
	}
	taken[name] = true
	return name
}

// plot draws lines over the chart's intervals: each line's runs of values
// as segments (a lone value as a point), so withheld values are gaps.
func (c Chart) plot(lines []Line, yLabel, title string) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "interval start"
	p.Y.Label.Text = yLabel
	p.X.Tick.Marker = dateTicks(c.Intervals)
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	p.Add(plotter.NewGrid())
	for i, l := range lines {
		style := draw.LineStyle{Color: plotutil.Color(i), Width: vg.Points(1.5)}
		if l.Dashed {
			style.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			style.Width = vg.Points(1)
		}
		for _, run := range runs(l.Points) {
			if len(run) == 1 {
				s, err := plotter.NewScatter(run)
				if err != nil {
					return nil, err
				}
				s.GlyphStyle = draw.GlyphStyle{Color: style.Color, Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
				p.Add(s)
				continue
			}
			ln, err := plotter.NewLine(run)
			if err != nil {
				return nil, err
			}
			ln.LineStyle = style
			p.Add(ln)
		}
		p.Legend.Add(l.Label, &plotter.Line{LineStyle: style})
	}
	if len(c.Intervals) > 0 {
		p.X.Min = float64(c.Intervals[0].Unix())
		p.X.Max = float64(c.Intervals[len(c.Intervals)-1].Unix())
		if p.X.Min == p.X.Max {
			p.X.Min -= 86400
			p.X.Max += 86400
		}
	}
	return p, nil
}

// runs splits points at withheld values.
func runs(points []Point) []plotter.XYs {
	var out []plotter.XYs
	var cur plotter.XYs
	for _, pt := range points {
		if math.IsNaN(pt.Value) || math.IsInf(pt.Value, 0) {
			if len(cur) > 0 {
				out = append(out, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, plotter.XY{X: float64(pt.Start.Unix()), Y: pt.Value})
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// dateTicks labels the time axis with interval start dates: all of them,
// or every k-th when there are more than MaxTicks.
type dateTicks []time.Time

func (d dateTicks) Ticks(_, _ float64) []plot.Tick {
	step := (len(d) + MaxTicks - 1) / MaxTicks
	if step < 1 {
		step = 1
	}
	var ticks []plot.Tick
	for i, t := range d {
		tick := plot.Tick{Value: float64(t.Unix())}
		if i%step == 0 {
			tick.Label = t.Format(time.DateOnly)
		}
		ticks = append(ticks, tick)
	}
	return ticks
}

var indexPage = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Measures</title>
<style>
body { font-family: sans-serif; margin: 2em; max-width: 70em; }
img { width: 100%; max-width: 60em; display: block; margin: 0.5em 0 1.5em; }
.note { color: #555; }
#failed { display: none; background: #fdd; padding: 0.5em; }
</style>
</head>
<body>
<h1>Measures</h1>
<p class="note">Gaps are values withheld by disclosure control (counts of 7 or less, released as 0).</p>
<p id="failed"></p>
{{range .}}<section id="{{.RatioSVG}}">
<h2>{{.Chart.Measure}}</h2>
<p class="note">{{if .Chart.GroupBy}}By {{range $i, $g := .Chart.GroupBy}}{{if $i}}, {{end}}{{$g}}{{end}}: {{.Chart.Groups}} groups{{if .Chart.Deciles}}, drawn as deciles across groups{{end}}.{{else}}No groups.{{end}}
{{len .Chart.Intervals}} intervals. <a href="{{.RatioPNG}}">PNG</a>, <a href="{{.CountsPNG}}">counts PNG</a>.</p>
<img src="{{.RatioSVG}}" alt="{{.Chart.Measure}}: ratio by interval">
<img src="{{.CountsSVG}}" alt="{{.Chart.Measure}}: numerator and denominator by interval">
</section>
{{end}}<script>
window.addEventListener("load", function () {
  var bad = Array.prototype.filter.call(document.images, function (img) { return !img.complete || img.naturalWidth === 0; });
  document.body.setAttribute("data-images", bad.length ? "failed" : "ok");
  if (bad.length) {
    var p = document.getElementById("failed");
    p.textContent = bad.length + " chart(s) failed to load: " + bad.map(function (i) { return i.getAttribute("src"); }).join(", ");
    p.style.display = "block";
  }
});
</script>
</body>
</html>
`))

func writeIndex(path string, files []Files) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := indexPage.Execute(f, files); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
