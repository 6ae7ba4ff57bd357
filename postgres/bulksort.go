package postgres

// indexLeads are the columns of each index table's search index
// (migrations 0001, 0002, 0007), the one a batch's rows land all over.
var indexLeads = map[string][]string{
	"idx_token":           {"type", "param", "code", "system"},
	"idx_string":          {"type", "param", "norm"},
	"idx_date":            {"type", "param", "low", "high"},
	"idx_reference":       {"type", "param", "ref_id", "ref_type"},
	"idx_quantity":        {"type", "param", "value"},
	"idx_number":          {"type", "param", "value"},
	"idx_uri":             {"type", "param", "uri"},
	"idx_composite":       {"type", "param", "c1", "s1"},
	"idx_identifier_type": {"type", "param", "value", "type_code"},
	"idx_ref_identifier":  {"type", "param", "value", "system"},
}

// The rows of each table are COPYed in the order of the leading columns
// of its search index (indexEncoder.sortSpans): COPY then inserts them in key
// order, consecutive index entries land on the same B-tree leaf, so a batch
// dirties — and, after a checkpoint, writes in full to the WAL — far fewer
// pages than rows in resource order
// (postgresql.org/docs/15/wal-reliability.html, full_page_writes).
