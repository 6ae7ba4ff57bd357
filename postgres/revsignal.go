package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"dsn"
)

// The revocation signal (decision 0013) on PostgreSQL, whose servers may
// run on several machines: LISTEN/NOTIFY with acknowledgements.
//
//   - A process that validates tokens (it called RevocationSeq) keeps one
//     connection that holds a shared advisory lock naming the schema and
//     LISTENs on the schema's channel. On each notification it increments
//     its counter in memory, then answers on the acknowledgement channel.
//   - SignalRevocation LISTENs for acknowledgements, counts the holders of
//     the lock (pg_locks: a dead server's session has released it), sends
//     one notification and waits until that many processes answered. So
//     when it returns, every live server has a new RevocationSeq, and reloads
//     the revocations before deciding its next request.
//
// Acknowledgements are awaited at most revAckWait; past it (a server
// stuck, a network cut) the revocation still stands and the late servers
// reload within access.RevocationTTL.

const revAckWait = 2 * time.Second

// revLockClass is the first key of the advisory lock (the second names the
// schema): RFC 7009's number, to be recognised in pg_locks.
const revLockClass = 7009

type revSignal struct {
	seq    atomic.Uint64
	once   sync.Once
	cancel context.CancelFunc
	done   chan struct{}
}

// revNames are the schema's lock key and channel names, so that several
// schemas of one database (tests, tenants) do not signal each other.
func (s *Store) revNames(ctx context.Context, c *pgx.Conn) (key int32, ch, ack string, err error) {
	var schema string
	if err = c.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return 0, "", "", err
	}
	h := fnv.New32a()
	h.Write([]byte(schema))
	key = int32(h.Sum32() & 0x7fffffff)
	return key, fmt.Sprintf("dsn_revocation_%08x", key), fmt.Sprintf("dsn_revocation_ack_%08x", key), nil
}

// RevocationSeq is the count of revocation notifications received
// (contract: dsn.RevocationSignal). The first call starts the listener.
func (s *Store) RevocationSeq() uint64 {
	s.rev.once.Do(s.startRevListener)
	return s.rev.seq.Load()
}

// startRevListener starts the listening connection and waits (at most 5 s)
// for its first LISTEN, so that a revocation signalled after the first
// request is not missed; a failure leaves the retries to the goroutine.
func (s *Store) startRevListener() {
	ctx, cancel := context.WithCancel(context.Background())
	s.rev.cancel, s.rev.done = cancel, make(chan struct{})
	ready := make(chan struct{})
	go s.listenRevocations(ctx, ready)
	select {
	case <-ready:
	case <-time.After(5 * time.Second):
	}
}

// listenRevocations runs until the store is closed, reconnecting after a
// failure (each new connection counts as a notification: some may have
// been missed meanwhile).
func (s *Store) listenRevocations(ctx context.Context, ready chan struct{}) {
	defer close(s.rev.done)
	first := true
	for ctx.Err() == nil {
		c, ack, err := s.revListen(ctx)
		if first {
			close(ready)
			first = false
		}
		if err != nil {
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
			continue
		}
		s.rev.seq.Add(1)
		for {
			n, err := c.WaitForNotification(ctx)
			if err != nil {
				break
			}
			s.rev.seq.Add(1) // before the acknowledgement: the signaller returns after it
			if _, err := c.Exec(ctx, `SELECT pg_notify($1, $2)`, ack, n.Payload); err != nil {
				break
			}
		}
		c.Close(context.Background())
	}
}

// revListen opens the listening connection: the shared lock, then LISTEN.
func (s *Store) revListen(ctx context.Context) (*pgx.Conn, string, error) {
	c, err := pgx.ConnectConfig(ctx, s.cfg)
	if err != nil {
		return nil, "", err
	}
	key, ch, ack, err := s.revNames(ctx, c)
	if err == nil {
		_, err = c.Exec(ctx, `SELECT pg_advisory_lock_shared($1, $2)`, revLockClass, key)
	}
	if err == nil {
		_, err = c.Exec(ctx, `LISTEN "`+ch+`"`)
	}
	if err != nil {
		c.Close(context.Background())
		return nil, "", err
	}
	return c, ack, nil
}

// SignalRevocation notifies every listening process and waits for their
// acknowledgements (contract: dsn.RevocationSignal). Errors:
// KindUnavailable (no connection, or some servers did not answer within
// revAckWait: they reload within access.RevocationTTL).
func (s *Store) SignalRevocation(ctx context.Context) error {
	const op = "postgres.SignalRevocation"
	ctx, cancel := context.WithTimeout(ctx, revAckWait)
	defer cancel()
	c, err := pgx.ConnectConfig(ctx, s.cfg) // its own: LISTEN state never goes back to the pool
	if err != nil {
		return dsn.Wrap(op, dsn.KindUnavailable, err)
	}
	defer c.Close(context.Background())
	key, ch, ack, err := s.revNames(ctx, c)
	if err != nil {
		return dsn.Wrap(op, dsn.KindUnavailable, err)
	}
	if _, err := c.Exec(ctx, `LISTEN "`+ack+`"`); err != nil {
		return dsn.Wrap(op, dsn.KindUnavailable, err)
	}
	var listeners int
	err = c.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND classid = $1 AND objid = $2 AND objsubid = 2`, revLockClass, key).Scan(&listeners)
	if err != nil {
		return dsn.Wrap(op, dsn.KindUnavailable, err)
	}
	b := make([]byte, 16)
	rand.Read(b)
	token := hex.EncodeToString(b)
	if _, err := c.Exec(ctx, `SELECT pg_notify($1, $2)`, ch, token); err != nil {
		return dsn.Wrap(op, dsn.KindUnavailable, err)
	}
	for got := 0; got < listeners; {
		n, err := c.WaitForNotification(ctx)
		if err != nil {
			return &dsn.Error{Op: op, Kind: dsn.KindUnavailable, Err: err,
				Msg:     fmt.Sprintf("%d serveur(s) sur %d n'ont pas confirmé la révocation", listeners-got, listeners),
				English: fmt.Sprintf("%d server(s) out of %d did not confirm the revocation", listeners-got, listeners)}
		}
		if n.Payload == token {
			got++
		}
	}
	return nil
}

// closeRevListener stops the listener, if it was started.
func (s *Store) closeRevListener() {
	s.rev.once.Do(func() {}) // no listener may start after Close
	if s.rev.cancel != nil {
		s.rev.cancel()
		<-s.rev.done
	}
}

var _ dsn.RevocationSignal = (*Store)(nil)
