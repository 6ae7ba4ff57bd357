package sqlite

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// The writer connection does not checkpoint by itself (wal_autocheckpoint=0);
// the background checkpointer copies committed frames into the database file.
func TestBackgroundCheckpoint(t *testing.T) {
	s, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var auto int
	if err := s.wconn.QueryRowContext(context.Background(), "PRAGMA wal_autocheckpoint").Scan(&auto); err != nil || auto != 0 {
		t.Fatalf("writer wal_autocheckpoint = %d, %v; want 0", auto, err)
	}
	for i := range 20 {
		if err := s.Write(context.Background(), putPatient(fmt.Sprint("c", i))); err != nil {
			t.Fatal(err)
		}
	}
	// the checkpointer runs at most every ckptPause; wait for it without a deadline of our own
	for i := 0; s.ckpt.frames.Load() == 0; i++ {
		if i == 3000 {
			t.Fatal("no background checkpoint ran")
		}
		time.Sleep(10 * time.Millisecond)
	}
	left, log, err := checkpoint(context.Background(), s.wconn)
	if err != nil || log == 0 || left != 0 {
		t.Fatalf("after the background checkpoint: left %d of %d frames, %v", left, log, err)
	}
}

// When the WAL passed walFrameLimit, the writer checkpoints between batches and
// the next write restarts the WAL from its beginning, so it stays bounded.
func TestWriterCheckpointRestartsWAL(t *testing.T) {
	s, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range 10 {
		if err := s.Write(context.Background(), putPatient(fmt.Sprint("w", i))); err != nil {
			t.Fatal(err)
		}
	}
	_, before, err := checkpoint(context.Background(), s.ckpt.db)
	if err != nil {
		t.Fatal(err)
	}
	s.ckpt.full.Store(true) // as if the WAL had grown past the limit
	// the writer checkpoints after acknowledging a batch; a busy background
	// checkpoint can make it retry after the next one
	for i := 0; s.ckpt.full.Load(); i++ {
		if i == 100 {
			t.Fatal("the writer's checkpoint never finished")
		}
		if err := s.Write(context.Background(), putPatient(fmt.Sprint("w-last", i))); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
	}
	if err := s.Write(context.Background(), putPatient("w-after")); err != nil {
		t.Fatal(err)
	}
	_, after, err := checkpoint(context.Background(), s.ckpt.db)
	if err != nil || after >= before {
		t.Fatalf("WAL did not restart: %d frames before, %d after (%v)", before, after, err)
	}
	if _, err := s.Read(context.Background(), "Patient", "w-last0"); err != nil {
		t.Fatal(err)
	}
}
