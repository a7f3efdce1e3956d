package output

import "testing"

func TestFormatFromPath(t *testing.T) {
	const unsupported = "' is not a supported format, must be one of: `.arrow`, `.csv`, `.csv.gz`"
	const noFormat = "No file format specified\nUse a file extension to choose one, e.g. name.arrow, name.csv or name.csv.gz"
	tests := []struct {
		path    string
		want    Format
		wantErr string
	}{
		{"out.arrow", FormatArrow, ""},
		{"out.csv", FormatCSV, ""},
		{"x.csv.gz", FormatCSVGz, ""},
		{"a/b/x.csv.gz", FormatCSVGz, ""},
		{"dir.v2/out.csv", FormatCSV, ""},
		{"dir.v2/out.arrow", FormatArrow, ""},
		{"my.data.csv", FormatCSV, ""},
		{"my.data.csv.gz", FormatCSVGz, ""},
		{"", FormatCSV, ""},
		{"-", FormatCSV, ""},
		{"x.gz", 0, "'.gz" + unsupported},
		{"x.tar.gz", 0, "'.tar.gz" + unsupported},
		{"x.badformat", 0, "'.badformat" + unsupported},
		{"x.CSV", 0, "'.CSV" + unsupported},
		{"x.csv.bz2", 0, "'.bz2" + unsupported},
		{"out", 0, noFormat},
		{"dir.v2/out", 0, noFormat},
		{".csv", 0, noFormat},
		{"out.", 0, noFormat},
		{"dir/", 0, noFormat},
	}
	for _, tt := range tests {
		got, err := FormatFromPath(tt.path)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if got != tt.want || gotErr != tt.wantErr {
			t.Errorf("FormatFromPath(%q) = %v, %q; want %v, %q", tt.path, got, gotErr, tt.want, tt.wantErr)
		}
	}
}

func TestFormatString(t *testing.T) {
	tests := []struct {
		f    Format
		want string
	}{{FormatArrow, ".arrow"}, {FormatCSV, ".csv"}, {FormatCSVGz, ".csv.gz"}, {Format(0), "Format(0)"}}
	for _, tt := range tests {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("%d.String() = %q, want %q", int(tt.f), got, tt.want)
		}
	}
}
