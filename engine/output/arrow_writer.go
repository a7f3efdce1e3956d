package output

import (
	"bufio"
	"fmt"
	"runtime"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// arrowWriter writes an Arrow IPC file: zstd-compressed, one record batch
// per Write, with the types of Column.ArrowType.
type arrowWriter struct {
	path string
	cols []Column
	af   *atomicFile
	buf  *bufio.Writer
	fw   *ipc.FileWriter
	conv *arrowConverter
	err  error // first Write error; the writer is then unusable
	done bool
}

// maxCompressConcurrency caps the goroutines compressing columns.
const maxCompressConcurrency = 8

func newArrowWriter(path string, cols []Column, af *atomicFile, mem memory.Allocator) (*arrowWriter, error) {
	conv := newArrowConverter(mem, cols)
	buf := bufio.NewWriterSize(af, 1<<20)
	fw, err := ipc.NewFileWriter(buf,
		ipc.WithSchema(conv.schema),
		ipc.WithAllocator(mem),
		ipc.WithZstd(),
		ipc.WithCompressConcurrency(min(runtime.GOMAXPROCS(0), maxCompressConcurrency)),
	)
	if err != nil {
		conv.release()
		return nil, fmt.Errorf("output: writing %s: %w", path, err)
	}
	return &arrowWriter{path: path, cols: cols, af: af, buf: buf, fw: fw, conv: conv}, nil
}

// Write implements Writer.
func (w *arrowWriter) Write(rec arrow.RecordBatch) error {
	if w.done {
		return fmt.Errorf("output: writing %s: %w", w.path, errClosed)
	}
	if w.err != nil {
		return w.err
	}
	if err := w.write(rec); err != nil {
		w.err = fmt.Errorf("output: writing %s: %w", w.path, err)
		return w.err
	}
	return nil
}

func (w *arrowWriter) write(rec arrow.RecordBatch) error {
	if err := checkBatch(rec, w.cols); err != nil {
		return err
	}
	out, err := w.conv.convert(rec)
	if err != nil {
		return err
	}
	defer out.Release()
	return w.fw.Write(out)
}

// Close implements Writer.
func (w *arrowWriter) Close() error {
	if w.done {
		return fmt.Errorf("output: closing %s: %w", w.path, errClosed)
	}
	w.done = true
	defer w.conv.release()
	if w.err != nil {
		_ = w.fw.Close()
		w.af.discard()
		return w.err
	}
	if err := w.fw.Close(); err != nil {
		w.af.discard()
		return fmt.Errorf("output: writing %s: %w", w.path, err)
	}
	if err := w.buf.Flush(); err != nil {
		w.af.discard()
		return fmt.Errorf("output: writing %s: %w", w.path, err)
	}
	return w.af.commit()
}

// Abort implements Writer.
func (w *arrowWriter) Abort() {
	if w.done {
		return
	}
	w.done = true
	// Closing the IPC writer releases the dictionaries it holds; what it
	// writes goes to the temporary file being discarded.
	_ = w.fw.Close()
	w.conv.release()
	w.af.discard()
}
