package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"dsn"
)

// The journal's bytes are hashed into the chain: appendJSON must write
// exactly what encoding/json writes for the same Entry, escapes included.
func TestEntryJSONMatchesEncodingJSON(t *testing.T) {
	nasty := []string{"", "a", `"quoted"`, `back\slash`, "<script>&amp;</script>", "tab\there\nnl\r\b\f",
		"\x00\x01\x1f\x7f", "é à ç Québec", "\u2028line\u2029", "bad\xffutf8\xc3", "emoji 😀", "/fhir/Patient?name=x&y=<1>"}
	pick := func(r *rand.Rand) string {
		if r.IntN(3) == 0 {
			return ""
		}
		s := nasty[r.IntN(len(nasty))]
		for range r.IntN(3) {
			s += nasty[r.IntN(len(nasty))]
		}
		return s
	}
	list := func(r *rand.Rand) []string {
		switch r.IntN(3) {
		case 0:
			return nil
		case 1:
			return []string{}
		}
		var l []string
		for range 1 + r.IntN(4) {
			l = append(l, pick(r))
		}
		return l
	}
	r := rand.New(rand.NewPCG(1, 2))
	times := []time.Time{time.Date(2026, 12, 6, 20, 0, 0, 0, time.UTC), time.Date(2026, 12, 6, 20, 0, 0, 123456789, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.FixedZone("x", -5*3600)), {}}
	for i := range 5000 {
		e := Entry{Time: times[i%len(times)], Agent: pick(r), Name: pick(r), Role: pick(r), Establishment: pick(r),
			Practitioner: pick(r), Client: pick(r), TokenID: pick(r), Remote: pick(r), Action: pick(r), Interaction: pick(r),
			Method: pick(r), Path: pick(r), Query: pick(r), Status: []int{0, 200, -1, 404}[r.IntN(4)], Outcome: pick(r),
			Patient: pick(r), Resources: list(r), Denied: list(r), Basis: pick(r), Purpose: pick(r), Reason: pick(r)}
		switch r.IntN(3) { // an entry naming several records
		case 0:
			e.Patients = []Part{}
		case 1:
			for range 1 + r.IntN(3) {
				e.Patients = append(e.Patients, Part{Patient: pick(r), Resources: list(r), Denied: list(r)})
			}
		}
		want, err := json.Marshal(&e)
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendJSON(nil, &e)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("entry %d:\n got %s (%v)\nwant %s", i, got, err, want)
		}
	}
	if _, err := appendJSON(nil, &Entry{Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}); err == nil {
		t.Fatal("year 10000 encoded; encoding/json refuses it")
	}
}

func BenchmarkEntryJSON(b *testing.B) {
	e := Entry{Time: time.Now().UTC(), Agent: "user:u1", Name: "Dre Julie Bouchard", Role: "physician", Establishment: "org-ciusss-mcq",
		Practitioner: "pr1", TokenID: "6f1c2d", Remote: "10.1.2.3:51234", Action: "read", Interaction: "read", Method: "GET",
		Path: "/fhir/Observation/o3", Status: 200, Patient: "p1", Resources: []string{"Observation/o3/_history/1"},
		Basis: "care-relationship", Purpose: "TREAT"}
	b.Run("encoding-json", func(b *testing.B) {
		for b.Loop() {
			json.Marshal(&e)
		}
	})
	b.Run("append", func(b *testing.B) {
		for b.Loop() {
			appendJSON(make([]byte, 0, 384), &e)
		}
	})
}

// rows writes each body exactly as appendJSON does, whether its head is
// encoded or copied from the entry before (the entries of one request share
// it; a different time, agent or address does not).
func TestRowsShareTheHead(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	at := time.Date(2026, 12, 6, 20, 0, 0, 123456789, time.UTC)
	var es []Entry
	for i := range 300 {
		e := Entry{Time: at, Agent: "client:c1", Name: "labo <x>", Role: "system", TokenID: "jti-1", Remote: "10.0.0.1:5000",
			Action: "search", Interaction: "search-type", Method: "GET", Path: "/fhir/Patient", Query: "family=é&_count=20",
			Status: 200, Patient: fmt.Sprintf("p%d", i), Resources: []string{fmt.Sprintf("Patient/p%d/_history/1", i)}, Basis: "system"}
		switch r.IntN(6) { // now and then another request's head
		case 0:
			at = at.Add(time.Microsecond)
			e.Time = at
		case 1:
			e.Agent = "user:u2"
		case 2:
			e.Remote = ""
		}
		es = append(es, e)
	}
	got, err := rows(es)
	if err != nil {
		t.Fatal(err)
	}
	for i := range es {
		want, _ := appendJSON(nil, &es[i])
		if !bytes.Equal(got[i].Body, want) || got[i].Patient != es[i].Patient || got[i].Agent != es[i].Agent || got[i].Time != es[i].Time {
			t.Fatalf("entry %d:\n got %s\nwant %s", i, got[i].Body, want)
		}
	}
	if _, err := rows([]Entry{{Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}}); err == nil {
		t.Fatal("year 10000 encoded; encoding/json refuses it")
	}
}

