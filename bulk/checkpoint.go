package bulk

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"time"

	"dsn"
)

// fileState is how far the import of one input got: every line up to Line
// (1-based, included) is committed or reported. Size and ModTime identify the
// file: if it changed since, the import starts it over (harmless, since an
// import is an upsert that skips unchanged resources).
type fileState struct {
	Line    int       `json:"line"`
	Done    bool      `json:"done,omitempty"`
	Size    int64     `json:"size"`
	ModTime time.Time `json:"modTime"`
}

// checkpoint is the resumption file: one fileState per input (absolute path).
type checkpoint struct {
	path  string
	Files map[string]fileState `json:"files"`
}

// loadCheckpoint reads path; a missing file is an empty checkpoint. path ""
// disables checkpoints.
func loadCheckpoint(path string) (*checkpoint, error) {
	c := &checkpoint{path: path, Files: map[string]fileState{}}
	if path == "" {
		return c, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, dsn.Wrap("bulk.Import", dsn.KindInternal, err)
	}
	if err := json.Unmarshal(b, c); err != nil {
		return nil, fail("bulk.Import", dsn.KindInvalid, "import.checkpoint", path, err)
	}
	if c.Files == nil {
		c.Files = map[string]fileState{}
	}
	return c, nil
}

// resumed is the state to resume f from (zero: from the start).
func (c *checkpoint) resumed(f inputFile) fileState {
	st, ok := c.Files[absPath(f.Path)]
	if !ok || st.Size != f.Size || !st.ModTime.Equal(modTime(f.Path)) {
		return fileState{}
	}
	return st
}

// mark records that f is committed up to line and saves the file.
func (c *checkpoint) mark(f inputFile, line int, done bool) error {
	c.Files[absPath(f.Path)] = fileState{Line: line, Done: done, Size: f.Size, ModTime: modTime(f.Path)}
	return c.save()
}

// save writes the checkpoint atomically (temporary file, then rename), so a
// kill during the write leaves the previous checkpoint.
func (c *checkpoint) save() error {
	if c.path == "" {
		return nil
	}
	b, err := json.MarshalIndent(c, "", " ")
	if err != nil {
		return dsn.Wrap("bulk.Import", dsn.KindInternal, err)
	}
	tmp := c.path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return dsn.Wrap("bulk.Import", dsn.KindInternal, err)
	}
	if err := os.Rename(tmp, c.path); err != nil {
		return dsn.Wrap("bulk.Import", dsn.KindInternal, err)
	}
	return nil
}

// remove deletes the checkpoint once every input is fully imported, so that
// running the same command again imports again (a no-op for unchanged data).
func (c *checkpoint) remove() error {
	if c.path == "" {
		return nil
	}
	if err := os.Remove(c.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return dsn.Wrap("bulk.Import", dsn.KindInternal, err)
	}
	return nil
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

func modTime(p string) time.Time {
	st, err := os.Stat(p)
	if err != nil {
		return time.Time{}
	}
	return st.ModTime().UTC()
}
