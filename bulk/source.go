package bulk

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"dsn"
)

// inputFile is one file to import, found from the command-line paths.
type inputFile struct {
	Path string // as found (directory walk joins it to the given root)
	Size int64
	Kind string // "ndjson" or "json" (a Bundle or a single resource)
}

// listInputs expands paths: a file is taken as it is; a directory is walked
// recursively in lexical order (filepath.WalkDir), keeping *.ndjson, *.ndjson.gz,
// *.json and *.json.gz. A Bulk Data export log (log.ndjson) and manifest
// (manifest.json), and the identity truth of dsn synth (truth.ndjson), are
// skipped in a directory: they are not resources.
func listInputs(paths []string) ([]inputFile, error) {
	var out []inputFile
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, dsn.Wrap("bulk.Import", dsn.KindInvalid, err)
		}
		if !st.IsDir() {
			out = append(out, inputFile{Path: p, Size: st.Size(), Kind: kindOf(p)})
			continue
		}
		var found []inputFile
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			name := strings.ToLower(d.Name())
			if name == "log.ndjson" || name == "manifest.json" || name == "truth.ndjson" || !(strings.HasSuffix(name, ".ndjson") || strings.HasSuffix(name, ".ndjson.gz") ||
				strings.HasSuffix(name, ".json") || strings.HasSuffix(name, ".json.gz")) {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			found = append(found, inputFile{Path: path, Size: info.Size(), Kind: kindOf(path)})
			return nil
		})
		if err != nil {
			return nil, dsn.Wrap("bulk.Import", dsn.KindInvalid, err)
		}
		sort.Slice(found, func(i, j int) bool { return found[i].Path < found[j].Path })
		out = append(out, found...)
	}
	return out, nil
}

// kindOf tells NDJSON from JSON by the name (".json" and ".json.gz" are JSON;
// anything else is read as NDJSON).
func kindOf(path string) string {
	name := strings.TrimSuffix(strings.ToLower(path), ".gz")
	if strings.HasSuffix(name, ".json") {
		return "json"
	}
	return "ndjson"
}

// countingReader counts the bytes read from the file, for progress and ETA
// (compressed bytes for a gzip file, so that they compare with its size).
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// openInput opens path, decompressing it when it starts with the gzip magic
// bytes 1f 8b (RFC 1952 §2.3.1), whatever its name.
func openInput(path string) (*bufio.Reader, *countingReader, io.Closer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, err
	}
	cr := &countingReader{r: f}
	br := bufio.NewReaderSize(cr, 1<<20)
	magic, _ := br.Peek(2)
	if bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, nil, nil, err
		}
		br = bufio.NewReaderSize(zr, 1<<20)
	}
	return br, cr, f, nil
}

// readLine returns the next line without its end of line; io.EOF at the end.
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadBytes('\n')
	if err == io.EOF && len(line) > 0 {
		err = nil
	}
	return bytes.TrimRight(line, "\r\n"), err
}
