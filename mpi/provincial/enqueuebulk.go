package provincial

import (
	"runtime"
	"strings"
	"sync"

	"dsn"
	"dsn/fhir"
)

var _ dsn.BulkTx = enqueueTx{}

// PutAll is dsn.BulkTx for the bulk import. A new registration (version 1,
// not a golden record) gets what Put gives it — its own golden record, the
// "refer" link to it, a link job — but built on every core (decoding,
// survivorship, index extraction and encoding need nothing from the
// transaction) and stored with the rest in ONE PutAll of the store
// underneath, its jobs with one AddJobs when the store has it. Other Patient
// versions (updates, tombstones, golden records, refused) go through Put one
// by one, as they read the transaction.
func (t enqueueTx) PutAll(ws []dsn.Write) error {
	fresh := map[int]bool{}
	for i, w := range ws {
		if isNewRegistration(w) {
			fresh[i] = true
		}
	}
	built, err := t.buildRegistrations(ws, fresh)
	if err != nil {
		return err
	}
	all := make([]dsn.Write, 0, len(ws)+len(fresh))
	var jobs []dsn.Job
	for i, w := range ws {
		switch {
		case fresh[i]:
			all = append(all, built[i]...)
			jobs = append(jobs, dsn.Job{Kind: JobLink, Key: w.ID, Created: t.s.o.Clock.Now()})
		case w.Type == "Patient":
			if err := t.Put(w); err != nil {
				return err
			}
		default:
			all = append(all, w)
		}
	}
	if err := dsn.PutAll(t.Tx, all); err != nil {
		return err
	}
	if len(jobs) > 0 {
		*t.queued = true
	}
	return addJobs(t.Tx, jobs)
}

// isNewRegistration tells whether w is version 1 of a Patient that is not a
// golden record: Put would give it a new golden record without reading the
// transaction (see withGolden).
func isNewRegistration(w dsn.Write) bool {
	return w.Type == "Patient" && w.VersionID == 1 && !w.Deleted && !goldenIndex(w.Index)
}

// buildRegistrations makes, for each index of fresh, the golden record and
// the registration rewritten with its "refer" link (what withGolden does),
// on GOMAXPROCS workers. New golden ids are drawn first, in input order.
func (t enqueueTx) buildRegistrations(ws []dsn.Write, fresh map[int]bool) (map[int][]dsn.Write, error) {
	ids := make(map[int]string, len(fresh))
	todo := make([]int, 0, len(fresh))
	for i := range ws {
		if fresh[i] {
			ids[i] = t.s.o.IDs.NewID()
			todo = append(todo, i)
		}
	}
	out := make([][]dsn.Write, len(todo))
	errs := make([]error, len(todo))
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), len(todo))
	for k := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := k; j < len(todo); j += workers {
				out[j], errs[j] = registration(ws[todo[j]], ids[todo[j]])
			}
		}()
	}
	wg.Wait()
	built := make(map[int][]dsn.Write, len(todo))
	for j, i := range todo {
		if errs[j] != nil {
			return nil, errs[j]
		}
		built[i] = out[j]
	}
	return built, nil
}

// registration returns the golden record gid of the new registration w and
// w with its links set as withGolden sets them.
func registration(w dsn.Write, gid string) ([]dsn.Write, error) {
	obj, err := fhir.Decode(w.Body)
	if err != nil {
		return nil, dsn.Wrap("provincial.Enqueue", dsn.KindInternal, err)
	}
	g, err := goldenWrite(gid, w, obj)
	if err != nil {
		return nil, err
	}
	if obj["link"] == nil {
		if nw, ok := withReferLink(w, gid); ok {
			return []dsn.Write{g, nw}, nil
		}
	}
	var links []any
	for _, l := range objs(obj["link"]) {
		other, _ := l["other"].(map[string]any)
		if str(l["type"]) == "refer" && strings.HasPrefix(str(other["reference"]), "Patient/") {
			continue // managed by the MPI: replaced below
		}
		links = append(links, l)
	}
	obj["link"] = append(links, link("Patient/"+gid, "refer"))
	w, err = rewrite(w, obj)
	if err != nil {
		return nil, err
	}
	return []dsn.Write{g, w}, nil
}

// addJobs queues js with the store's AddJobs when it has one (one statement),
// else one AddJob each.
func addJobs(tx dsn.Tx, js []dsn.Job) error {
	if b, ok := tx.(dsn.BulkJobsTx); ok {
		return b.AddJobs(js)
	}
	for _, j := range js {
		if err := tx.AddJob(j); err != nil {
			return err
		}
	}
	return nil
}
