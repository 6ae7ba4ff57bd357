package provincial

import "dsn"

var _ dsn.BulkTx = enqueueTx{}

// PutAll is dsn.BulkTx for the bulk import: Patients go through Put one by
// one (golden record, managed links, link job: see Enqueue), every other
// resource in one PutAll of the store underneath when it has one.
func (t enqueueTx) PutAll(ws []dsn.Write) error {
	rest := make([]dsn.Write, 0, len(ws))
	for _, w := range ws {
		if w.Type != "Patient" {
			rest = append(rest, w)
			continue
		}
		if err := t.Put(w); err != nil {
			return err
		}
	}
	if b, ok := t.Tx.(dsn.BulkTx); ok {
		return b.PutAll(rest)
	}
	for _, w := range rest {
		if err := t.Tx.Put(w); err != nil {
			return err
		}
	}
	return nil
}
