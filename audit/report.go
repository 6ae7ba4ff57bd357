package audit

import (
	"context"
	"sort"
	"strings"
	"time"

	"dsn"
)

// Report of accesses for a period: the annual report the LRSSS asks of each
// body (s. 103), and the privacy officer's list of unusual patterns to look
// at (issue 6): many records in a day, a flagged (well-known) person's
// record, a record of someone sharing the user's surname (family member or
// colleague), and every break-the-glass.
type AccessReport struct {
	From, To        time.Time
	Entries         int // accesses: one per record an entry names (an entry naming several counts for each, decision 0023)
	ByAction        map[string]int
	ByRole          map[string]int
	ByEstablishment map[string]int
	Patients        int // distinct records touched
	Agents          int // distinct users and systems
	BreakGlass      []Finding
	Unusual         []Finding
}

// Finding is one entry or pattern worth a look.
type Finding struct {
	Kind    string    `json:"kind"` // break-glass, many-records, flagged-record, same-surname
	Agent   string    `json:"agent"`
	Name    string    `json:"name,omitempty"`
	Patient string    `json:"patient,omitempty"`
	Day     string    `json:"day,omitempty"`
	Count   int       `json:"count,omitempty"`
	Seq     int64     `json:"seq,omitempty"`
	Time    time.Time `json:"time,omitzero"`
	Detail  string    `json:"detail,omitempty"`
}

// PatientFacts tells, for the report, a patient's family names and whether
// the record is flagged (a public figure's, confidentiality V).
type PatientFacts func(ctx context.Context, patient string) (families []string, flagged bool)

// ManyRecordsPerDay is the threshold of distinct records one agent opens in
// a day above which the report lists them.
const ManyRecordsPerDay = 50

// Build scans the journal entries of [from, to) and builds the report.
func Build(ctx context.Context, j dsn.Journal, from, to time.Time, facts PatientFacts) (AccessReport, error) {
	rep := AccessReport{From: from, To: to, ByAction: map[string]int{}, ByRole: map[string]int{}, ByEstablishment: map[string]int{}}
	patients, agents := map[string]bool{}, map[string]bool{}
	perDay := map[[2]string]map[string]bool{}
	names := map[string]string{}
	pairs := map[[2]string]bool{}
	type cached struct {
		families []string
		flagged  bool
	}
	known := map[string]cached{}
	account := func(e Entry, seq int64) {
		rep.Entries++
		rep.ByAction[e.Action]++
		rep.ByRole[e.Role]++
		if e.Establishment != "" {
			rep.ByEstablishment[e.Establishment]++
		}
		agents[e.Agent] = true
		names[e.Agent] = e.Name
		if e.Action == "break-glass" {
			rep.BreakGlass = append(rep.BreakGlass, Finding{Kind: "break-glass", Agent: e.Agent, Name: e.Name, Patient: e.Patient, Seq: seq, Time: e.Time, Detail: e.Reason})
		}
		if e.Patient == "" || e.Action == "denied" || e.Role == "citizen" || e.Role == "system" {
			return
		}
		patients[e.Patient] = true
		k := [2]string{e.Agent, e.Time.Format("2006-01-02")}
		if perDay[k] == nil {
			perDay[k] = map[string]bool{}
		}
		perDay[k][e.Patient] = true
		if pairs[[2]string{e.Agent, e.Patient}] || facts == nil {
			return
		}
		pairs[[2]string{e.Agent, e.Patient}] = true
		c, ok := known[e.Patient]
		if !ok {
			c.families, c.flagged = facts(ctx, e.Patient)
			known[e.Patient] = c
		}
		if c.flagged {
			rep.Unusual = append(rep.Unusual, Finding{Kind: "flagged-record", Agent: e.Agent, Name: e.Name, Patient: e.Patient, Seq: seq, Time: e.Time})
		}
		if s := surname(e.Name); s != "" {
			for _, f := range c.families {
				if strings.EqualFold(f, s) {
					rep.Unusual = append(rep.Unusual, Finding{Kind: "same-surname", Agent: e.Agent, Name: e.Name, Patient: e.Patient, Seq: seq, Time: e.Time, Detail: f})
				}
			}
		}
	}
	err := j.ScanAudit(ctx, 1, func(a dsn.AuditEntry) error {
		if a.Time.Before(from) || !a.Time.Before(to) {
			return nil
		}
		whole, err := Decode(a)
		if err != nil {
			return err
		}
		// an entry naming several records counts as one access to each,
		// as when each had its own entry
		for _, e := range whole.Split() {
			account(e, a.Seq)
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	for k, ps := range perDay {
		if len(ps) > ManyRecordsPerDay {
			rep.Unusual = append(rep.Unusual, Finding{Kind: "many-records", Agent: k[0], Name: names[k[0]], Day: k[1], Count: len(ps)})
		}
	}
	sort.Slice(rep.Unusual, func(i, j int) bool {
		a, b := rep.Unusual[i], rep.Unusual[j]
		return a.Kind < b.Kind || a.Kind == b.Kind && (a.Agent < b.Agent || a.Agent == b.Agent && a.Seq < b.Seq)
	})
	rep.Patients, rep.Agents = len(patients), len(agents)
	return rep, nil
}

// surname is the last word of a display name ("Dre Julie Bouchard" → Bouchard).
func surname(name string) string {
	f := strings.Fields(strings.TrimSpace(strings.Split(name, "(")[0]))
	if len(f) < 2 {
		return ""
	}
	return f[len(f)-1]
}
