package access

import (
	"testing"
	"time"

	"dsn"
)

// The token cache keeps the principal's journal name, built once per token;
// a copy whose realm or subject is changed names itself, not the cached one.
func TestCachedPrincipalAgent(t *testing.T) {
	var c tokenCache
	c.put("tok", &Principal{Realm: RealmSystem, Subject: "c1"}, time.Now().Add(time.Hour))
	p, ok := c.get("tok", time.Now())
	if !ok || p.Agent() != "client:c1" || p.agent != "client:c1" {
		t.Fatalf("cached principal: ok %v, Agent %q, kept %q", ok, p.Agent(), p.agent)
	}
	if q, _ := c.get("tok", time.Now()); q != p {
		t.Fatal("the cached principal is copied per request")
	}
	cp := *p
	cp.Subject = "c2"
	if got := cp.Agent(); got != "client:c2" {
		t.Fatalf("copy with another subject: Agent %q", got)
	}
	cp = *p
	cp.Realm = RealmStaff
	if got := cp.Agent(); got != "user:c1" {
		t.Fatalf("copy with another realm: Agent %q", got)
	}
	if got := (&Principal{Realm: RealmStaff, Subject: "u1"}).Agent(); got != "user:u1" {
		t.Fatalf("uncached principal: Agent %q", got)
	}
}

// A request's first disclosure lives in the collector itself; the next
// ones, repeats skipped, follow in order.
func TestDisclosuresFirstInline(t *testing.T) {
	d := &Disclosures{}
	r := dsn.Resource{Type: "Observation", ID: "o1", VersionID: 2, PatientKey: "p1"}
	d.add(r, "read", BasisRelation)
	d.add(r, "read", BasisRelation) // a repeat
	d.add(dsn.Resource{Type: "Observation", ID: "o2", PatientKey: "p1"}, "denied", "restriction")
	items := d.Items()
	if len(items) != 2 || items[0].Ref != "Observation/o1/_history/2" || items[0].Patient != "p1" ||
		items[1].Ref != "Observation/o2" || items[1].Action != "denied" {
		t.Fatalf("items %+v", items)
	}
}
