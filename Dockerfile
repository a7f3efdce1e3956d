# The image a pipeline runs: the ehrql command and the Go toolchain it
# builds definitions with. Untested here (no Docker on the build machines).
#
#   docker build -t ehrql-go:v1 .
#   docker run --rm -v "$PWD:/workspace" ehrql-go:v1 generate-dataset analysis/dataset_definition.go
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath \
    -ldflags "-X github.com/ehrql-go/ehrql.version=$(git describe --tags --always 2>/dev/null || echo image)" \
    -o /out/ehrql ./cmd/ehrql

FROM golang:1.26-bookworm
COPY --from=build /out/ehrql /usr/local/bin/ehrql
# Definitions build offline, with this image's toolchain only; the build
# cache lives in /tmp so that any user id can run the image.
ENV GOPROXY=off GOTOOLCHAIN=local GOFLAGS=-mod=readonly \
    GOCACHE=/tmp/go-build EHRQL_CACHE_DIR=/tmp/ehrql-cache
# Warm the build cache with the standard packages definitions use.
RUN ehrql init /tmp/warm && cd /tmp/warm && \
    ehrql serialize-definition analysis/dataset_definition.go >/dev/null && \
    rm -rf /tmp/warm && chmod -R a+rwX /tmp/go-build /tmp/ehrql-cache
WORKDIR /workspace
ENTRYPOINT ["ehrql"]
