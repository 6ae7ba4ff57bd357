package dsn

import (
	"context"
	"time"
)

// ImportJob is one $import kicked off over HTTP (bulk/README.md), kept in the
// store with how far each input got, so that a restart of the server resumes
// it from its checkpoint instead of forgetting it.
type ImportJob struct {
	ID     string `json:"id"`
	Status string `json:"status"` // ImportAccepted, ImportRunning, ImportCompleted or ImportFailed
	// Request is the kick-off URL as the client sent it.
	Request         string    `json:"request"`
	TransactionTime time.Time `json:"transactionTime,omitzero"` // when the job began writing
	Created         time.Time `json:"created"`
	Updated         time.Time `json:"updated"`
	Done            int       `json:"done"`            // records done so far (all inputs)
	Restarts        int       `json:"restarts"`        // times a server restart resumed it
	Error           string    `json:"error,omitempty"` // why it failed (ImportFailed), in Language
	// Language is the language of the request that started the job ("en",
	// or "" for French, the default): its rejected records' OperationOutcomes
	// and its Error speak it (bulk/README.md).
	Language string        `json:"language,omitempty"`
	Inputs   []ImportInput `json:"inputs"`
}

// The states of an ImportJob (the same words as an export's).
const (
	ImportAccepted  = "accepted"
	ImportRunning   = "in-progress"
	ImportCompleted = "completed"
	ImportFailed    = "failed"
)

// ImportUpload is the URL of an input sent as the body of the kick-off.
const ImportUpload = "upload"

// ImportInput is one NDJSON input of a job and what became of it so far.
type ImportInput struct {
	Type string `json:"type,omitempty"` // the type the kick-off declares ("" if none)
	URL  string `json:"url"`            // where it is fetched from, or ImportUpload
	// Staged is the file an upload was copied to (it does not survive a
	// restart of the server: the job then fails).
	Staged string `json:"staged,omitempty"`
	// Checkpoint: every line up to Line is committed or reported; Done when
	// the whole input is. Size and SHA256 identify the content the lines
	// count in: a URL fetched again after a restart resumes after Line only
	// if it gives the same bytes, and starts over otherwise (harmless: an
	// import skips unchanged resources).
	Line   int    `json:"line,omitempty"`
	Done   bool   `json:"done,omitempty"`
	Size   int64  `json:"size,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
	// Counts so far.
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	// ErrorLines counts the input's rejected records plus, if the input could
	// not be read at all, one outcome for Error.
	ErrorLines int    `json:"errorLines,omitempty"`
	Error      string `json:"error,omitempty"` // why the input could not be read (fetch refused or failed, too large), in the job's Language
}

// ImportError is one OperationOutcome of an input's error file: Line is the
// rejected record's line (1-based), 0 for the input as a whole.
type ImportError struct {
	Input   int // the input's number in the job, from 1
	Line    int
	Outcome []byte // the OperationOutcome (JSON)
}

// ImportJobs keeps import jobs and their error files. The sqlite and postgres
// stores implement it. Errors: KindNotFound when the job does not exist (or
// was deleted meanwhile).
type ImportJobs interface {
	// CreateImportJob stores a new job.
	CreateImportJob(ctx context.Context, j ImportJob) error
	// ImportJob returns a job.
	ImportJob(ctx context.Context, id string) (ImportJob, error)
	// ImportJobList returns every job, oldest first.
	ImportJobList(ctx context.Context) ([]ImportJob, error)
	// UpdateImportJob replaces a job and adds errs to its error files, in
	// one transaction (a checkpoint and the rejects it covers go together).
	// An error already recorded for the same input and line is kept as it is.
	UpdateImportJob(ctx context.Context, j ImportJob, errs ...ImportError) error
	// DeleteImportJob removes a job and its errors.
	DeleteImportJob(ctx context.Context, id string) error
	// ClearImportErrors removes the errors of one input (an input begun again).
	ClearImportErrors(ctx context.Context, job string, input int) error
	// ImportErrors calls fn with each OperationOutcome of one input, by line.
	ImportErrors(ctx context.Context, job string, input int, fn func([]byte) error) error
}
