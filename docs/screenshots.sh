#!/usr/bin/env bash
# Regenerates the README's pictures, docs/img/measures-charts.png and
# docs/img/dataset-report.png, from a new study run on dummy data.
# Needs Go, a C compiler and chromium.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -C "$repo" -o "$work/ehrql" ./cmd/ehrql
cd "$work"
./ehrql init study >/dev/null
cd study
../ehrql generate-dataset analysis/dataset_definition.go --output output/dataset.arrow
../ehrql generate-measures analysis/measures_definition.go --output output/measures.csv
../ehrql plot-measures output/measures.csv --output output/charts
../ehrql describe output/dataset.arrow --output output/report.html
shot() {
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --user-data-dir="$work/chromium" --window-size=1280,960 \
    --screenshot="$repo/docs/img/$1" "file://$PWD/$2" 2>/dev/null
}
shot measures-charts.png output/charts/index.html
shot dataset-report.png output/report.html
