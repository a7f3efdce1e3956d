package output

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// Format is an output file format.
type Format int

// The supported output formats.
const (
	FormatArrow Format = iota + 1 // ".arrow": Arrow IPC file, zstd-compressed
	FormatCSV                     // ".csv": CSV (Python "excel" dialect)
	FormatCSVGz                   // ".csv.gz": gzip-compressed CSV
)

// String returns the file extension of the format, e.g. ".csv.gz".
func (f Format) String() string {
	switch f {
	case FormatArrow:
		return ".arrow"
	case FormatCSV:
		return ".csv"
	case FormatCSVGz:
		return ".csv.gz"
	default:
		return fmt.Sprintf("Format(%d)", int(f))
	}
}

// supportedFormats lists the extensions in the order ehrQL reports them.
const supportedFormats = "`.arrow`, `.csv`, `.csv.gz`"

// errNoFormat is returned by FormatFromPath for a path without extension.
// Its capitalised, multi-line text follows ehrQL's message rather than Go
// conventions; the same holds for invalidCategoryError.
var errNoFormat = errors.New("No file format specified\n" +
	"Use a file extension to choose one, e.g. name.arrow, name.csv or name.csv.gz")

// FormatFromPath returns the output format selected by the extension of
// path, determined like ehrQL does with Python's pathlib: the extension is
// the last suffix of the final path element (a leading dot does not start a
// suffix), or the last two suffixes when the last one is ".gz". Thus
// "dir.v2/out.csv" is ".csv", "x.csv.gz" is ".csv.gz" and "x.gz" is ".gz".
// The empty path and "-" mean standard output, which is written as CSV.
//
// A path without extension gives an error starting "No file format
// specified"; an unsupported extension gives, for example,
// "'.badformat' is not a supported format, must be one of: `.arrow`, `.csv`, `.csv.gz`".
func FormatFromPath(path string) (Format, error) {
	if path == "" || path == "-" {
		return FormatCSV, nil
	}
	ext := fileExtension(path)
	switch ext {
	case "":
		return 0, errNoFormat
	case ".arrow":
		return FormatArrow, nil
	case ".csv":
		return FormatCSV, nil
	case ".csv.gz":
		return FormatCSVGz, nil
	default:
		return 0, fmt.Errorf("'%s' is not a supported format, must be one of: %s", ext, supportedFormats)
	}
}

// fileExtension mirrors ehrQL's get_file_extension: Path.suffix, or
// "".join(Path.suffixes[-2:]) when the suffix is ".gz".
func fileExtension(path string) string {
	name := filepath.Base(filepath.Clean(path))
	suffix := ""
	if i := strings.LastIndexByte(name, '.'); i > 0 && i < len(name)-1 {
		suffix = name[i:]
	}
	if suffix != ".gz" {
		return suffix
	}
	suffixes := pathSuffixes(name)
	if len(suffixes) > 2 {
		suffixes = suffixes[len(suffixes)-2:]
	}
	return strings.Join(suffixes, "")
}

// pathSuffixes mirrors pathlib.PurePath.suffixes for a final path element.
func pathSuffixes(name string) []string {
	if name == "." || name == ".." || strings.HasSuffix(name, ".") {
		return nil
	}
	parts := strings.Split(strings.TrimLeft(name, "."), ".")
	out := make([]string, 0, len(parts)-1)
	for _, p := range parts[1:] {
		out = append(out, "."+p)
	}
	return out
}
