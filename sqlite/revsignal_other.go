//go:build !unix

package sqlite

import (
	"context"

	"dsn"
)

// RevocationFile: see revsignal_unix.go. Without mmap here, other processes
// reload the revocations every access.RevocationTTL.
const RevocationFile = "revocations.seq"

type revSignal struct{}

func openRevSignal(dir string) (revSignal, error) { return revSignal{}, nil }

// RevocationSeq is always 0 here (contract: dsn.RevocationSignal).
func (s *Store) RevocationSeq() uint64 { return 0 }

// SignalRevocation cannot reach other processes here.
func (s *Store) SignalRevocation(ctx context.Context) error {
	return &dsn.Error{Op: "sqlite.SignalRevocation", Kind: dsn.KindUnavailable,
		Msg: "compteur de révocations indisponible sur ce système", English: "revocation counter unavailable on this system"}
}