// A request's entries that differ only by their record become one entry
// naming each (decision 0023): its body decodes to the same parts, Split gives
// the entries back, the stored Patient names every record; entries of
// different requests, or of one request differing otherwise, stay apart.
func TestRowsOneEntryPerRequest(t *testing.T) {
	at := time.Date(2026, 12, 7, 1, 0, 0, 5000, time.UTC)
	var es []Entry
	for i := range 20 {
		es = append(es, Entry{Time: at, Agent: "client:c1", Role: "system", Remote: "10.0.0.1:5000", Action: "search",
			Interaction: "search-type", Method: "GET", Path: "/fhir/Observation", Query: "code=x", Status: 200,
			Patient: fmt.Sprintf("p%d", i), Resources: []string{fmt.Sprintf("Observation/o%d/_history/1", i)}, Basis: "system"})
	}
	es[3].Denied = []string{"Observation/secret/_history/2"}
	es[7].Patient = "" // a resource outside any record
	got, err := rows(es)
	if err != nil || len(got) != 1 {
		t.Fatalf("rows of one request's 20 entries = %d (%v), want 1", len(got), err)
	}
	want := "p0 p1 p2 p3 p4 p5 p6 p8 p9 p10 p11 p12 p13 p14 p15 p16 p17 p18 p19"
	if got[0].Patient != want || got[0].Agent != "client:c1" || got[0].Action != "search" || !got[0].Time.Equal(at) {
		t.Fatalf("stored columns: %+v", got[0])
	}
	e, err := Decode(got[0])
	if err != nil || len(e.Patients) != 20 || e.Patient != "" || e.Resources != nil {
		t.Fatalf("decoded: %+v, %v", e, err)
	}
	back := e.Split()
	for i := range es {
		if !reflect.DeepEqual(back[i], es[i]) {
			t.Fatalf("split %d:\n got %+v\nwant %+v", i, back[i], es[i])
		}
	}
	if x, ok := e.For("p3"); !ok || x.Patient != "p3" || len(x.Resources) != 1 || len(x.Denied) != 1 {
		t.Fatalf("For(p3) = %+v, %v", x, ok)
	}
	if _, ok := e.For("p20"); ok {
		t.Fatal("For(p20): not named")
	}
	if !Names(got[0], "p19") || Names(got[0], "p1 p2") || Names(dsn.AuditEntry{Body: got[0].Body}, "p20") || !Names(dsn.AuditEntry{Body: got[0].Body}, "p2") {
		t.Fatal("Names")
	}
	// at most MaxParts records per entry; a last one alone is a plain entry
	var many []Entry
	for i := range 2*MaxParts + 1 {
		x := es[0]
		x.Patient, x.Resources = fmt.Sprintf("q%d", i), []string{fmt.Sprintf("Patient/q%d/_history/1", i)}
		many = append(many, x)
	}
	got, err = rows(many)
	if err != nil || len(got) != 3 {
		t.Fatalf("rows of %d entries = %d (%v), want 3", len(many), len(got), err)
	}
	var all []Entry
	for k, g := range got {
		e, err := Decode(g)
		if err != nil || k < 2 && len(e.Patients) != MaxParts || k == 2 && (len(e.Patients) != 0 || e.Patient != "q200" || g.Patient != "q200") {
			t.Fatalf("entry %d: %d parts, patient %q (%v)", k, len(e.Patients), e.Patient, err)
		}
		all = append(all, e.Split()...)
	}
	if !reflect.DeepEqual(all, many) {
		t.Fatal("the entries split back differ from those recorded")
	}
	// one differing field: one entry each, as before
	es[5].Status = 206
	if got, _ := rows(es); len(got) != 20 || got[5].Patient != "p5" {
		t.Fatalf("entries differing by status: %d rows", len(got))
	}
}

// BenchmarkRows: a search's twenty entries (one request, twenty patients).
func BenchmarkRows(b *testing.B) {
	var es []Entry
	for i := range 20 {
		es = append(es, Entry{Time: time.Now().UTC(), Agent: "client:0f8e2c1d", Name: "bench", Role: "system", Client: "0f8e2c1d",
			TokenID: "6f1c2d3e4a5b6c7d", Remote: "127.0.0.1:51234", Action: "search", Interaction: "search-type", Method: "GET",
			Path: "/fhir/Patient", Query: "family=Tremblay&_count=20", Status: 200, Patient: fmt.Sprintf("p%d", i),
			Resources: []string{fmt.Sprintf("Patient/p%d/_history/1", i)}, Basis: "system", Purpose: "HOPERAT"})
		es[i].Time = es[0].Time
	}
	b.Run("each", func(b *testing.B) {
		out := make([][]byte, len(es))
		for b.Loop() {
			for i := range es {
				out[i], _ = appendJSON(make([]byte, 0, 512), &es[i])
			}
		}
	})
	b.Run("rows", func(b *testing.B) {
		for b.Loop() {
			rows(es)
		}
	})
}
