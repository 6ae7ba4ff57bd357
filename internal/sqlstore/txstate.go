package sqlstore

import (
	"errors"

	"dsn"
)

// TxState is what both adapters' dsn.Tx track for the group-commit writer.
type TxState struct {
	Failed   error // first database error, so a fn that ignores it is still rolled back
	Finished bool  // set when fn returned: a kept Tx must not be used again
	Wrote    bool  // a write statement ran: undoing the fn needs a rollback
}

// Check refuses a Tx used after its fn returned (dsn.Tx contract).
func (s *TxState) Check(op string) error {
	if s.Finished {
		return dsn.Wrap(op, dsn.KindInternal, errors.New("transaction used after its Write returned"))
	}
	return nil
}

// Record keeps the first database error and returns e.
func (s *TxState) Record(e error) error {
	if s.Failed == nil {
		s.Failed = e
	}
	return e
}

// Finish marks the Tx finished when its fn returned err, and returns the fn's
// outcome: err, or the database error the fn ignored (its writes are suspect).
func (s *TxState) Finish(err error) error {
	s.Finished = true
	if err == nil && s.Failed != nil {
		return s.Failed
	}
	return err
}
