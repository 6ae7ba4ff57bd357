package storetest

import (
	"context"
	"testing"

	"dsn"
)

// The contract of dsn.Tx.Read inside Store.Write: it returns the last
// committed version (or this transaction's own), and no other Write commits a
// version of that resource before this one ends. So a fn that reads a
// resource and puts the next version never conflicts with other writers of
// it, however many (issue 2: a PUT, PATCH or DELETE without If-Match must not
// fail on a race). SQLite has it from its single writer; PostgreSQL, which
// runs several writer transactions at once, locks the resource in Read
// (postgres/samewrite.go, decision 0038).

// bump is a Write fn that reads typ/id and puts its next version (the first
// if it is absent).
func bump(typ, id string, n int) func(dsn.Tx) error {
	return func(tx dsn.Tx) error {
		var next int64 = 1
		cur, err := tx.Read(typ, id)
		switch {
		case err == nil:
			next = cur.VersionID + 1
		case dsn.KindOf(err) != dsn.KindNotFound:
			return err
		}
		return tx.Put(res(typ, id, next, at(n), tokenIndex("same", id)))
	}
}

// 16 writers, 12 read-then-put Writes each, on one resource: every Write
// succeeds and the resource has one version per Write.
func testSameIDWrites(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	const writers, each = 16, 12
	errs := concurrently(writers, each, func(g, i int) error {
		return s.Write(ctx, bump("Basic", "same", g*each+i))
	})
	for g := range writers {
		for i := range each {
			if errs[g][i] != nil {
				t.Errorf("writer %d, write %d: %v", g, i, errs[g][i])
			}
		}
	}
	cur, err := s.Read(ctx, "Basic", "same")
	if err != nil || cur.VersionID != writers*each {
		t.Fatalf("Read = version %d, %v; want %d (one per Write)", cur.VersionID, err, writers*each)
	}
}

// Writes that each read and update two resources, half of them in one order
// and half in the other (as two transaction Bundles with the same entries in
// opposite orders): none fails (no deadlock, no conflict) and every Write
// added one version to each.
func testSameIDOppositeOrders(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	const writers, each = 8, 10
	errs := concurrently(writers, each, func(g, i int) error {
		a, b := "left", "right"
		if g%2 == 1 {
			a, b = b, a
		}
		return s.Write(ctx, func(tx dsn.Tx) error {
			if err := bump("Basic", a, g*each+i)(tx); err != nil {
				return err
			}
			return bump("Basic", b, g*each+i)(tx)
		})
	})
	for g := range writers {
		for i := range each {
			if errs[g][i] != nil {
				t.Errorf("writer %d, write %d: %v", g, i, errs[g][i])
			}
		}
	}
	for _, id := range []string{"left", "right"} {
		cur, err := s.Read(ctx, "Basic", id)
		if err != nil || cur.VersionID != writers*each {
			t.Fatalf("Read %s = version %d, %v; want %d", id, cur.VersionID, err, writers*each)
		}
	}
}
