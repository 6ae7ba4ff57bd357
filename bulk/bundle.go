package bulk

import (
	"context"
	"io"
	"strings"

	"dsn"
	"dsn/fhir"
	"dsn/repo"
)

// jsonFile imports a .json file: a batch or transaction Bundle runs as such
// through repo.Service.Bundle (http.html#transaction: a transaction is all or
// nothing); any other Bundle (collection, searchset, ...) has each
// entry.resource imported like an NDJSON line, numbered by entry (1-based);
// any other resource is imported alone (line 1). The checkpoint marks the file
// done once it is through, never half-way.
func (im *importer) jsonFile(ctx context.Context, f inputFile) error {
	br, _, closer, err := openInput(f.Path)
	if err != nil {
		return dsn.Wrap("bulk.Import", dsn.KindInvalid, err)
	}
	body, err := io.ReadAll(br)
	closer.Close()
	if err != nil {
		return dsn.Wrap("bulk.Import", dsn.KindInvalid, err)
	}
	obj, err := fhir.Decode(body)
	if err != nil {
		im.stats.Records++
		im.stats.Rejected++
		if err := im.writeRejects([]ErrorRecord{im.errorRecord(f, 0, err)}); err != nil {
			return err
		}
		return im.ckpt.mark(f, 0, true)
	}
	btype, _ := obj["type"].(string)
	switch {
	case fhir.ResourceType(obj) != "Bundle":
		err = im.flush(ctx, f, []record{{line: 1, data: body}}, 1, true)
	case btype == "batch" || btype == "transaction":
		err = im.runBundle(ctx, f, body)
	default:
		err = im.flush(ctx, f, bundleRecords(obj), 0, true)
	}
	im.progress(f.Path, f.Size, false)
	return err
}

// bundleRecords turns the entries of a non-executable Bundle into records.
func bundleRecords(obj fhir.Object) []record {
	entries, _ := obj["entry"].([]any)
	var out []record
	for i, e := range entries {
		m, _ := e.(map[string]any)
		res, ok := m["resource"].(map[string]any)
		if !ok {
			continue
		}
		out = append(out, record{line: i + 1, data: fhir.Encode(res)})
	}
	return out
}

// runBundle executes a batch or transaction and reports each entry whose
// response status is not 2xx (bundle.html#BundleEntryResponse).
func (im *importer) runBundle(ctx context.Context, f inputFile, body []byte) error {
	if im.o.English {
		ctx = repo.InEnglish(ctx) // each entry's outcome in English
	}
	resp, err := im.o.Service.Bundle(ctx, "", body, false)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		im.stats.Records++
		im.stats.Rejected++
		if err := im.writeRejects([]ErrorRecord{im.errorRecord(f, 0, err)}); err != nil {
			return err
		}
		return im.ckpt.mark(f, 0, true)
	}
	entries, _ := resp["entry"].([]any)
	var rejects []ErrorRecord
	for i, e := range entries {
		m, _ := e.(map[string]any)
		r, _ := m["response"].(map[string]any)
		status, _ := r["status"].(string)
		if strings.HasPrefix(status, "2") {
			im.stats.Records++
			im.stats.Created++ // a Bundle write always makes a version
			continue
		}
		im.stats.Records++
		im.stats.Rejected++
		oo, _ := r["outcome"].(map[string]any)
		rejects = append(rejects, ErrorRecord{File: f.Path, Line: i + 1, Outcome: oo})
	}
	if err := im.writeRejects(rejects); err != nil {
		return err
	}
	return im.ckpt.mark(f, len(entries), true)
}
