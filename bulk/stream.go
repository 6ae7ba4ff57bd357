package bulk

import (
	"context"
	"io"
)

// ImportStream imports NDJSON lines given one by one by next (io.EOF at the
// end), through the same pipeline as Import: prepared in batches while the
// previous batch commits, rejects reported under name with their line
// number. There is no checkpoint (o.State is ignored): the caller knows how
// to start over (the demo loader generates its population again). read, if
// set, says how many source bytes were consumed so far (for o.Progress,
// against total).
func ImportStream(ctx context.Context, o ImportOptions, name string, total int64, next func() ([]byte, error), read func() int64) (Stats, error) {
	o.State = ""
	im, err := newImporter(o)
	if err != nil {
		return Stats{}, err
	}
	im.total = total
	if read == nil {
		read = func() int64 { return 0 }
	}
	open := func(inputFile) (lineSource, io.Closer, error) {
		return funcLines{fn: next, count: read}, io.NopCloser(nil), nil
	}
	if err := im.lines(ctx, []lineInput{{f: inputFile{Path: name, Kind: "ndjson", Size: total}}}, open); err != nil {
		return im.stats, err
	}
	im.progress("", 0, true)
	return im.stats, nil
}

// funcLines is a lineSource over functions.
type funcLines struct {
	fn    func() ([]byte, error)
	count func() int64
}

func (f funcLines) next() ([]byte, error) { return f.fn() }
func (f funcLines) read() int64           { return f.count() }
