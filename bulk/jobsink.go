package bulk

import (
	"bytes"
	"context"
	"sort"

	"dsn"
)

// jobSink writes an export job's NDJSON files into the job store: one open
// file per type, its lines gathered into parts of partSize bytes; a file that
// reaches fileMax resources is closed and the type's next resources start a
// new one.
type jobSink struct {
	ctx      context.Context
	jobs     dsn.ExportJobs
	job      string
	partSize int
	fileMax  int
	open     map[string]*jobFile
	files    int // file numbers given so far
	done     []dsn.ExportFile
}

type jobFile struct {
	n, count, parts int
	buf             bytes.Buffer
}

func (s *jobSink) write(r dsn.Resource) error {
	f, ok := s.open[r.Type]
	if !ok {
		s.files++
		f = &jobFile{n: s.files}
		s.open[r.Type] = f
	}
	f.buf.Write(r.Body)
	f.buf.WriteByte('\n')
	f.count++
	if f.buf.Len() >= s.partSize {
		if err := s.flush(f); err != nil {
			return err
		}
	}
	if f.count >= s.fileMax {
		delete(s.open, r.Type)
		return s.close(r.Type, f)
	}
	return nil
}

// flush stores the buffered lines of f as its next part.
func (s *jobSink) flush(f *jobFile) error {
	if f.buf.Len() == 0 {
		return nil
	}
	f.parts++
	if err := s.jobs.AddExportPart(s.ctx, s.job, f.n, f.parts, f.buf.Bytes()); err != nil {
		return err
	}
	f.buf.Reset()
	return nil
}

func (s *jobSink) close(typ string, f *jobFile) error {
	if err := s.flush(f); err != nil {
		return err
	}
	s.done = append(s.done, dsn.ExportFile{N: f.n, Type: typ, Count: f.count})
	return nil
}

// finish closes the open files and returns every file, by type then number
// (the order of the manifest).
func (s *jobSink) finish() ([]dsn.ExportFile, error) {
	for typ, f := range s.open {
		if err := s.close(typ, f); err != nil {
			return nil, err
		}
	}
	s.open = map[string]*jobFile{}
	sort.Slice(s.done, func(i, j int) bool {
		a, b := s.done[i], s.done[j]
		return a.Type < b.Type || a.Type == b.Type && a.N < b.N
	})
	return s.done, nil
}
