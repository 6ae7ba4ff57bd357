package main

import (
	"context"
	"encoding/json"
	"time"

	"dsn"
	"dsn/access"
	"dsn/audit"
	"dsn/bulk"
	"dsn/fhirapi"
	"dsn/mpi/provincial"
	"dsn/repo"
)

// startExporter starts the Bulk Data export jobs runner behind $export. Its
// jobs live in the store (migration 0005): the ones a previous run left
// unfinished begin again now. jobs is the store as opened (m.store may be
// wrapped by the MPI hook, which only wraps resource writes). Jobs read
// through the policy's guard as the client that asked (exportAccess).
func (m *Main) startExporter(jobs dsn.Store) error {
	js, ok := jobs.(dsn.ExportJobs)
	if !ok {
		return refusal("no-export-jobs")
	}
	// golden records are derived data, left out as by dsn export (export.go)
	st := access.NewGuard(provincial.WithoutGolden(m.store), m.pol)
	m.exporter = bulk.NewExporter(bulk.ExporterOptions{Store: st, Jobs: js, Log: m.log,
		Access: exportAccess{auth: m.auth, journal: m.audit}})
	return m.exporter.Start(context.Background())
}

// startImporter starts the runner of $import jobs. They write through
// m.store like `dsn import` (new registrations get their golden record, the
// linker is woken). Jobs live in the store (migration 0008): the ones a
// previous run left unfinished resume from their checkpoint now.
func (m *Main) startImporter(jobs dsn.Store) error {
	js, ok := jobs.(dsn.ImportJobs)
	if !ok {
		return refusal("no-import-jobs")
	}
	im, err := bulk.NewImporter(bulk.ImporterOptions{Log: m.log, Jobs: js,
		Service: repo.New(repo.Options{Store: m.store, Managed: provincial.StripManaged})})
	if err != nil {
		return err
	}
	m.importer = im
	return im.Start(context.Background())
}

// exportAccess applies the access policy to $export jobs (bulk.ExportAccess):
// the job remembers the client and the scopes of the token that asked; each
// run rebuilds that client's principal from its registration as it is then
// (purpose of use, missions), so the guard leaves out what the client may
// not see (s. 8 refusals of its purpose, s. 7 restrictions naming it or the
// system category, youth protection without the CPEJ mission), and journals
// one export entry per patient whose resources left (LRSSS s. 103).
type exportAccess struct {
	auth    *access.Service
	journal *audit.Log
}

// exportRequester is what a job keeps of who asked.
type exportRequester struct {
	Client string `json:"client"`
	Scope  string `json:"scope"`
}

func (x exportAccess) Requester(ctx context.Context) (string, error) {
	p := access.PrincipalFrom(ctx)
	if p == nil || p.Realm != access.RealmSystem {
		return "", cliFail("export", dsn.KindForbidden, "export.systems")
	}
	b, err := json.Marshal(exportRequester{Client: p.ClientID, Scope: p.Scopes.String()})
	return string(b), err
}

func (x exportAccess) Owns(ctx context.Context, j dsn.ExportJob) bool {
	var r exportRequester
	p := access.PrincipalFrom(ctx)
	return p != nil && json.Unmarshal([]byte(j.Requester), &r) == nil && r.Client != "" && r.Client == p.ClientID
}

func (x exportAccess) Begin(ctx context.Context, j dsn.ExportJob) (context.Context, func(context.Context) error, error) {
	const op = "export"
	var r exportRequester
	if err := json.Unmarshal([]byte(j.Requester), &r); err != nil || r.Client == "" {
		return nil, nil, cliFail(op, dsn.KindForbidden, "export.no-requester", j.ID)
	}
	c, err := x.auth.ActiveClient(ctx, r.Client)
	if err != nil {
		return nil, nil, clientStopped(r.Client, err)
	}
	sc, err := access.ParseScopes(r.Scope)
	if err != nil {
		return nil, nil, cliFail(op, dsn.KindForbidden, "export.scopes", err)
	}
	run, stop := context.WithCancelCause(access.WithPrincipal(ctx, access.ClientPrincipal(c, sc)))
	run, _ = access.WithDisclosures(run)
	go x.watch(run, stop, c.ID)
	done := func(ctx context.Context) error {
		// the last look before anything is served: a client disabled since
		// the last tick gets nothing either
		if _, err := x.auth.ActiveClient(ctx, c.ID); err != nil {
			return clientStopped(c.ID, err)
		}
		rec := fhirapi.Record{Time: time.Now().UTC(), Status: 200,
			Request: fhirapi.Request{Method: "GET", Path: j.Request, Interaction: "export"}}
		entries := fhirapi.Entries(ctx, rec)
		for i := range entries {
			entries[i].Action, entries[i].Query = "export", "job="+j.ID
		}
		return x.journal.Record(ctx, entries...)
	}
	return run, done, nil
}

// ClientWatch is how often a running export looks whether its client was
// disabled or deleted (dsn client disable may run in another process).
const ClientWatch = time.Second

// watch stops a running export when its client is disabled or deleted: the
// run's context is cancelled with the reason, and the job fails with it.
func (x exportAccess) watch(run context.Context, stop context.CancelCauseFunc, client string) {
	t := time.NewTicker(ClientWatch)
	defer t.Stop()
	for {
		select {
		case <-run.Done():
			return
		case <-t.C:
			if _, err := x.auth.ActiveClient(run, client); err != nil && run.Err() == nil {
				stop(clientStopped(client, err))
				return
			}
		}
	}
}

// clientStopped is the reason of an export whose client may no longer
// read, in both languages.
func clientStopped(client string, err error) error {
	if dsn.KindOf(err) == dsn.KindForbidden {
		return cliFail("export", dsn.KindForbidden, "export.client-disabled", client)
	}
	return cliFail("export", dsn.KindForbidden, "export.client-gone", client)
}
