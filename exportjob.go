package dsn

import (
	"context"
	"time"
)

// ExportJob is one FHIR Bulk Data export kicked off over HTTP
// (https://hl7.org/fhir/uv/bulkdata/export.html), kept in the store so that a
// restart of the server does not lose it (bulk/README.md).
type ExportJob struct {
	ID     string `json:"id"`
	Status string `json:"status"` // ExportAccepted, ExportRunning, ExportCompleted or ExportFailed
	// Request is the kick-off URL as the client sent it (the manifest's request).
	Request string `json:"request"`
	// Level is "system", "patient" or "group" ([base]/$export,
	// [base]/Patient/$export, [base]/Group/[id]/$export); GroupID names the Group.
	Level   string   `json:"level"`
	GroupID string   `json:"groupId,omitempty"`
	Types   []string `json:"types,omitempty"` // _type (none: every type)
	// Patients is the "patient" parameter (Patient and Group levels).
	Patients []string `json:"patients,omitempty"`
	// Since is _since: only resources last updated at or after it (zero: all).
	Since time.Time `json:"since,omitzero"`
	// TransactionTime is when the export started reading: resources updated
	// later are left for the next export with _since (export.html#response---complete-status).
	TransactionTime time.Time    `json:"transactionTime,omitzero"`
	Created         time.Time    `json:"created"`
	Updated         time.Time    `json:"updated"`
	Done            int          `json:"done"`            // resources written so far
	Restarts        int          `json:"restarts"`        // times a server restart began it again
	Error           string       `json:"error,omitempty"` // why it failed (ExportFailed)
	Output          []ExportFile `json:"output,omitempty"`
	// Requester is who asked, as bulk.ExportAccess recorded it (opaque here):
	// the job reads through the policy as that requester, even after a restart.
	Requester string `json:"requester,omitempty"`
}

// The states of an ExportJob.
const (
	ExportAccepted  = "accepted"
	ExportRunning   = "in-progress"
	ExportCompleted = "completed"
	ExportFailed    = "failed"
)

// ExportFile is one NDJSON file of a job: resources of one type, stored as
// numbered parts.
type ExportFile struct {
	N     int    `json:"n"` // file number within the job, from 1
	Type  string `json:"type"`
	Count int    `json:"count"`
}

// ExportJobs keeps export jobs and their files. The sqlite and postgres
// stores implement it. Errors: KindNotFound when the job does not exist (or
// was deleted meanwhile).
type ExportJobs interface {
	// CreateExportJob stores a new job.
	CreateExportJob(ctx context.Context, j ExportJob) error
	// ExportJob returns a job.
	ExportJob(ctx context.Context, id string) (ExportJob, error)
	// ExportJobList returns every job, oldest first.
	ExportJobList(ctx context.Context) ([]ExportJob, error)
	// UpdateExportJob replaces a job (status, progress, output).
	UpdateExportJob(ctx context.Context, j ExportJob) error
	// DeleteExportJob removes a job and its files.
	DeleteExportJob(ctx context.Context, id string) error
	// AddExportPart appends part number part (from 1) of file to a job.
	AddExportPart(ctx context.Context, job string, file, part int, data []byte) error
	// ExportParts calls fn with each part of a file in order.
	ExportParts(ctx context.Context, job string, file int, fn func([]byte) error) error
	// ClearExportParts removes every part of a job (a job begun again).
	ClearExportParts(ctx context.Context, job string) error
}
